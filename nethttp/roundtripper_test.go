package nethttp

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"turbohttp"
)

// rtClient returns a net/http Client over our Transport through the
// RoundTripper, closing its idle connections at the end of the test.
func rtClient(t testing.TB, tr *turbohttp.Transport) *http.Client {
	if tr == nil {
		tr = &turbohttp.Transport{}
	}
	c := &http.Client{Transport: RoundTripper(tr)}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// echoHandler answers with what it received: method, host, length,
// transfer encoding and body.
func echoHandler(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	fmt.Fprintf(w, "%s %s %s len=%d te=%v body=%q", r.Method, r.Host, r.URL.RequestURI(), r.ContentLength, r.TransferEncoding, body)
}

// onlyReader hides everything but Read, so that net/http cannot learn the
// length.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// closeTracker is a request body that records its Close.
type closeTracker struct {
	io.Reader
	closed atomic.Int32
}

func (c *closeTracker) Close() error { c.closed.Add(1); return nil }

func TestRoundTripperMethodsAndBodies(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(echoHandler))
	defer ts.Close()
	c := rtClient(t, nil)
	tests := []struct {
		name, method string
		body         func() io.Reader
		length       int64 // set on the request when >= -1 and body is unknown
		want         string
	}{
		{"GET", "GET", nil, 0, `GET HOST /p?q=1 len=0 te=[] body=""`},
		{"POST known", "POST", func() io.Reader { return strings.NewReader("hello") }, 0, `POST HOST /p?q=1 len=5 te=[] body="hello"`},
		{"PUT known", "PUT", func() io.Reader { return bytes.NewReader([]byte("put body")) }, 0, `PUT HOST /p?q=1 len=8 te=[] body="put body"`},
		{"POST unknown, ContentLength 0", "POST", func() io.Reader { return onlyReader{strings.NewReader("chunky")} }, 0, `POST HOST /p?q=1 len=-1 te=[chunked] body="chunky"`},
		{"PUT unknown, ContentLength -1", "PUT", func() io.Reader { return onlyReader{strings.NewReader("minus one")} }, -1, `PUT HOST /p?q=1 len=-1 te=[chunked] body="minus one"`},
		{"POST NoBody", "POST", func() io.Reader { return http.NoBody }, 0, `POST HOST /p?q=1 len=0 te=[] body=""`},
		{"DELETE", "DELETE", nil, 0, `DELETE HOST /p?q=1 len=0 te=[] body=""`},
	}
	host := strings.TrimPrefix(ts.URL, "http://")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != nil {
				body = tt.body()
			}
			req, err := http.NewRequest(tt.method, ts.URL+"/p?q=1", body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.length == -1 {
				req.ContentLength = -1
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Replace(tt.want, "HOST", host, 1)
			if string(got) != want {
				t.Errorf("server saw %s\nwant          %s", got, want)
			}
		})
	}
}

func TestRoundTripperResponseFields(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-One", "1")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "5")
		w.WriteHeader(299)
		io.WriteString(w, "hello")
	}))
	defer ts.Close()
	resp, body := do(t, rtClient(t, nil), "GET", ts.URL, "")
	if resp.StatusCode != 299 || resp.Status != "299 status code 299" {
		t.Errorf("status %d %q", resp.StatusCode, resp.Status)
	}
	if resp.Proto != "HTTP/1.1" || resp.ProtoMajor != 1 || resp.ProtoMinor != 1 {
		t.Errorf("proto %q %d.%d", resp.Proto, resp.ProtoMajor, resp.ProtoMinor)
	}
	if body != "hello" || resp.ContentLength != 5 || resp.Header.Get("Content-Length") != "5" {
		t.Errorf("body %q, ContentLength %d, header %v", body, resp.ContentLength, resp.Header)
	}
	if got := resp.Header["Set-Cookie"]; len(got) != 2 || got[0] != "a=1" || got[1] != "b=2" {
		t.Errorf("Set-Cookie %q", got)
	}
	if resp.Header.Get("X-One") != "1" || resp.Header.Get("Content-Type") != "text/plain" || resp.Header.Get("Date") == "" {
		t.Errorf("header %v", resp.Header)
	}
	if resp.TLS != nil || resp.Uncompressed || resp.Request == nil || resp.Request.URL.String() != ts.URL {
		t.Errorf("TLS %v, Uncompressed %v, Request %v", resp.TLS, resp.Uncompressed, resp.Request)
	}
}

