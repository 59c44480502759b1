package nethttp

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"turbohttp"
	"turbohttp/turbotest"
)

// muxForTest is a ServeMux with Go 1.22 patterns.
func muxForTest() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "item %s (pattern %s)", r.PathValue("id"), r.Pattern)
	})
	mux.HandleFunc("GET /files/{path...}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "file %s", r.PathValue("path"))
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		io.Copy(w, r.Body)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "root")
	})
	return mux
}

func TestServeMux(t *testing.T) {
	addr := startServer(t, muxForTest())
	c := newClient(t)
	base := "http://" + addr
	checkRoutes(t, c, base, []route{
		{"GET", "/", "", 200, "root"},
		{"GET", "/items/42", "", 200, "item 42 (pattern GET /items/{id})"},
		{"GET", "/items/caf%C3%A9", "", 200, "item café (pattern GET /items/{id})"},
		{"HEAD", "/items/1", "", 200, ""},
		{"GET", "/files/a/b/c.txt", "", 200, "file a/b/c.txt"},
		{"POST", "/echo", "hello, echo", 200, "hello, echo"},
		{"GET", "/nothing", "", 404, "404 page not found\n"},
		{"DELETE", "/items/1", "", 405, "Method Not Allowed\n"},
		{"GET", "/echo", "", 405, "Method Not Allowed\n"},
	}, func(tt route, resp *http.Response) {
		if tt.status == 405 && resp.Header.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow", tt.method, tt.path)
		}
	})
	// A path to clean is redirected by the mux.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, _ := do(t, c, "GET", base+"/items/../items/7", "")
	if resp.StatusCode != 307 || resp.Header.Get("Location") != "/items/7" {
		t.Errorf("unclean path: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestChi(t *testing.T) {
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Middleware", "yes")
			next.ServeHTTP(w, r)
		})
	})
	r.Get("/users/{user}/posts/{post}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s/%s", chi.URLParam(r, "user"), chi.URLParam(r, "post"))
	})
	r.Route("/api", func(r chi.Router) {
		r.Post("/echo", func(w http.ResponseWriter, r *http.Request) { io.Copy(w, r.Body) })
	})
	addr := startServer(t, r)
	c := newClient(t)
	base := "http://" + addr
	checkRoutes(t, c, base, []route{
		{"GET", "/users/ann/posts/7", "", 200, "ann/7"},
		{"POST", "/api/echo", "chi body", 200, "chi body"},
		{"GET", "/api/echo", "", 405, ""},
		{"GET", "/missing", "", 404, "404 page not found\n"},
	}, func(tt route, resp *http.Response) {
		if resp.Header.Get("X-Middleware") != "yes" {
			t.Errorf("%s %s: middleware header missing", tt.method, tt.path)
		}
	})
}

// route is a request to a router under test and the answer it must get.
type route struct {
	method, path, body string
	status             int
	want               string
}

// checkRoutes sends each request and checks its status and body, then
// hands the response to check for what else the test wants of it.
func checkRoutes(t *testing.T, c *http.Client, base string, routes []route, check func(route, *http.Response)) {
	t.Helper()
	for _, tt := range routes {
		resp, body := do(t, c, tt.method, base+tt.path, tt.body)
		if resp.StatusCode != tt.status || body != tt.want {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, resp.StatusCode, body, tt.status, tt.want)
		}
		check(tt, resp)
	}
}

