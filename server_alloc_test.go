package turbohttp

import (
	"bytes"
	"testing"
)

// TestServerHelloZeroAllocs: a native hello-world handler on a kept-alive
// connection allocates nothing per request once warm. The client side is a
// raw connection writing fixed bytes, so every allocation counted is the
// server's.
func TestServerHelloZeroAllocs(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(hello))
	c := dialServer(t, addr)
	req := []byte("GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n")
	resp := make([]byte, 4096)
	want := []byte("\r\n\r\nHello, World!")
	roundTrip := func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		n := 0
		for !bytes.HasSuffix(resp[:n], want) {
			m, err := c.Read(resp[n:])
			if err != nil {
				t.Fatalf("read: %v (got %q)", err, resp[:n])
			}
			n += m
		}
	}
	for i := 0; i < 100; i++ {
		roundTrip()
	}
	if n := testing.AllocsPerRun(1000, roundTrip); n != 0 {
		t.Errorf("%v allocations per request, want 0", n)
	}
}

// BenchmarkServerHello measures a kept-alive request to a native handler,
// client included (a raw connection writing fixed bytes).
func BenchmarkServerHello(b *testing.B) {
	_, addr := startServer(b, HandlerFunc(hello))
	c := dialServer(b, addr)
	req := []byte("GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	resp := make([]byte, 4096)
	want := []byte("\r\n\r\nHello, World!")
	b.ReportAllocs()
	for b.Loop() {
		c.Write(req)
		n := 0
		for !bytes.HasSuffix(resp[:n], want) {
			m, err := c.Read(resp[n:])
			if err != nil {
				b.Fatal(err)
			}
			n += m
		}
	}
}