func TestRoundTripperStatusString(t *testing.T) {
	for _, tt := range []struct {
		code   int
		reason string
		want   string
	}{
		{200, "OK", "200 OK"},
		{404, "Not Found", "404 Not Found"},
		{200, "Fine", "200 Fine"},
		{200, "", "200"},
		{799, "Odd", "799 Odd"},
		{42, "x", "42 x"},
	} {
		if got := statusString(tt.code, []byte(tt.reason)); got != tt.want {
			t.Errorf("statusString(%d, %q) = %q, want %q", tt.code, tt.reason, got, tt.want)
		}
	}
}

func TestRoundTripperTLS(t *testing.T) {
	ts := httptest.NewTLSServer(http.HandlerFunc(echoHandler))
	defer ts.Close()
	roots := ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	c := rtClient(t, &turbohttp.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}})
	resp, body := do(t, c, "POST", ts.URL+"/tls", "secret")
	if resp.TLS == nil || !resp.TLS.HandshakeComplete {
		t.Fatalf("resp.TLS = %v", resp.TLS)
	}
	if !strings.HasSuffix(body, `/tls len=6 te=[] body="secret"`) {
		t.Errorf("body %q", body)
	}
	// Without the roots the handshake fails, surfaced as a *url.Error.
	_, err := rtClient(t, nil).Get(ts.URL)
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Errorf("untrusted certificate: err = %v, want a *url.Error", err)
	}
}

func TestRoundTripperOurServer(t *testing.T) {
	addr := serveNative(t, turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.Path, b)
	}))
	c := rtClient(t, nil)
	for i := range 3 {
		resp, body := do(t, c, "PUT", "http://"+addr+"/ours", "n"+strconv.Itoa(i))
		if want := "PUT /ours n" + strconv.Itoa(i); body != want || resp.StatusCode != 200 {
			t.Errorf("got %d %q, want %q", resp.StatusCode, body, want)
		}
	}
	_, body := do(t, c, "GET", "http://"+addr+"/g", "")
	if body != "GET /g " {
		t.Errorf("GET: %q", body)
	}
}

func TestRoundTripperRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/307", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, "/final", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/302", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, "/final", http.StatusFound)
	})
	mux.HandleFunc("/final", echoHandler)
	ts := httptest.NewServer(mux)
	defer ts.Close()
	c := rtClient(t, nil)
	host := strings.TrimPrefix(ts.URL, "http://")

	// 307 keeps method and body: net/http's Client replays it with GetBody.
	resp, body := do(t, c, "POST", ts.URL+"/307", "payload")
	if want := `POST ` + host + ` /final len=7 te=[] body="payload"`; body != want {
		t.Errorf("after 307: %q, want %q", body, want)
	}
	if resp.Request.URL.Path != "/final" {
		t.Errorf("resp.Request.URL = %v", resp.Request.URL)
	}
	// 302 turns POST into GET without a body.
	_, body = do(t, c, "POST", ts.URL+"/302", "payload")
	if want := `GET ` + host + ` /final len=0 te=[] body=""`; body != want {
		t.Errorf("after 302: %q, want %q", body, want)
	}
}

func TestRoundTripperCookieJar(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s3cr3t", Path: "/"})
		http.Redirect(w, r, "/get", http.StatusFound)
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("Cookie"))
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := rtClient(t, nil)
	c.Jar = jar
	if _, body := do(t, c, "GET", ts.URL+"/set", ""); body != "session=s3cr3t" {
		t.Errorf("cookie on the redirect: %q", body)
	}
	if _, body := do(t, c, "GET", ts.URL+"/get", ""); body != "session=s3cr3t" {
		t.Errorf("cookie on a later request: %q", body)
	}
}

func TestRoundTripperResponseTrailers(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Checksum, X-Count")
		w.WriteHeader(200)
		io.WriteString(w, "body")
		w.(http.Flusher).Flush()
		w.Header().Set("X-Checksum", "abc")
		w.Header().Set("X-Count", "4")
		w.Header().Set(http.TrailerPrefix+"X-Late", "late")
	}))
	defer ts.Close()
	resp, err := rtClient(t, nil).Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" || resp.ContentLength != -1 {
		t.Errorf("TransferEncoding %q, ContentLength %d", resp.TransferEncoding, resp.ContentLength)
	}
	if _, ok := resp.Header["Trailer"]; ok {
		t.Errorf("Trailer left in Header: %v", resp.Header)
	}
	if _, ok := resp.Header["Transfer-Encoding"]; ok {
		t.Errorf("Transfer-Encoding left in Header: %v", resp.Header)
	}
	if len(resp.Trailer) != 2 || resp.Trailer.Get("X-Checksum") != "" {
		t.Errorf("declared trailer before EOF: %v", resp.Trailer)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != "body" {
		t.Fatalf("body %q, %v", b, err)
	}
	if resp.Trailer.Get("X-Checksum") != "abc" || resp.Trailer.Get("X-Count") != "4" || resp.Trailer.Get("X-Late") != "late" {
		t.Errorf("trailer after EOF: %v", resp.Trailer)
	}
}

