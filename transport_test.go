package turbohttp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

func helloHandler(w ResponseWriter, r *Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteString("Hello, World!")
}

func TestTransportGetOurServer(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	addr, cc := tpServer(t, helloHandler)
	for i := 0; i < 5; i++ {
		resp, body := roundTrip(t, tr, newReq(t, MethodGet, "http://"+addr+"/x?y=1", nil))
		if resp.StatusCode != 200 || body != "Hello, World!" || resp.ContentLength != 13 {
			t.Fatalf("got %d %q len %d", resp.StatusCode, body, resp.ContentLength)
		}
		if got := resp.Header.Get("Content-Type"); got != "text/plain" {
			t.Fatalf("Content-Type %q", got)
		}
	}
	if n := cc.count(); n != 1 {
		t.Fatalf("server saw %d connections, want 1 (keep-alive)", n)
	}
	s := tr.HostStats(addr)
	if s.Dials != 1 || s.Reuses != 4 || s.Idle != 1 || s.Open != 1 || s.InUse != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestTransportNetHTTPServerKeepAlive(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	srv, cc := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %s %d", r.Method, r.URL.RequestURI(), b, r.ContentLength)
	}, false)
	for i := 0; i < 3; i++ {
		_, body := roundTrip(t, tr, newReq(t, MethodPost, srv.URL+"/p?q", strings.NewReader("abc")))
		if body != "POST /p?q abc 3" {
			t.Fatalf("body %q", body)
		}
	}
	// A body of unknown length goes chunked.
	req := newReq(t, MethodPut, srv.URL+"/c", nil)
	req.Body = io.MultiReader(strings.NewReader("he"), strings.NewReader("llo"))
	if _, body := roundTrip(t, tr, req); body != "PUT /c hello -1" {
		t.Fatalf("chunked body %q", body)
	}
	if n := cc.count(); n != 1 {
		t.Fatalf("server saw %d connections, want 1", n)
	}
}

func TestTransportChunkedResponseTrailers(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	srv, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		w.Write([]byte("part1,"))
		w.(http.Flusher).Flush()
		w.Write([]byte("part2"))
		w.Header().Set("X-Sum", "42")
	}, false)
	resp := &Response{}
	if err := tr.Do(newReq(t, MethodGet, srv.URL, nil), resp); err != nil {
		t.Fatal(err)
	}
	if resp.Trailer.Len() != 0 {
		t.Fatal("trailers before the body was read")
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "part1,part2" || resp.ContentLength != -1 {
		t.Fatalf("body %q len %d", b, resp.ContentLength)
	}
	if got := resp.Trailer.Get("X-Sum"); got != "42" {
		t.Fatalf("trailer X-Sum = %q", got)
	}
	resp.Body.Close()
}

func TestTransportRequestTrailers(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	srv, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s|%s", b, r.Trailer.Get("X-Check"))
	}, false)
	req := newReq(t, MethodPost, srv.URL, nil)
	req.Body = io.MultiReader(strings.NewReader("data"))
	req.Trailer.Add("X-Check", "ok")
	if _, body := roundTrip(t, tr, req); body != "data|ok" {
		t.Fatalf("body %q", body)
	}
}

func TestTransportHeadAndNoBodyStatuses(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	srv, cc := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		w.Header().Set("Content-Length", "5")
		if code == 0 {
			code = 200
		}
		w.WriteHeader(code)
		if r.Method != "HEAD" && code == 200 {
			w.Write([]byte("hello"))
		}
	}, false)
	resp, body := roundTrip(t, tr, newReq(t, MethodHead, srv.URL, nil))
	if body != "" || resp.ContentLength != 5 || resp.StatusCode != 200 {
		t.Fatalf("HEAD: %q len %d", body, resp.ContentLength)
	}
	for _, code := range []int{204, 304} {
		resp, body := roundTrip(t, tr, newReq(t, MethodGet, srv.URL+"/?code="+strconv.Itoa(code), nil))
		if body != "" || resp.StatusCode != code {
			t.Fatalf("%d: %q", code, body)
		}
	}
	if _, body := roundTrip(t, tr, newReq(t, MethodGet, srv.URL, nil)); body != "hello" {
		t.Fatalf("GET after: %q", body)
	}
	if cc.count() != 1 {
		t.Fatalf("%d connections, want 1", cc.count())
	}
}

