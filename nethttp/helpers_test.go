package nethttp

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"turbohttp"
	"turbohttp/turbotest"
)

// startServer serves h through the adapter on a test server, closed at
// the end of the test, and returns its address. configure may change the
// server before it starts.
func startServer(t testing.TB, h http.Handler, configure ...func(*turbohttp.Server)) string {
	t.Helper()
	return serveNative(t, Handler(h), configure...)
}

// serveNative is startServer for a native handler.
func serveNative(t testing.TB, h turbohttp.Handler, configure ...func(*turbohttp.Server)) string {
	ts := turbotest.NewUnstartedServer(h)
	for _, f := range configure {
		f(ts.Config)
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.Listener.Addr().String()
}

// newClient returns a net/http client whose idle connections are closed
// at the end of the test.
func newClient(t testing.TB) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// do sends a request and returns the response with its body read.
func do(t testing.TB, c *http.Client, method, url, body string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	return doReq(t, c, req)
}

// doReq sends req and returns the response with its body read.
func doReq(t testing.TB, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return resp, string(b)
}

// rawConn is a raw HTTP/1.1 client connection for tests that need the
// bytes on the wire.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{Conn: c, br: bufio.NewReader(c)}
}

// readHead reads a response head and returns its lines, status line
// first.
func (rc *rawConn) readHead(t testing.TB) []string {
	t.Helper()
	var lines []string
	for {
		line, err := rc.br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading head after %q: %v", lines, err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return lines
		}
		lines = append(lines, line)
	}
}

// field returns the value of the first field called name in head lines.
func field(lines []string, name string) (string, bool) {
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		if strings.EqualFold(k, name) {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// readBody reads a body of the length its head gives.
func (rc *rawConn) readBody(t testing.TB, lines []string) string {
	t.Helper()
	v, ok := field(lines, "Content-Length")
	if !ok {
		t.Fatalf("no Content-Length in %q", lines)
	}
	n, _ := strconv.Atoi(v)
	b := make([]byte, n)
	if _, err := io.ReadFull(rc.br, b); err != nil {
		t.Fatal(err)
	}
	return string(b)
}