// trailerBody fills the request's trailer when it reaches its end, as
// net/http allows.
type trailerBody struct {
	r   io.Reader
	req *http.Request
}

func (b *trailerBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.req.Trailer.Set("X-Digest", "d1g3st")
	}
	return n, err
}

func (b *trailerBody) Close() error { return nil }

func TestRoundTripperRequestTrailers(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s te=%v trailer=%v", b, r.TransferEncoding, r.Trailer)
	}))
	defer ts.Close()
	req, err := http.NewRequest("POST", ts.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Body = &trailerBody{r: strings.NewReader("data"), req: req}
	req.Trailer = http.Header{"X-Digest": nil}
	resp, err := rtClient(t, nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := "data te=[chunked] trailer=map[X-Digest:[d1g3st]]"; string(b) != want {
		t.Errorf("server saw %q, want %q", b, want)
	}
}

func TestRoundTripperCancelMidBody(t *testing.T) {
	handlerDone := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(handlerDone)
		io.WriteString(w, "part")
		w.(http.Flusher).Flush()
		<-r.Context().Done() // until the client goes away
	}))
	defer ts.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL, nil)
	resp, err := rtClient(t, nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "part" {
		t.Fatalf("first part %q, %v", buf, err)
	}
	cancel()
	_, err = resp.Body.Read(buf)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: %v, want context.Canceled", err)
	}
	if _, err2 := resp.Body.Read(buf); err2 != err {
		t.Errorf("second read: %v, want the same error", err2)
	}
	resp.Body.Close()
	<-handlerDone // the connection was closed, so the server saw the end
}

func TestRoundTripperCancelBeforeHead(t *testing.T) {
	release, entered := make(chan struct{}), make(chan struct{}, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer ts.Close()
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL, nil)
	errc := make(chan error, 1)
	go func() {
		_, err := rtClient(t, nil).Do(req)
		errc <- err
	}()
	<-entered // the request is out: Do waits for the head
	cancel()
	err := <-errc
	var ue *url.Error
	if !errors.As(err, &ue) || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v (%T), want a *url.Error wrapping context.Canceled", err, err)
	}
}

func TestRoundTripperKeepAlive(t *testing.T) {
	var conns atomic.Int32
	ts := httptest.NewUnstartedServer(http.HandlerFunc(echoHandler))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	defer ts.Close()
	tr := &turbohttp.Transport{}
	c := rtClient(t, tr)
	for i := range 20 {
		body := ""
		if i%2 == 1 {
			body = "odd"
		}
		do(t, c, "POST", ts.URL, body)
	}
	// A body closed unread, with its rest already buffered, keeps the
	// connection too.
	resp, err := c.Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	do(t, c, "GET", ts.URL, "")
	if n := conns.Load(); n != 1 {
		t.Errorf("server saw %d connections, want 1", n)
	}
	host := strings.TrimPrefix(ts.URL, "http://")
	if s := tr.HostStats(host); s.Reuses != 21 || s.Dials != 1 {
		t.Errorf("stats %+v, want 21 reuses and 1 dial", s)
	}
}

func TestRoundTripperNoBodyResponses(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/204":
			w.WriteHeader(204)
		case "/304":
			w.WriteHeader(304)
		case "/empty":
			w.Header().Set("Content-Length", "0")
		default:
			w.Header().Set("Content-Length", "13")
			io.WriteString(w, "Hello, World!")
		}
	}))
	defer ts.Close()
	c := rtClient(t, nil)
	for _, tt := range []struct {
		method, path string
		code         int
		length       int64
	}{
		{"HEAD", "/", 200, 13},
		{"GET", "/204", 204, 0},
		{"GET", "/304", 304, 0},
		{"GET", "/empty", 200, 0},
	} {
		req, _ := http.NewRequest(tt.method, ts.URL+tt.path, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Body != http.NoBody || resp.StatusCode != tt.code || resp.ContentLength != tt.length {
			t.Errorf("%s %s: Body %T, status %d, ContentLength %d", tt.method, tt.path, resp.Body, resp.StatusCode, resp.ContentLength)
		}
		resp.Body.Close()
	}
	do(t, c, "GET", ts.URL, "") // the connection is still good
}