func TestRequestFields(t *testing.T) {
	got := make(chan *http.Request, 1)
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c := r.Clone(context.Background())
		c.Body = io.NopCloser(bytes.NewReader(body))
		got <- c
	}))
	rc := dialRaw(t, addr)
	io.WriteString(rc, "POST /up/load?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nContent-Type: text/plain\r\n"+
		"Transfer-Encoding: chunked\r\nTrailer: X-Checksum\r\nx-lower: v\r\nConnection: close\r\n\r\n"+
		"5\r\nhello\r\n0\r\nX-Checksum: 42\r\n\r\n")
	r := <-got
	checks := []struct {
		what      string
		got, want any
	}{
		{"Method", r.Method, "POST"},
		{"Proto", r.Proto, "HTTP/1.1"},
		{"ProtoMinor", r.ProtoMinor, 1},
		{"Host", r.Host, "example.com:8080"},
		{"RequestURI", r.RequestURI, "/up/load?x=1"},
		{"URL.Path", r.URL.Path, "/up/load"},
		{"URL.RawQuery", r.URL.RawQuery, "x=1"},
		{"ContentLength", r.ContentLength, int64(-1)},
		{"TransferEncoding", fmt.Sprint(r.TransferEncoding), "[chunked]"},
		{"Close", r.Close, true},
		{"Header", fmt.Sprint(r.Header), "map[Connection:[close] Content-Type:[text/plain] X-Lower:[v]]"},
		{"Trailer", fmt.Sprint(r.Trailer), "map[X-Checksum:[42]]"},
		{"RemoteAddr", r.RemoteAddr, rc.LocalAddr().String()},
		{"TLS", r.TLS == nil, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if body, _ := io.ReadAll(r.Body); string(body) != "hello" {
		t.Errorf("body %q", body)
	}
	if _, _, err := net.SplitHostPort(r.RemoteAddr); err != nil {
		t.Errorf("RemoteAddr %q: %v", r.RemoteAddr, err)
	}
}

func TestRequestTrailerFromNetHTTPClient(t *testing.T) {
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		declared := fmt.Sprint(r.Trailer)
		body, err := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s|%s|%v|%s", declared, body, err, r.Trailer.Get("X-Sum"))
	}))
	req, _ := http.NewRequest("POST", "http://"+addr+"/", io.MultiReader(strings.NewReader("abc")))
	req.Trailer = http.Header{"X-Sum": nil}
	pr, pw := io.Pipe()
	req.Body = pr
	go func() {
		io.WriteString(pw, "abc")
		req.Trailer.Set("X-Sum", "s1")
		pw.Close()
	}()
	resp, err := newClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if want := "map[X-Sum:[]]|abc|<nil>|s1"; string(body) != want {
		t.Errorf("got %q, want %q", body, want)
	}
}

func TestStreamingFlush(t *testing.T) {
	release := make(chan struct{})
	done := make(chan struct{})
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		io.WriteString(w, "first;")
		w.(http.Flusher).Flush()
		<-release // the client must see the first chunk while we wait
		io.WriteString(w, "second")
	}))
	resp, err := newClient(t).Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ContentLength != -1 || len(resp.TransferEncoding) != 1 {
		t.Errorf("length %d, TE %v: not streamed", resp.ContentLength, resp.TransferEncoding)
	}
	buf := make([]byte, len("first;"))
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first;" {
		t.Fatalf("first chunk %q, %v", buf, err)
	}
	select {
	case <-done:
		t.Fatal("handler finished before the client released it")
	default:
	}
	close(release)
	rest, _ := io.ReadAll(resp.Body)
	if string(rest) != "second" {
		t.Errorf("rest %q", rest)
	}
}

func TestResponseTrailers(t *testing.T) {
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Declared")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(200)
		io.WriteString(w, "body")
		w.Header().Set("X-Declared", "d1")
		w.Header().Set(http.TrailerPrefix+"X-Undeclared", "u1")
		w.Header().Set("X-Not-A-Trailer", "ignored")
	}))
	resp, body := do(t, newClient(t), "GET", "http://"+addr+"/", "")
	if body != "body" {
		t.Errorf("body %q", body)
	}
	if resp.Trailer.Get("X-Declared") != "d1" || resp.Trailer.Get("X-Undeclared") != "u1" || resp.Trailer.Get("X-Not-A-Trailer") != "" {
		t.Errorf("trailers %v", resp.Trailer)
	}
	if resp.Header.Get("X-Not-A-Trailer") != "" {
		t.Error("header changed after the head was sent")
	}
}

func TestResponseTrailerPrefixOnly(t *testing.T) {
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "small")
		w.Header().Set(http.TrailerPrefix+"Grpc-Status", "0")
	}))
	rc := dialRaw(t, addr)
	io.WriteString(rc, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	head := rc.readHead(t)
	if te, _ := field(head, "Transfer-Encoding"); te != "chunked" {
		t.Fatalf("head %q: want chunked for trailers", head)
	}
	resp, body := do(t, newClient(t), "GET", "http://"+addr+"/", "")
	if body != "small" || resp.Trailer.Get("Grpc-Status") != "0" {
		t.Errorf("body %q, trailers %v", body, resp.Trailer)
	}
}

