package turbotest

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"turbohttp"
)

func hello(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	w.Header().Set("X-Proto", map[bool]string{true: "tls", false: "plain"}[r.TLS != nil])
	w.WriteString("hello")
}

// get fetches url with c and returns the status, X-Proto and body.
func get(t *testing.T, c *turbohttp.Client, url string) (int, string, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("X-Proto"), string(b)
}

func TestNewServer(t *testing.T) {
	srv := NewServer(turbohttp.HandlerFunc(hello))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q", srv.URL)
	}
	if code, proto, body := get(t, srv.Client(), srv.URL+"/"); code != 200 || proto != "plain" || body != "hello" {
		t.Errorf("got %d %q %q", code, proto, body)
	}
	if srv.Certificate() != nil {
		t.Error("plain server has a certificate")
	}
}

func TestNewTLSServer(t *testing.T) {
	srv := NewTLSServer(turbohttp.HandlerFunc(hello))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") || srv.Certificate() == nil {
		t.Fatalf("URL %q, certificate %v", srv.URL, srv.Certificate())
	}
	if code, proto, body := get(t, srv.Client(), srv.URL+"/"); code != 200 || proto != "tls" || body != "hello" {
		t.Errorf("got %d %q %q", code, proto, body)
	}
	// A client that does not trust the test certificate is refused.
	if _, err := (&turbohttp.Client{Transport: &turbohttp.Transport{}}).Get(srv.URL + "/"); err == nil {
		t.Error("an ordinary client trusted the test certificate")
	}
}

// TestCloseWaitsForHandlers checks that Close returns only after an active
// handler has returned.
func TestCloseWaitsForHandlers(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	srv := NewServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		close(entered)
		<-release
		finished.Store(true)
	}))
	got := make(chan int, 1)
	go func() {
		code, _, _ := get(t, srv.Client(), srv.URL+"/")
		got <- code
	}()
	<-entered
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	close(release)
	<-closed
	if !finished.Load() {
		t.Fatal("Close returned before the handler did")
	}
	if code := <-got; code != 200 {
		t.Errorf("in-flight request got %d", code)
	}
}

// TestCloseClosesQuietConns checks that Close ends a connection that never
// sent a request and one left idle, instead of waiting for them.
func TestCloseClosesQuietConns(t *testing.T) {
	srv := NewServer(turbohttp.HandlerFunc(hello))
	silent, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	idle, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(idle)
	if line, err := br.ReadString('\n'); err != nil || line != "HTTP/1.1 200 OK\r\n" {
		t.Fatalf("status line %q, %v", line, err)
	}
	srv.Close()
	for _, r := range []io.Reader{silent, br} {
		if _, err := io.ReadAll(r); err != nil {
			t.Errorf("reading until close: %v", err)
		}
	}
	srv.Close() // a second Close is harmless
}

func TestUnstartedServerConfig(t *testing.T) {
	srv := NewUnstartedServer(turbohttp.HandlerFunc(hello))
	var states atomic.Int32
	srv.Config.ConnState = func(net.Conn, turbohttp.ConnState) { states.Add(1) }
	srv.Config.DisableKeepAlives = true
	srv.Start()
	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if !resp.Close {
		t.Error("DisableKeepAlives set before Start was not applied")
	}
	srv.Close()
	if states.Load() == 0 {
		t.Error("the caller's ConnState hook was not called")
	}
}

func TestCloseClientConnections(t *testing.T) {
	entered := make(chan struct{})
	srv := NewServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		w.WriteHeader(200)
		w.Flush()
		close(entered)
		<-r.Context().Done()
	}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	<-entered
	srv.CloseClientConnections()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("body of a closed connection read to a clean end")
	}
}