func TestRoundTripperGzip(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			io.WriteString(w, "plain")
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, "zipped")
		zw.Close()
	}))
	defer ts.Close()
	resp, body := do(t, rtClient(t, nil), "GET", ts.URL, "")
	if body != "zipped" || !resp.Uncompressed || resp.Header.Get("Content-Encoding") != "" || resp.ContentLength != -1 {
		t.Errorf("body %q, Uncompressed %v, header %v, ContentLength %d", body, resp.Uncompressed, resp.Header, resp.ContentLength)
	}
	// A caller asking for an encoding itself gets the body as sent.
	req, _ := http.NewRequest("GET", ts.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := rtClient(t, nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Uncompressed || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("explicit Accept-Encoding: Uncompressed %v, header %v", resp.Uncompressed, resp.Header)
	}
}

func TestRoundTripperRequestHead(t *testing.T) {
	var seen http.Header
	var host, uri string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, host, uri = r.Header.Clone(), r.Host, r.RequestURI
	}))
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL+"/a%20b/c?x=1&y=%2F", nil)
	req.Host = "virtual.example:8080"
	req.Header.Set("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.Header.Set("X-Padded", "  trimmed\t")
	req.Header.Set("Host", "ignored.example")
	req.URL.User = url.UserPassword("user", "pass")
	doReq(t, rtClient(t, nil), req)
	if host != "virtual.example:8080" || uri != "/a%20b/c?x=1&y=%2F" {
		t.Errorf("Host %q, RequestURI %q", host, uri)
	}
	if got := seen["X-Multi"]; len(got) != 2 || got[0] != "one" || got[1] != "two" {
		t.Errorf("X-Multi %q", got)
	}
	if seen.Get("X-Padded") != "trimmed" || seen.Get("Authorization") != "Basic dXNlcjpwYXNz" {
		t.Errorf("header %v", seen)
	}
	if len(req.Header) != 3 || req.URL.Host == "virtual.example:8080" {
		t.Errorf("the request was modified: %v %v", req.Header, req.URL)
	}
}

func TestRoundTripperErrorsCloseBody(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()
	ts := httptest.NewServer(http.HandlerFunc(echoHandler))
	defer ts.Close()
	c := rtClient(t, nil)
	tests := []struct {
		name  string
		url   string
		setup func(*http.Request)
		is    error
	}{
		{"connection refused", refused, nil, nil},
		{"invalid header value", ts.URL, func(r *http.Request) { r.Header.Set("X-Bad", "a\nb") }, turbohttp.ErrInvalidHeaderValue},
		{"invalid header name", ts.URL, func(r *http.Request) { r.Header["Bad Name"] = []string{"v"} }, turbohttp.ErrInvalidHeaderName},
		{"invalid method", ts.URL, func(r *http.Request) { r.Method = "B@D" }, turbohttp.ErrInvalidMethod},
		{"body shorter than ContentLength", ts.URL, func(r *http.Request) { r.ContentLength = 100 }, turbohttp.ErrBodyLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &closeTracker{Reader: strings.NewReader("body")}
			req, err := http.NewRequest("POST", tt.url, body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = 4
			if tt.setup != nil {
				tt.setup(req)
			}
			resp, err := c.Do(req)
			var ue *url.Error
			if resp != nil || !errors.As(err, &ue) {
				t.Fatalf("resp %v, err %v (%T), want a *url.Error", resp, err, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err %v, want %v", err, tt.is)
			}
			if body.closed.Load() == 0 {
				t.Error("request body not closed")
			}
		})
	}
	// Refused before anything is converted.
	body := &closeTracker{Reader: strings.NewReader("")}
	if _, err := RoundTripper(nil).RoundTrip(&http.Request{Method: "GET", Body: body}); err != ErrNilURL || body.closed.Load() != 1 {
		t.Errorf("nil URL: %v, closed %d", err, body.closed.Load())
	}
	// Closed on success too.
	body = &closeTracker{Reader: strings.NewReader("ok")}
	req, _ := http.NewRequest("POST", ts.URL, body)
	req.ContentLength = 2
	doReq(t, c, req)
	if body.closed.Load() == 0 {
		t.Error("request body not closed after success")
	}
}

func TestRoundTripperReadAfterClose(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(echoHandler))
	defer ts.Close()
	resp, err := rtClient(t, nil).Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := resp.Body.Read(make([]byte, 1)); err == nil || err == io.EOF {
		t.Errorf("read after close: %v", err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestRoundTripperSwitchingProtocols(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		brw.Flush()
		line, _ := brw.ReadString('\n')
		io.WriteString(c, "echo: "+line)
	}))
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL, nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "echo")
	resp, err := rtClient(t, nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rw, ok := resp.Body.(io.ReadWriter)
	if resp.StatusCode != 101 || !ok {
		t.Fatalf("status %d, Body %T", resp.StatusCode, resp.Body)
	}
	io.WriteString(rw, "hi\n")
	line, err := bufio.NewReader(rw).ReadString('\n')
	if line != "echo: hi\n" {
		t.Errorf("got %q, %v", line, err)
	}
}