func TestWriteHeaderInformational(t *testing.T) {
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusCreated)
		w.WriteHeader(http.StatusInternalServerError) // ignored
		io.WriteString(w, "made")
		w.WriteHeader(http.StatusTeapot) // ignored
	}))
	var mu sync.Mutex
	var got1xx []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		mu.Lock()
		got1xx = append(got1xx, fmt.Sprintf("%d %s", code, h.Get("Link")))
		mu.Unlock()
		return nil
	}}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", "http://"+addr+"/", nil)
	resp, err := newClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || string(body) != "made" || resp.Header.Get("Link") == "" {
		t.Errorf("final %d %q, header %v", resp.StatusCode, body, resp.Header)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got1xx) != 1 || got1xx[0] != "103 </style.css>; rel=preload" {
		t.Errorf("1xx responses %q", got1xx)
	}
}

func TestWriteErrors(t *testing.T) {
	errs := make(chan string, 2)
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "3")
		if r.URL.Path == "/204" {
			w.WriteHeader(204)
		}
		_, err1 := io.WriteString(w, "abc")
		_, err2 := io.WriteString(w, "d")
		errs <- fmt.Sprint(err1 == http.ErrBodyNotAllowed, err2 == http.ErrContentLength || err2 == http.ErrBodyNotAllowed)
	}))
	c := newClient(t)
	resp, body := do(t, c, "GET", "http://"+addr+"/204", "")
	if resp.StatusCode != 204 || body != "" || <-errs != "true true" {
		t.Errorf("204: %d %q", resp.StatusCode, body)
	}
	resp, body = do(t, c, "GET", "http://"+addr+"/", "")
	if e := <-errs; resp.StatusCode != 200 || body != "abc" || e != "false true" {
		t.Errorf("Content-Length: %d %q, errors %s", resp.StatusCode, body, e)
	}
}

func TestHijackUpgradeEcho(t *testing.T) {
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "echo" {
			http.Error(w, "upgrade required", http.StatusUpgradeRequired)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		if _, err := w.Write([]byte("x")); err != http.ErrHijacked {
			t.Errorf("Write after Hijack: %v", err)
		}
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		brw.Flush()
		for {
			line, err := brw.ReadString('\n')
			if err != nil {
				return
			}
			brw.WriteString("echo: " + line)
			brw.Flush()
		}
	}))
	rc := dialRaw(t, addr)
	// The first line rides in the same packet as the head: it must reach
	// the handler through the hijacked reader.
	io.WriteString(rc, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly\n")
	head := rc.readHead(t)
	if head[0] != "HTTP/1.1 101 Switching Protocols" {
		t.Fatalf("head %q", head)
	}
	for _, msg := range []string{"early\n", "one\n", "two\n"} {
		if msg != "early\n" {
			io.WriteString(rc, msg)
		}
		line, err := rc.br.ReadString('\n')
		if err != nil || line != "echo: "+msg {
			t.Fatalf("got %q, %v; want echo of %q", line, err, msg)
		}
	}
}

// TestHijackAfterSwitchingProtocols follows coder/websocket: the handler
// sets the upgrade fields, writes 101 and then hijacks; the head must go
// out, Connection field included, before the handler's own bytes.
func TestHijackAfterSwitchingProtocols(t *testing.T) {
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Upgrade", "websocket")
		w.WriteHeader(http.StatusSwitchingProtocols)
		c, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		brw.WriteString("frames")
		brw.Flush()
	}))
	rc := dialRaw(t, addr)
	io.WriteString(rc, "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	head := rc.readHead(t)
	want := []string{"HTTP/1.1 101 Switching Protocols", "Connection: Upgrade", "Upgrade: websocket"}
	if !slices.Equal(head, want) {
		t.Errorf("head %q, want %q", head, want)
	}
	if rest, _ := io.ReadAll(rc.br); string(rest) != "frames" {
		t.Errorf("after the head: %q", rest)
	}
}

func TestResponseController(t *testing.T) {
	results := make(chan string, 1)
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		errs := []error{
			rc.SetReadDeadline(time.Now().Add(time.Minute)),
			rc.SetWriteDeadline(time.Now().Add(time.Minute)),
			rc.EnableFullDuplex(),
			rc.SetReadDeadline(time.Time{}),
			rc.SetWriteDeadline(time.Time{}),
		}
		io.WriteString(w, "ok")
		errs = append(errs, rc.Flush())
		results <- fmt.Sprint(errs)
	}))
	_, body := do(t, newClient(t), "GET", "http://"+addr+"/", "")
	if got := <-results; body != "ok" || got != "[<nil> <nil> <nil> <nil> <nil> <nil>]" {
		t.Errorf("body %q, errors %s", body, got)
	}
}