func TestTransportRefusesInvalidRequests(t *testing.T) {
	dialed := false
	tr := &Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialed = true
		return nil, errors.New("must not dial")
	}}
	cases := []struct {
		name  string
		build func(r *Request)
		want  error
	}{
		{"method with space", func(r *Request) { r.Method = "GE T" }, ErrInvalidMethod},
		{"method with CRLF", func(r *Request) { r.Method = "GET\r\n" }, ErrInvalidMethod},
		{"host with CRLF", func(r *Request) { r.Host = []byte("a\r\nX-Evil: 1") }, ErrInvalidHost},
		{"URL host with LF", func(r *Request) { r.URL.Host = []byte("a\nb") }, ErrInvalidHost},
		{"header name with colon", func(r *Request) { r.Header.Add("X:Y", "v") }, ErrInvalidHeaderName},
		{"header name with CRLF", func(r *Request) { r.Header.Add("X\r\nY", "v") }, ErrInvalidHeaderName},
		{"header value with CRLF", func(r *Request) { r.Header.Add("X", "v\r\nEvil: 1") }, ErrInvalidHeaderValue},
		{"header value with LF", func(r *Request) { r.Header.Add("X", "v\nEvil: 1") }, ErrInvalidHeaderValue},
		{"header value with NUL", func(r *Request) { r.Header.Add("X", "v\x00") }, ErrInvalidHeaderValue},
		{"trailer value with CR", func(r *Request) { r.Trailer.Add("X", "v\r") }, ErrInvalidHeaderValue},
		{"path with space", func(r *Request) { r.URL.Path = []byte("/a b") }, ErrBadURL},
		{"scheme", func(r *Request) { r.URL.Scheme = []byte("ftp") }, ErrUnsupportedScheme},
	}
	for _, c := range cases {
		req := newReq(t, MethodGet, "http://example.com/", nil)
		c.build(req)
		err := tr.Do(req, &Response{})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if dialed {
		t.Fatal("an invalid request reached the dialer")
	}
}

// TestTransportWireFormat checks the exact bytes of a request.
func TestTransportWireFormat(t *testing.T) {
	tr := &Transport{DisableCompression: true}
	noLeaks(t, tr)
	got := make(chan string, 1)
	rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		head := readRequestHead(br)
		body := make([]byte, 3)
		io.ReadFull(br, body)
		got <- head + string(body)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	})
	req := newReq(t, MethodPost, "http://"+rs.addr+"/a/b?c=d#frag", bytes.NewReader([]byte("xyz")))
	req.Header.Add("X-One", "1")
	req.Header.Add("Content-Length", "999") // ignored: the transport frames
	req.Host = []byte("virtual.example")
	roundTrip(t, tr, req)
	want := "POST /a/b?c=d HTTP/1.1\r\nHost: virtual.example\r\nX-One: 1\r\nContent-Length: 3\r\n\r\nxyz"
	if g := <-got; g != want {
		t.Fatalf("wire:\n%q\nwant\n%q", g, want)
	}
}

func TestTransportDisableKeepAlives(t *testing.T) {
	tr := &Transport{DisableKeepAlives: true}
	noLeaks(t, tr)
	srv, cc := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "close=%v", r.Close)
	}, false)
	for range 3 {
		if resp, body := roundTrip(t, tr, newReq(t, MethodGet, srv.URL, nil)); body != "close=true" || !resp.Close {
			t.Fatalf("%q close=%v", body, resp.Close)
		}
	}
	if cc.count() != 3 {
		t.Fatalf("%d connections, want 3", cc.count())
	}
	wantNoConns(t, tr, strings.TrimPrefix(srv.URL, "http://"))
	// Request.Close alone closes its own connection.
	tr2 := &Transport{}
	defer tr2.CloseIdleConnections()
	req := newReq(t, MethodGet, srv.URL, nil)
	req.Close = true
	if _, body := roundTrip(t, tr2, req); body != "close=true" {
		t.Fatal(body)
	}
	wantNoConns(t, tr2, strings.TrimPrefix(srv.URL, "http://"))
}

// TestTransportRetryAfterInterim: a reused connection that failed after an
// interim response is not retried (the server answered).
func TestTransportRetryAfterInterim(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	var conns atomic.Int64
	rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		conns.Add(1)
		readRequestHead(br)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		readRequestHead(br)
		io.WriteString(c, "HTTP/1.1 103 Early Hints\r\n\r\n")
	})
	url := "http://" + rs.addr + "/"
	get(t, tr, url)
	if err := tr.Do(newReq(t, MethodGet, url, nil), &Response{}); err == nil {
		t.Fatal("no error")
	}
	if s := tr.HostStats(rs.addr); s.Retries != 0 || conns.Load() != 1 {
		t.Fatalf("retried after a response byte: %+v", s)
	}
}