func TestRoundTripperConcurrent(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Echo", r.Header.Get("X-Id"))
		w.Write(b)
	}))
	defer ts.Close()
	c := rtClient(t, &turbohttp.Transport{MaxIdleConnsPerHost: 8})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 40 {
				id := fmt.Sprintf("%d-%d", g, i)
				req, _ := http.NewRequest("POST", ts.URL, strings.NewReader(strings.Repeat(id, i)))
				req.Header.Set("X-Id", id)
				resp, err := c.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || string(b) != strings.Repeat(id, i) || resp.Header.Get("X-Echo") != id {
					t.Errorf("%s: body %q, X-Echo %q, %v", id, b, resp.Header.Get("X-Echo"), err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestRoundTripperCloseDuringRead closes a body from another goroutine
// while a Read waits for the server: Close returns at once, and the Read
// fails once the server ends the short body.
func TestRoundTripperCloseDuringRead(t *testing.T) {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "12345")
		w.(http.Flusher).Flush()
		<-release
	}))
	defer ts.Close()
	resp, err := rtClient(t, nil).Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	io.ReadFull(resp.Body, buf)
	readDone := make(chan error, 1)
	go func() {
		_, err := resp.Body.Read(buf)
		readDone <- err
	}()
	resp.Body.Close() // returns while the Read still waits
	close(release)    // the handler returns: the server ends the short body
	if err := <-readDone; err == nil {
		t.Error("read of a truncated body succeeded")
	}
	if _, err := resp.Body.Read(buf); err != errReadOnClosedBody {
		t.Errorf("read after close: %v", err)
	}
}

// TestRoundTripperReplaysWithGetBody has the server close a kept-alive
// connection after reading the second request without answering it: the
// Transport sends the request again on a fresh connection, with a body
// made by Request.GetBody, and closes every body.
func TestRoundTripperReplaysWithGetBody(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c1, err := ln.Accept()
		if err != nil {
			return
		}
		br := bufio.NewReader(c1)
		if req, err := http.ReadRequest(br); err == nil {
			io.Copy(io.Discard, req.Body)
			io.WriteString(c1, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
		}
		if req, err := http.ReadRequest(br); err == nil {
			io.Copy(io.Discard, req.Body)
		}
		c1.Close() // no answer to the second request
		c2, err := ln.Accept()
		if err != nil {
			return
		}
		defer c2.Close()
		if req, err := http.ReadRequest(bufio.NewReader(c2)); err == nil {
			b, _ := io.ReadAll(req.Body)
			fmt.Fprintf(c2, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
		}
	}()
	url := "http://" + ln.Addr().String() + "/"
	tr := &turbohttp.Transport{}
	c := rtClient(t, tr)
	if _, body := do(t, c, "PUT", url, "one"); body != "first" {
		t.Fatalf("first exchange: %q", body)
	}
	body := &closeTracker{Reader: strings.NewReader("two")}
	req, _ := http.NewRequest("PUT", url, body)
	req.ContentLength = 3
	var replays []*closeTracker
	req.GetBody = func() (io.ReadCloser, error) {
		replays = append(replays, &closeTracker{Reader: strings.NewReader("two")})
		return replays[len(replays)-1], nil
	}
	if _, got := doReq(t, c, req); got != "two" {
		t.Errorf("replayed exchange: %q, want %q", got, "two")
	}
	if len(replays) != 1 || replays[0].closed.Load() == 0 || body.closed.Load() == 0 {
		t.Errorf("GetBody calls %d; bodies closed: original %d", len(replays), body.closed.Load())
	}
	if s := tr.Stats(); len(s) != 1 || s[0].Retries != 1 {
		t.Errorf("stats %+v, want 1 retry", s)
	}
}

// TestRoundTripperAllocs checks what the adapter allocates per exchange
// once its pool is warm: the http.Response with its body handle, the
// header map and one string for the header.
func TestRoundTripperAllocs(t *testing.T) {
	url := helloServer(t)
	rt := RoundTripper(&turbohttp.Transport{})
	defer rt.(*TransportAdapter).CloseIdleConnections()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("User-Agent", "allocs")
	buf := make([]byte, 64)
	exchange := func() {
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := readFull(resp.Body, buf); err != nil || n != 13 {
			t.Fatalf("body: %d bytes, %v", n, err)
		}
		resp.Body.Close()
	}
	exchange()
	if n := testing.AllocsPerRun(200, exchange); n > 4 && !raceEnabled {
		t.Errorf("%.1f allocations per exchange, want at most 4", n)
	}
}

// TestRoundTripperClientTimeout: http.Client.Timeout reaches the
// Transport through the request's context.
func TestRoundTripperClientTimeout(t *testing.T) {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer ts.Close()
	defer close(release)
	c := rtClient(t, nil)
	c.Timeout = 20 * time.Millisecond // the server never answers
	_, err := c.Get(ts.URL)
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Errorf("err = %v, want a *url.Error that is a timeout", err)
	}
}