func TestFullDuplexEcho(t *testing.T) {
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.EnableFullDuplex(); err != nil {
			t.Error(err)
		}
		buf := make([]byte, 64)
		for {
			n, err := r.Body.Read(buf)
			if n > 0 {
				w.Write(bytes.ToUpper(buf[:n]))
				rc.Flush()
			}
			if err != nil {
				return
			}
		}
	}))
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", "http://"+addr+"/", pr)
	respc := make(chan *http.Response, 1)
	go func() {
		resp, err := newClient(t).Do(req)
		if err != nil {
			t.Error(err)
			pr.Close()
		}
		respc <- resp
	}()
	io.WriteString(pw, "ping")
	resp := <-respc
	if resp == nil {
		t.FailNow()
	}
	defer resp.Body.Close()
	buf := make([]byte, 4)
	for _, msg := range []string{"ping", "pong"} {
		if msg == "pong" {
			io.WriteString(pw, msg)
		}
		if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != strings.ToUpper(msg) {
			t.Fatalf("got %q, %v", buf, err)
		}
	}
	pw.Close()
}

func TestContextCancelledAfterReturn(t *testing.T) {
	ctxs := make(chan context.Context, 1)
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.Context().Err(); err != nil {
			t.Errorf("context already ended: %v", err)
		}
		ctxs <- r.Context()
	}))
	do(t, newClient(t), "GET", "http://"+addr+"/", "")
	<-(<-ctxs).Done() // a context never cancelled hangs the test until it times out
}

// TestWriteAfterDisconnect checks that a handler streaming to a client
// that went away gets a write error. (The HTTP/1 server runs the handler
// inline and does not read meanwhile, so the context ends only when the
// handler returns.)
func TestWriteAfterDisconnect(t *testing.T) {
	started := make(chan struct{})
	ended := make(chan error, 1)
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		rc := http.NewResponseController(w)
		for {
			_, err := io.WriteString(w, "tick\n")
			if err == nil {
				err = rc.Flush()
			}
			if err != nil {
				ended <- err
				return
			}
		}
	}))
	rc := dialRaw(t, addr)
	io.WriteString(rc, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started
	rc.Close()
	if err := <-ended; err == nil { // a handler that never sees it hangs the test
		t.Error("nil error")
	}
}

func TestTLS(t *testing.T) {
	ts := turbotest.NewTLSServer(Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || !r.TLS.HandshakeComplete {
			t.Error("no TLS state")
			return
		}
		fmt.Fprintf(w, "%s %s", tls.VersionName(r.TLS.Version), r.URL.Path)
	})))
	defer ts.Close()
	roots := x509.NewCertPool()
	roots.AddCert(ts.Certificate())
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	addr := ts.Listener.Addr().String()
	resp, err := client.Get("https://" + addr + "/secure")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(string(body), "TLS 1.") || !strings.HasSuffix(string(body), " /secure") {
		t.Errorf("body %q", body)
	}
}

// logBuffer collects a server's log output.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (lb *logBuffer) Write(p []byte) (int, error) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.buf.Write(p)
}

func (lb *logBuffer) String() string {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.buf.String()
}

func TestAbortHandlerClosesConnection(t *testing.T) {
	var logs logBuffer
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}), func(s *turbohttp.Server) { s.ErrorLog = slog.New(slog.NewTextHandler(&logs, nil)) })
	rc := dialRaw(t, addr)
	io.WriteString(rc, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	head := rc.readHead(t)
	if head[0] != "HTTP/1.1 200 OK" {
		t.Fatalf("head %q", head)
	}
	rest, err := io.ReadAll(rc.br)
	if err != nil || strings.HasSuffix(string(rest), "0\r\n\r\n") {
		t.Errorf("after abort: %q, %v; want the connection closed mid-body", rest, err)
	}
	if s := logs.String(); s != "" {
		t.Errorf("abort was logged: %s", s)
	}
}

