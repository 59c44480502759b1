package turbohttp

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"turbohttp/h1"
)

// Malformed and borderline responses from a raw TCP server, one named test
// per rule.

// scripted answers the requests it reads, over all connections, with the
// given raw responses in order; after the last it closes the connection.
// closeAfter closes the connection right after the response it follows.
func scripted(t *testing.T, responses ...string) *rawServer {
	var mu sync.Mutex
	next := 0
	return newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		for {
			if readRequestHead(br) == "" {
				return
			}
			mu.Lock()
			if next == len(responses) {
				mu.Unlock()
				return
			}
			r := responses[next]
			next++
			mu.Unlock()
			close := strings.HasSuffix(r, "\x00close")
			io.WriteString(c, strings.TrimSuffix(r, "\x00close"))
			if close {
				return
			}
		}
	})
}

// doRaw sends a GET to rs and returns the response (body read) or the
// error of Do or of reading the body.
func doRaw(t *testing.T, tr *Transport, rs *rawServer, method string) (*Response, string, error) {
	t.Helper()
	resp := &Response{}
	if err := tr.Do(newReq(t, method, "http://"+rs.addr+"/", nil), resp); err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), err
}

func wantErr(t *testing.T, err error, targets ...error) {
	t.Helper()
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Fatalf("got error %v, want %v", err, target)
		}
	}
}

