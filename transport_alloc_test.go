package turbohttp

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// cannedServer answers every request head it reads with a fixed 13-byte
// response; it allocates nothing per request, so AllocsPerRun, which
// counts the whole process, measures the client alone.
func cannedServer(t testing.TB) string {
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!")
	rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		for {
			// Read up to the blank line ending the head.
			for {
				line, err := br.ReadSlice('\n')
				if err != nil {
					return
				}
				if len(line) == 2 {
					break
				}
			}
			if _, err := c.Write(resp); err != nil {
				return
			}
		}
	})
	return rs.addr
}

// nativeGet sends req with the native API and reads the body into buf.
func nativeGet(tb testing.TB, tr *Transport, req *Request, resp *Response, buf []byte) {
	if err := tr.Do(req, resp); err != nil {
		tb.Fatal(err)
	}
	n, err := io.ReadFull(resp.Body, buf[:13])
	if err != nil || n != 13 || resp.StatusCode != 200 {
		tb.Fatalf("read %d %v status %d", n, err, resp.StatusCode)
	}
	resp.Body.Close()
}

func TestTransportZeroAllocs(t *testing.T) {
	for _, srv := range []struct {
		name string
		addr func(testing.TB) string
	}{
		{"canned", cannedServer},
		{"turbohttp-server", func(tb testing.TB) string {
			addr, _ := tpServer(tb, helloHandler)
			return addr
		}},
	} {
		t.Run(srv.name, func(t *testing.T) {
			tr := &Transport{}
			defer tr.CloseIdleConnections()
			req := newReq(t, MethodGet, "http://"+srv.addr(t)+"/hello", nil)
			req.Header.Add("User-Agent", "alloc-test")
			resp := &Response{}
			buf := make([]byte, 64)
			for range 10 { // warm up: dial, grow buffers
				nativeGet(t, tr, req, resp, buf)
			}
			allocs := testing.AllocsPerRun(200, func() { nativeGet(t, tr, req, resp, buf) })
			if srv.name == "canned" && allocs != 0 {
				t.Fatalf("%v allocations per request, want 0", allocs)
			}
			t.Logf("%s: %v allocations per request (client and server)", srv.name, allocs)
			if s := tr.HostStats(string(req.URL.Host)); s.Dials != 1 {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

// reportCPU adds the process's CPU time per operation (client and
// in-process server together) to the benchmark's output, a figure less
// disturbed than wall time on a shared machine.
func reportCPU(b *testing.B, start time.Duration) {
	if cpu := processCPU() - start; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
	}
}

// BenchmarkClient compares the native Transport with net/http's against
// the same local server (our Server), in one run. cpu-µs/op counts client
// and server together.
func BenchmarkClient(b *testing.B) {
	addr, _ := tpServer(b, helloHandler)
	url := "http://" + addr + "/hello"
	b.Run("native", func(b *testing.B) {
		tr := &Transport{}
		defer tr.CloseIdleConnections()
		req := newReq(b, MethodGet, url, nil)
		resp := &Response{}
		buf := make([]byte, 64)
		b.ReportAllocs()
		start := processCPU()
		for b.Loop() {
			nativeGet(b, tr, req, resp, buf)
		}
		reportCPU(b, start)
	})
	b.Run("nethttp-transport", func(b *testing.B) {
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		req, _ := http.NewRequest("GET", url, nil)
		buf := make([]byte, 64)
		b.ReportAllocs()
		start := processCPU()
		for b.Loop() {
			resp, err := tr.RoundTrip(req)
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.ReadFull(resp.Body, buf[:13])
			resp.Body.Close()
			if n != 13 || !bytes.Equal(buf[:13], []byte("Hello, World!")) {
				b.Fatalf("body %q", buf[:n])
			}
		}
		reportCPU(b, start)
	})
}

// BenchmarkIdleProbe measures the check made before reusing an idle
// connection (a non-blocking MSG_PEEK read on Linux).
func BenchmarkIdleProbe(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.Copy(io.Discard, c)
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var ip idleProbe
	ip.init(c)
	b.ReportAllocs()
	for b.Loop() {
		if !ip.quiet() {
			b.Fatal("idle connection reported busy")
		}
	}
}

// TestTransportZeroAllocsSmallPOST: a body of known length up to
// maxInlineBody is written inline by the caller, without the writer
// goroutine of a streamed body, and allocates nothing either.
func TestTransportZeroAllocsSmallPOST(t *testing.T) {
	resp200 := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		for { // allocation-free: AllocsPerRun counts the whole process
			n := 0
			for {
				line, err := br.ReadSlice('\n')
				if err != nil {
					return
				}
				if len(line) == 2 {
					break
				}
				if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
					for _, d := range bytes.TrimSpace(v) {
						n = n*10 + int(d-'0')
					}
				}
			}
			if _, err := br.Discard(n); err != nil {
				return
			}
			if _, err := c.Write(resp200); err != nil {
				return
			}
		}
	})
	tr := &Transport{}
	defer tr.CloseIdleConnections()
	payload := bytes.Repeat([]byte("x"), maxInlineBody)
	var body bytes.Reader
	req := newReq(t, MethodPost, "http://"+rs.addr+"/up", nil)
	req.Body, req.ContentLength = &body, int64(len(payload))
	resp := &Response{}
	buf := make([]byte, 8)
	post := func() {
		body.Reset(payload)
		if err := tr.Do(req, resp); err != nil {
			t.Fatal(err)
		}
		if n, err := io.ReadFull(resp.Body, buf[:2]); n != 2 || err != nil {
			t.Fatal(n, err)
		}
		resp.Body.(io.Closer).Close()
	}
	for range 10 {
		post()
	}
	if allocs := testing.AllocsPerRun(100, post); allocs != 0 {
		t.Fatalf("%v allocations per 64 KiB POST, want 0", allocs)
	}
	if s := tr.HostStats(rs.addr); s.Dials != 1 {
		t.Fatalf("stats %+v", s)
	}
}
