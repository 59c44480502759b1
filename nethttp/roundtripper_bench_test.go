package nethttp

import (
	"io"
	"net/http"
	"testing"

	"turbohttp"
)

// helloServer serves "Hello, World!" with our native Server, the same for
// every client benchmark.
func helloServer(t testing.TB) string {
	return "http://" + serveNative(t, turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteString("Hello, World!")
	})) + "/hello"
}

// BenchmarkRoundTripper measures a GET through net/http's Client over our
// Transport, body read and closed, against our Server on loopback.
// allocs/op counts the client and the server (which allocates nothing);
// cpu-ns/op is the CPU time of the whole process per request.
func BenchmarkRoundTripper(b *testing.B) {
	c := &http.Client{Transport: RoundTripper(&turbohttp.Transport{})}
	defer c.CloseIdleConnections()
	benchClient(b, c, helloServer(b))
}

// BenchmarkNetHTTPTransport is BenchmarkRoundTripper with net/http's own
// Transport.
func BenchmarkNetHTTPTransport(b *testing.B) {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	benchClient(b, &http.Client{Transport: tr}, helloServer(b))
}

// BenchmarkNativeDo is the same exchange through Transport.Do, for
// reference.
func BenchmarkNativeDo(b *testing.B) {
	url := helloServer(b)
	t := &turbohttp.Transport{}
	defer t.CloseIdleConnections()
	req, resp := new(turbohttp.Request), new(turbohttp.Response)
	if err := req.SetURL(url); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 512)
	measure(b, func() error {
		if err := t.Do(req, resp); err != nil {
			return err
		}
		_, err := readFull(resp.Body, buf)
		resp.Body.Close()
		return err
	})
}

func benchClient(b *testing.B, c *http.Client, url string) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 512)
	measure(b, func() error {
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		_, err = readFull(resp.Body, buf)
		resp.Body.Close()
		return err
	})
}

// measure runs one request per op and reports allocations and the
// process's CPU time per op.
func measure(b *testing.B, do func() error) {
	if err := do(); err != nil { // warm the pool up
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0, ok0 := processCPU()
	n := 0
	for b.Loop() {
		if err := do(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if cpu1, ok1 := processCPU(); ok0 && ok1 && n > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(n), "cpu-ns/op")
	}
}

// readFull reads r to its end into buf, over and over, and returns the
// bytes read.
func readFull(r io.Reader, buf []byte) (int, error) {
	total := 0
	for {
		n, err := r.Read(buf)
		total += n
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