func TestResponseDuplicateContentLength(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	rs := scripted(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
	_, _, err := doRaw(t, tr, rs, MethodGet)
	wantErr(t, err, ErrMalformedResponse, h1.ErrDuplicateContentLength)
	var me *MalformedResponseError
	if !errors.As(err, &me) {
		t.Fatalf("%T is not a *MalformedResponseError", err)
	}
	wantNoConns(t, tr, rs.addr)
}

func TestResponseIdenticalContentLengthsAccepted(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	rs := scripted(t, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello")
	if _, body, err := doRaw(t, tr, rs, MethodGet); err != nil || body != "hello" {
		t.Fatalf("%q %v", body, err)
	}
}

func TestResponseMalformedContentLength(t *testing.T) {
	for _, cl := range []string{"-1", "+5", "5 5", "0x5", "", "99999999999999999999"} {
		tr := &Transport{}
		rs := scripted(t, "HTTP/1.1 200 OK\r\nContent-Length: "+cl+"\r\n\r\nhello")
		_, _, err := doRaw(t, tr, rs, MethodGet)
		wantErr(t, err, ErrMalformedResponse)
		if !errors.Is(err, h1.ErrBadContentLength) && !errors.Is(err, h1.ErrDuplicateContentLength) {
			t.Fatalf("Content-Length %q: %v", cl, err)
		}
		tr.CloseIdleConnections()
	}
}

// TestResponseContentLengthAndChunked: with both, the body is chunked and
// the connection closes afterwards (RFC 9112 §6.3).
func TestResponseContentLengthAndChunked(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	rs := scripted(t,
		"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	resp, body, err := doRaw(t, tr, rs, MethodGet)
	if err != nil || body != "hello" || !resp.Close {
		t.Fatalf("%q %v close=%v", body, err, resp.Close)
	}
	wantNoConns(t, tr, rs.addr)
	if _, body, err := doRaw(t, tr, rs, MethodGet); err != nil || body != "ok" {
		t.Fatalf("%q %v", body, err)
	}
	if rs.conns.Load() != 2 {
		t.Fatalf("%d connections, want 2", rs.conns.Load())
	}
}

func TestResponseTransferEncodingErrors(t *testing.T) {
	for _, c := range []struct {
		te   string
		want error
	}{
		{"gzip, chunked", h1.ErrUnsupportedTransferCode},
		{"chunked, gzip", h1.ErrBadTransferEncoding},
		{"chunked, chunked", h1.ErrBadTransferEncoding},
		{"chunked;q=1", h1.ErrBadTransferEncoding},
		{"identity", h1.ErrBadTransferEncoding},
	} {
		tr := &Transport{}
		rs := scripted(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: "+c.te+"\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
		_, _, err := doRaw(t, tr, rs, MethodGet)
		if !errors.Is(err, c.want) || !errors.Is(err, ErrMalformedResponse) {
			t.Fatalf("Transfer-Encoding %q: got %v, want %v", c.te, err, c.want)
		}
		wantNoConns(t, tr, rs.addr)
	}
}

func TestResponseTransferEncodingHTTP10(t *testing.T) {
	tr := &Transport{}
	rs := scripted(t, "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
	_, _, err := doRaw(t, tr, rs, MethodGet)
	wantErr(t, err, h1.ErrTransferEncodingHTTP10)
}

func TestResponseBadStatusLine(t *testing.T) {
	for _, line := range []string{"HTTP/1.1 2OO OK", "HTTP/1.1 20 OK", "HTTP/1.1 200OK", "HTTP/1.1  200 OK", "ICY 200 OK"} {
		tr := &Transport{}
		rs := scripted(t, line+"\r\nContent-Length: 0\r\n\r\n")
		_, _, err := doRaw(t, tr, rs, MethodGet)
		wantErr(t, err, ErrMalformedResponse)
		if !errors.Is(err, h1.ErrBadStatusLine) && !errors.Is(err, h1.ErrBadVersion) {
			t.Fatalf("%q: %v", line, err)
		}
	}
	tr := &Transport{}
	rs := scripted(t, "HTTP/2.0 200 OK\r\n\r\n")
	_, _, err := doRaw(t, tr, rs, MethodGet)
	wantErr(t, err, h1.ErrVersion)
}

// TestResponseBadStatusCode: a status outside 100-599 is refused with its
// own error, as net/http refuses it.
func TestResponseBadStatusCode(t *testing.T) {
	for _, line := range []string{"HTTP/1.1 600 X", "HTTP/1.1 999 Odd", "HTTP/1.1 099 X", "HTTP/1.1 000"} {
		tr := &Transport{}
		rs := scripted(t, line+"\r\nContent-Length: 0\r\n\r\n")
		_, _, err := doRaw(t, tr, rs, MethodGet)
		wantErr(t, err, ErrMalformedResponse, h1.ErrBadStatusCode)
	}
	tr := &Transport{}
	rs := scripted(t, "HTTP/1.1 599 Last\r\nContent-Length: 2\r\n\r\nok")
	if resp, body, err := doRaw(t, tr, rs, MethodGet); err != nil || resp.StatusCode != 599 || body != "ok" {
		t.Fatalf("599: %v %q", err, body)
	}
}

// TestResponseFieldWithoutColon: a field line with no colon gets its own
// error, not "whitespace before colon".
func TestResponseFieldWithoutColon(t *testing.T) {
	for _, line := range []string{"NoColon", "No colon at all"} {
		tr := &Transport{}
		rs := scripted(t, "HTTP/1.1 200 OK\r\n"+line+"\r\nContent-Length: 0\r\n\r\n")
		_, _, err := doRaw(t, tr, rs, MethodGet)
		wantErr(t, err, ErrMalformedResponse, h1.ErrMissingColon)
	}
}

// TestResponseObsFoldUnfolded: obs-fold in a response is replaced with
// spaces (RFC 9112 §5.2, as net/http does; see h1/doc.go), and the
// connection stays usable.
func TestResponseObsFoldUnfolded(t *testing.T) {
	tr := &Transport{}
	rs := scripted(t, "HTTP/1.1 200 OK\r\nX-Folded: one\r\n two\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	resp, body, err := doRaw(t, tr, rs, MethodGet)
	if err != nil || body != "ok" {
		t.Fatal(err, body)
	}
	if v := resp.Header.Get("X-Folded"); v != "one   two" {
		t.Fatalf("X-Folded %q", v)
	}
	if _, _, err := doRaw(t, tr, rs, MethodGet); err != nil {
		t.Fatal(err)
	}
}

func TestResponseHeadTooLarge(t *testing.T) {
	tr := &Transport{MaxResponseHeaderBytes: 1024}
	noLeaks(t, tr)
	big := "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("a", 2000) + "\r\nContent-Length: 0\r\n\r\n"
	rs := scripted(t, big, "HTTP/1.1 200 OK\r\nX-Fits: "+strings.Repeat("a", 900)+"\r\nContent-Length: 0\r\n\r\n")
	_, _, err := doRaw(t, tr, rs, MethodGet)
	wantErr(t, err, ErrMalformedResponse, h1.ErrHeaderTooLarge)
	wantNoConns(t, tr, rs.addr)
	if _, _, err := doRaw(t, tr, rs, MethodGet); err != nil {
		t.Fatalf("a head within the limit: %v", err)
	}
}

// TestResponseHeadGrowsReadBuffer: a head larger than the read buffer but
// within the limit is read whole.
func TestResponseHeadGrowsReadBuffer(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	v := strings.Repeat("v", 20000)
	rs := scripted(t, "HTTP/1.1 200 OK\r\nX-Long: "+v+"\r\nContent-Length: 4\r\n\r\nbody", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	resp, body, err := doRaw(t, tr, rs, MethodGet)
	if err != nil || body != "body" || resp.Header.Get("X-Long") != v {
		t.Fatalf("%q %v", body, err)
	}
	if _, body, err := doRaw(t, tr, rs, MethodGet); err != nil || body != "ok" {
		t.Fatalf("%q %v", body, err)
	}
	if rs.conns.Load() != 1 {
		t.Fatalf("%d connections", rs.conns.Load())
	}
}

func TestResponseTooManyInterim(t *testing.T) {
	hints := strings.Repeat("HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n", 11)
	tr := &Transport{}
	noLeaks(t, tr)
	rs := scripted(t, hints+"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	_, _, err := doRaw(t, tr, rs, MethodGet)
	wantErr(t, err, ErrTooManyInterimResponses)
	wantNoConns(t, tr, rs.addr)

	// Within the limit, the interim responses are skipped.
	rs = scripted(t, hints[:len(hints)/11*10]+"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	if resp, body, err := doRaw(t, tr, rs, MethodGet); err != nil || body != "ok" || resp.StatusCode != 200 {
		t.Fatalf("%q %v", body, err)
	}
}

func TestResponseUnexpected101(t *testing.T) {
	tr := &Transport{}
	rs := scripted(t, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	_, _, err := doRaw(t, tr, rs, MethodGet)
	wantErr(t, err, ErrUnexpectedUpgrade)
	wantNoConns(t, tr, rs.addr)
}

func TestResponseUpgrade(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		readRequestHead(br)
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello ")
		io.Copy(c, br) // echo
	})
	req := newReq(t, MethodGet, "http://"+rs.addr+"/", nil)
	req.Header.Add("Connection", "Upgrade")
	req.Header.Add("Upgrade", "echo")
	resp := &Response{}
	if err := tr.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	rw, ok := resp.Body.(io.ReadWriteCloser)
	if resp.StatusCode != 101 || !ok {
		t.Fatalf("status %d, body %T", resp.StatusCode, resp.Body)
	}
	io.WriteString(rw, "world")
	buf := make([]byte, 11)
	if _, err := io.ReadFull(rw, buf); err != nil || string(buf) != "hello world" {
		t.Fatalf("%q %v", buf, err)
	}
	rw.Close()
	wantNoConns(t, tr, rs.addr)
}

func TestResponseTruncatedBody(t *testing.T) {
	for name, r := range map[string]string{
		"content-length": "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello\x00close",
		"chunked":        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n\x00close",
		"chunk-data":     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nhello\x00close",
	} {
		t.Run(name, func(t *testing.T) {
			tr := &Transport{}
			noLeaks(t, tr)
			rs := scripted(t, r)
			_, _, err := doRaw(t, tr, rs, MethodGet)
			if err != io.ErrUnexpectedEOF {
				t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
			}
			wantNoConns(t, tr, rs.addr)
		})
	}
}

func TestResponseTruncatedHead(t *testing.T) {
	tr := &Transport{}
	rs := scripted(t, "HTTP/1.1 200 OK\r\nContent-Le\x00close")
	_, _, err := doRaw(t, tr, rs, MethodGet)
	var re *ResponseReadError
	if !errors.Is(err, io.ErrUnexpectedEOF) || !errors.As(err, &re) {
		t.Fatalf("got %v", err)
	}
}

func TestResponseCloseDelimited(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	rs := scripted(t, "HTTP/1.1 200 OK\r\n\r\nuntil the end\x00close")
	resp, body, err := doRaw(t, tr, rs, MethodGet)
	if err != nil || body != "until the end" || resp.ContentLength != -1 || !resp.Close {
		t.Fatalf("%q %v %+v", body, err, resp)
	}
	wantNoConns(t, tr, rs.addr)
}

func TestResponseHTTP10KeepAlive(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	rs := scripted(t,
		"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\na",
		"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nb",
		"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nc")
	for _, want := range []string{"a", "b", "c"} {
		if _, body, err := doRaw(t, tr, rs, MethodGet); err != nil || body != want {
			t.Fatalf("%q %v", body, err)
		}
	}
	if rs.conns.Load() != 2 { // a closes its connection; b and c share one
		t.Fatalf("%d connections", rs.conns.Load())
	}
}

func TestResponseHeadMethodIgnoresBody(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	rs := scripted(t,
		"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nTransfer-Encoding: chunked\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	if _, body, err := doRaw(t, tr, rs, MethodHead); err != nil || body != "" {
		t.Fatalf("%q %v", body, err)
	}
	if _, body, err := doRaw(t, tr, rs, MethodGet); err != nil || body != "ok" {
		t.Fatalf("%q %v", body, err)
	}
}

// TestTransportConnectMethod: a CONNECT sent through Do goes in authority
// form, and its 2xx answer hands over the connection as a tunnel.
func TestTransportConnectMethod(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	lines := make(chan string, 1)
	rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		head := readRequestHead(br)
		lines <- strings.SplitN(head, "\r\n", 2)[0]
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		io.Copy(c, br)
	})
	req := newReq(t, MethodConnect, "http://"+rs.addr, nil)
	resp := &Response{}
	if err := tr.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if l := <-lines; l != "CONNECT "+rs.addr+" HTTP/1.1" {
		t.Fatalf("request line %q", l)
	}
	rw := resp.Body.(io.ReadWriteCloser)
	io.WriteString(rw, "ping")
	buf := make([]byte, 4)
	if _, err := io.ReadFull(rw, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("%q %v", buf, err)
	}
	rw.Close()
	wantNoConns(t, tr, rs.addr)
}