func TestPanicRecovered(t *testing.T) {
	var logs logBuffer
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/panic":
			panic("boom in handler")
		case "/badcode":
			w.WriteHeader(42)
		}
		io.WriteString(w, "fine")
	}), func(s *turbohttp.Server) { s.ErrorLog = slog.New(slog.NewTextHandler(&logs, nil)) })
	c := newClient(t)
	for _, path := range []string{"/panic", "/badcode"} {
		resp, _ := do(t, c, "GET", "http://"+addr+path, "")
		if resp.StatusCode != 500 {
			t.Errorf("%s: status %d, want 500", path, resp.StatusCode)
		}
	}
	if resp, body := do(t, c, "GET", "http://"+addr+"/", ""); resp.StatusCode != 200 || body != "fine" {
		t.Errorf("after panics: %d %q", resp.StatusCode, body)
	}
	s := logs.String()
	if !strings.Contains(s, "boom in handler") || !strings.Contains(s, "invalid WriteHeader code 42") {
		t.Errorf("panics not logged: %s", s)
	}
	// The stack logged is the handler's, where it panicked.
	if !strings.Contains(s, "nethttp.TestPanicRecovered.func1") {
		t.Errorf("the handler's frame is missing from the stack logged: %s", s)
	}
}

func TestBadTarget(t *testing.T) {
	called := false
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }))
	rc := dialRaw(t, addr)
	io.WriteString(rc, "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n")
	head := rc.readHead(t)
	if head[0] != "HTTP/1.1 400 Bad Request" || called {
		t.Errorf("head %q, handler called %v", head, called)
	}
}

// TestReuseLeavesNothingBehind sends requests on one connection, so that
// the pooled objects are reused, and checks that nothing of a request
// shows in the next.
func TestReuseLeavesNothingBehind(t *testing.T) {
	mux := http.NewServeMux()
	report := func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%v|%q|%v|%v|%s", r.Header, r.PathValue("id"), r.Trailer, r.TransferEncoding, w.Header())
		w.Header().Set("X-Set-By-Handler", r.URL.Path)
	}
	mux.HandleFunc("/items/{id}", report)
	mux.HandleFunc("/", report)
	addr := startServer(t, mux)
	rc := dialRaw(t, addr)
	send := func(req string) string {
		io.WriteString(rc, req)
		head := rc.readHead(t)
		if v, _ := field(head, "Transfer-Encoding"); v == "chunked" {
			t.Fatalf("unexpected chunked response %q", head)
		}
		return rc.readBody(t, head)
	}
	first := send("POST /items/7 HTTP/1.1\r\nHost: x\r\nX-First: 1\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n0\r\nX-T: v\r\n\r\n")
	if first != `map[X-First:[1]]|"7"|map[X-T:[]]|[chunked]|map[]` {
		t.Errorf("first: %s", first)
	}
	second := send("GET /other HTTP/1.1\r\nHost: x\r\n\r\n")
	if second != `map[]|""|map[]|[]|map[]` {
		t.Errorf("second: %s", second)
	}
}

func TestNoReuse(t *testing.T) {
	kept := make(chan *http.Request, 2)
	a := &Adapter{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kept <- r
		io.WriteString(w, r.URL.Path)
	}), NoReuse: true}
	addr := serveNative(t, a)
	c := newClient(t)
	do(t, c, "GET", "http://"+addr+"/one", "")
	do(t, c, "GET", "http://"+addr+"/two", "")
	r1, r2 := <-kept, <-kept
	if r1 == r2 || r1.URL.Path != "/one" || r2.URL.Path != "/two" {
		t.Errorf("requests shared: %p %p %q %q", r1, r2, r1.URL.Path, r2.URL.Path)
	}
}

func TestHeadRequest(t *testing.T) {
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.WriteString(w, "twelve bytes")
		if n != 12 || err != nil {
			t.Errorf("Write on HEAD: %d, %v", n, err)
		}
	}))
	resp, body := do(t, newClient(t), "HEAD", "http://"+addr+"/", "")
	if resp.StatusCode != 200 || body != "" || resp.ContentLength != 12 {
		t.Errorf("HEAD: %d %q length %d", resp.StatusCode, body, resp.ContentLength)
	}
}

// TestAdapterAllocs runs the adapter without a server or pool: a request
// with common header fields costs one allocation (the string of its
// bytes).
func TestAdapterAllocs(t *testing.T) {
	body := []byte("hi")
	a := &Adapter{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header["User-Agent"][0] != "bench" || r.URL.Path != "/x" {
			t.Fatalf("bad request %v", r)
		}
		w.Write(body)
	})}
	rec := &recorder{}
	r := newRequest("GET", "/x?q=1", "Host: example.com", "User-Agent: bench", "Accept: */*", "Accept-Encoding: gzip")
	x := newExchange()
	allocs := testing.AllocsPerRun(100, func() {
		rec.body.Reset()
		rec.header.Reset()
		a.serve(x, rec, r)
		x.release()
	})
	if allocs != 1 {
		t.Errorf("%v allocations per request, want 1", allocs)
	}
}

