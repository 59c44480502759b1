package nethttp

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
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
// connection; allocs/op counts both sides (the client allocates nothing).
func BenchmarkAdapterServeMux(b *testing.B) {
	addr := startServer(b, benchMux())
	benchRaw(b, addr)
}

// BenchmarkNetHTTPServeMux is BenchmarkAdapterServeMux with net/http's own
// Server.
func BenchmarkNetHTTPServeMux(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: benchMux()}
	go srv.Serve(ln)
	defer srv.Close()
	benchRaw(b, ln.Addr().String())
}

// benchRaw sends benchRequest over one connection and reads each
// response, without allocating.
func benchRaw(b *testing.B, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReaderSize(c, 4096)
	req := []byte(benchRequest)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
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
