package turbohttp

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// dialServer connects to addr; the connection is closed when the test ends.
func dialServer(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// idleConnection dials addr and completes one GET / on the connection,
// which is then idle; br reads whatever the server sends next.
func idleConnection(t testing.TB, addr string) (c net.Conn, br *bufio.Reader) {
	t.Helper()
	c = dialServer(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br = bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	return c, br
}

func hello(w ResponseWriter, r *Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteString("Hello, World!")
}

func TestServerHelloNetHTTPClient(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(hello))
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	for i := 0; i < 3; i++ {
		resp, err := client.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "Hello, World!" || resp.ContentLength != 13 {
			t.Fatalf("got %d %q (length %d)", resp.StatusCode, body, resp.ContentLength)
		}
		if resp.Header.Get("Date") == "" || resp.Header.Get("Content-Type") != "text/plain" {
			t.Errorf("header = %v", resp.Header)
		}
	}
}

// rawExchange sends raw bytes on a new connection and returns everything
// the server sends until it closes the connection or a second passes.
func rawExchange(t *testing.T, addr, in string) string {
	t.Helper()
	c := dialServer(t, addr)
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(c, in); err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(c)
	return string(out)
}

func TestServerPipelining(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Write(r.URL.Path)
	}))
	in := "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	out := rawExchange(t, addr, in)
	br := bufio.NewReader(strings.NewReader(out))
	for _, want := range []string{"/a", "/b", "/c"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("reading response for %s: %v\n%s", want, err, out)
		}
		body, _ := io.ReadAll(resp.Body)
		if string(body) != want {
			t.Errorf("body %q, want %q", body, want)
		}
	}
}