func TestFileServer(t *testing.T) {
	dir := t.TempDir()
	content := bytes.Repeat([]byte("0123456789abcdef"), 10000)
	if err := os.WriteFile(filepath.Join(dir, "data.bin"), content, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := startServer(t, http.FileServer(http.Dir(dir)))
	c := newClient(t)
	resp, body := do(t, c, "GET", "http://"+addr+"/data.bin", "")
	if resp.StatusCode != 200 || body != string(content) {
		t.Errorf("file: %d, %d bytes", resp.StatusCode, len(body))
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/data.bin", nil)
	req.Header.Set("Range", "bytes=16-31")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 206 || string(part) != string(content[16:32]) {
		t.Errorf("range: %d %q", resp.StatusCode, part)
	}
}

func TestMultipartFilesRemoved(t *testing.T) {
	paths := make(chan string, 1)
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(0); err != nil {
			t.Error(err)
			return
		}
		f, err := r.MultipartForm.File["upload"][0].Open()
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		osf, ok := f.(*os.File)
		if !ok {
			t.Errorf("upload kept in memory (%T)", f)
			return
		}
		paths <- osf.Name()
	}))
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("upload", "a.txt")
	fw.Write(bytes.Repeat([]byte("x"), 1000))
	mw.Close()
	req, _ := http.NewRequest("POST", "http://"+addr+"/", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := newClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	path := <-paths
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("temporary file %s still there: %v", path, err)
	}
}

// TestRequestTargets sends each form of request target and version
// through the server and compares what the handler sees with net/http's
// own server.
func TestRequestTargets(t *testing.T) {
	report := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		fmt.Fprintf(w, "%s|%s|%s|%s|%q|%q|%q|%v|%v", r.Method, r.Proto, r.Host, r.RequestURI,
			r.URL.Scheme, r.URL.Host, r.URL.Path, r.URL.RawQuery, r.Close)
	})
	ours := startServer(t, report)
	theirsSrv := httptest.NewServer(report)
	defer theirsSrv.Close()
	theirs := theirsSrv.Listener.Addr().String()
	for _, req := range []string{
		"GET /p/a%20th?q=1 HTTP/1.1\r\nHost: h.example\r\n\r\n",
		"GET http://abs.example:81/x?y HTTP/1.1\r\nHost: abs.example:81\r\n\r\n",
		"CONNECT tunnel.example:443 HTTP/1.1\r\nHost: tunnel.example:443\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /old HTTP/1.0\r\n\r\n",
		"GET /old-ka HTTP/1.0\r\nConnection: keep-alive\r\nHost: h\r\n\r\n",
	} {
		var got [2]string
		for i, addr := range []string{ours, theirs} {
			rc := dialRaw(t, addr)
			io.WriteString(rc, req)
			head := rc.readHead(t)
			if _, ok := field(head, "Content-Length"); !ok {
				b, _ := io.ReadAll(rc.br)
				got[i] = head[0][len("HTTP/1.x "):] + " " + string(b)
				continue
			}
			// The version of the status line is the server's choice.
			got[i] = head[0][len("HTTP/1.x "):] + " " + rc.readBody(t, head)
		}
		if got[0] != got[1] {
			t.Errorf("%q:\n ours     %s\n net/http %s", req, got[0], got[1])
		}
	}
}

var registerDefault sync.Once

func TestDefaultServeMux(t *testing.T) {
	registerDefault.Do(func() { // DefaultServeMux outlives a test run (-count)
		http.HandleFunc("/nethttp-default-mux", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "default")
		})
	})
	addr := startServer(t, nil)
	if _, body := do(t, newClient(t), "GET", "http://"+addr+"/nethttp-default-mux", ""); body != "default" {
		t.Errorf("body %q", body)
	}
}

// TestGoexitInHandler checks that a handler ending its goroutine with
// runtime.Goexit is not turned into a panic.
func TestGoexitInHandler(t *testing.T) {
	a := &Adapter{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runtime.Goexit()
	})}
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		a.ServeHTTP(&recorder{}, newRequest("GET", "/"))
	}()
	if p := <-done; p != nil {
		t.Errorf("Goexit became a panic: %v", p)
	}
}
