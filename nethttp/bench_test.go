package nethttp

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchRequest is the request the benchmarks send, as a browser-less
// client would.
const benchRequest = "GET /hello/world HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"

func benchMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("Hello, World!"))
	})
	mux.HandleFunc("GET /other", func(w http.ResponseWriter, r *http.Request) {})
	return mux
}

// BenchmarkAdapterServeMux measures a request served by our Server
// through the adapter to net/http's ServeMux, over a kept-alive loopback
// connection; allocs/op counts both sides (the client allocates nothing)
// and cpu-ns/op is the CPU time of the whole process (client included)
// per request.
func BenchmarkAdapterServeMux(b *testing.B) {
	benchRaw(b, startServer(b, benchMux()), 1)
}

// BenchmarkNetHTTPServeMux is BenchmarkAdapterServeMux with net/http's own
// Server.
func BenchmarkNetHTTPServeMux(b *testing.B) {
	benchRaw(b, startNetHTTP(b), 1)
}

// BenchmarkAdapterServeMuxPipelined sends the requests 16 at a time, so
// that the loopback round trip weighs less against the serving work.
func BenchmarkAdapterServeMuxPipelined(b *testing.B) {
	benchRaw(b, startServer(b, benchMux()), 16)
}

// BenchmarkNetHTTPServeMuxPipelined is BenchmarkAdapterServeMuxPipelined
// with net/http's own Server.
func BenchmarkNetHTTPServeMuxPipelined(b *testing.B) {
	benchRaw(b, startNetHTTP(b), 16)
}

func startNetHTTP(b *testing.B) string {
	ts := httptest.NewServer(benchMux())
	b.Cleanup(ts.Close)
	return ts.Listener.Addr().String()
}

// benchRaw sends benchRequest over one connection, depth requests per
// write, and reads each response, without allocating. One op is one
// request.
func benchRaw(b *testing.B, addr string, depth int) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReaderSize(c, 64<<10)
	batch := []byte(strings.Repeat(benchRequest, depth))
	pending := 0
	b.ReportAllocs()
	cpu0, cpuOK := processCPU()
	n := 0
	for b.Loop() {
		if pending == 0 {
			if _, err := c.Write(batch); err != nil {
				b.Fatal(err)
			}
			pending = depth
		}
		if err := readResponse(br); err != nil {
			b.Fatal(err)
		}
		pending--
		n++
	}
	if cpu1, ok := processCPU(); cpuOK && ok && n > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(n), "cpu-ns/op")
	}
	for ; pending > 0; pending-- {
		if err := readResponse(br); err != nil {
			b.Fatal(err)
		}
	}
}

var errBadResponse = bytesError("bad response")

type bytesError string

func (e bytesError) Error() string { return string(e) }

// readResponse reads one 200 response with a Content-Length body.
func readResponse(br *bufio.Reader) error {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return errBadResponse
	}
	n := -1
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			n = 0
			for _, ch := range bytes.TrimSpace(v) {
				n = n*10 + int(ch-'0')
			}
		}
	}
	if n < 0 {
		return errBadResponse
	}
	_, err = br.Discard(n)
	return err
}