// TestRoundTripperExpectContinue: with "Expect: 100-continue" the body
// goes after the interim 100, which the caller does not see.
func TestRoundTripperExpectContinue(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(echoHandler))
	defer ts.Close()
	req, _ := http.NewRequest("PUT", ts.URL+"/e", strings.NewReader("after 100"))
	req.Header.Set("Expect", "100-continue")
	resp, err := rtClient(t, nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasSuffix(string(b), `/e len=9 te=[] body="after 100"`) {
		t.Errorf("%d %q", resp.StatusCode, b)
	}
}

// TestRoundTripperSkipsInterim: a 103 Early Hints before the final
// response is skipped; its fields do not leak into the final header.
func TestRoundTripperSkipsInterim(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		io.WriteString(w, "final")
	}))
	defer ts.Close()
	resp, body := do(t, rtClient(t, nil), "GET", ts.URL, "")
	if resp.StatusCode != 200 || body != "final" || resp.Header.Get("Link") != "" {
		t.Errorf("%d %q %v", resp.StatusCode, body, resp.Header)
	}
}

// TestRoundTripperConnect sends CONNECT in authority form (URL.Host: the
// Transport does not take the target from req.Host, as net/http does); the
// 2xx answer hands the connection over as a read-write Body.
func TestRoundTripperConnect(t *testing.T) {
	var target string
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "CONNECT" || r.RequestURI != target {
			http.Error(w, r.Method+" "+r.RequestURI, 400)
			return
		}
		c, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		brw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
		brw.Flush()
		line, _ := brw.ReadString('\n')
		io.WriteString(c, "tunnel: "+line)
	}))
	target = ts.Listener.Addr().String()
	ts.Start()
	defer ts.Close()
	req, _ := http.NewRequest("CONNECT", ts.URL, nil)
	resp, err := rtClient(t, nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rw, ok := resp.Body.(io.ReadWriter)
	if resp.StatusCode != 200 || !ok {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d, Body %T %q", resp.StatusCode, resp.Body, b)
	}
	io.WriteString(rw, "hi\n")
	if line, err := bufio.NewReader(rw).ReadString('\n'); line != "tunnel: hi\n" {
		t.Errorf("got %q, %v", line, err)
	}
}

// TestRoundTripperBareRequest calls RoundTrip directly with a request
// built by hand: no Header map, no Method, no context set.
func TestRoundTripperBareRequest(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(echoHandler))
	defer ts.Close()
	u, _ := url.Parse(ts.URL + "/bare")
	rt := RoundTripper(&turbohttp.Transport{})
	defer rt.(*TransportAdapter).CloseIdleConnections()
	resp, err := rt.RoundTrip(&http.Request{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(string(b), "GET ") || !strings.Contains(string(b), " /bare len=0") {
		t.Errorf("server saw %q", b)
	}
}
