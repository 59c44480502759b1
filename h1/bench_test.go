package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
)

// browserGET is a typical browser navigation request: 12 fields, about
// 500 bytes.
const browserGET = "GET /articles/2024/http-parsing?ref=home HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Referer: https://www.example.com/\r\n" +
	"Cookie: session=8f2a9c1e77b04d2e; theme=dark\r\n" +
	"Connection: keep-alive\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Cache-Control: max-age=0\r\n" +
	"\r\n"

// chunkedPOST is a POST whose 1 KiB body comes in four chunks, with a
// trailer.
var chunkedPOST = func() string {
	var b strings.Builder
	b.WriteString("POST /api/upload HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: bench/1.0\r\n" +
		"Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
	for range 4 {
		b.WriteString("100\r\n")
		b.WriteString(strings.Repeat("x", 256))
		b.WriteString("\r\n")
	}
	b.WriteString("0\r\nX-Checksum: 1234\r\n\r\n")
	return b.String()
}()

// turboParser holds what a server connection keeps between requests.
type turboParser struct {
	head    RequestHead
	br      *bufio.Reader
	rd      *bytes.Reader
	body    BodyReader
	scratch []byte
}

func newTurboParser() *turboParser {
	p := &turboParser{rd: bytes.NewReader(nil), scratch: make([]byte, 4096)}
	p.br = bufio.NewReader(p.rd)
	return p
}

// parse parses the request in buf and reads its whole body.
func (p *turboParser) parse(buf []byte) error {
	n, err := ParseRequest(buf, &p.head, nil)
	if err != nil {
		return err
	}
	p.rd.Reset(buf[n:])
	p.br.Reset(p.rd)
	p.body.Reset(p.br, p.head.Framing, nil)
	for {
		if _, err := p.body.Read(p.scratch); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// netHTTPParser does the same with net/http.
type netHTTPParser struct {
	br      *bufio.Reader
	rd      *bytes.Reader
	scratch []byte
}

func newNetHTTPParser() *netHTTPParser {
	p := &netHTTPParser{rd: bytes.NewReader(nil), scratch: make([]byte, 4096)}
	p.br = bufio.NewReader(p.rd)
	return p
}

func (p *netHTTPParser) parse(buf []byte) error {
	p.rd.Reset(buf)
	p.br.Reset(p.rd)
	req, err := http.ReadRequest(p.br)
	if err != nil {
		return err
	}
	for {
		if _, err := req.Body.Read(p.scratch); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// benchPair runs ours and net/http on the same bytes. Besides wall time it
// reports cpu-ns/op, the process's CPU time (user+system, GC included) per
// operation: on a shared machine wall time also counts the time the
// benchmark waited for a CPU, CPU time does not.
func benchPair(b *testing.B, msg string) {
	buf := []byte(msg)
	b.Run("turbohttp", func(b *testing.B) {
		p := newTurboParser()
		runParse(b, buf, p.parse)
	})
	b.Run("nethttp", func(b *testing.B) {
		p := newNetHTTPParser()
		runParse(b, buf, p.parse)
	})
}

func runParse(b *testing.B, buf []byte, parse func([]byte) error) {
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if err := parse(buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// cpuTime returns the CPU time the process has used, in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkParseGET parses a browser GET head, ours beside net/http's
// http.ReadRequest on the same bytes.
func BenchmarkParseGET(b *testing.B) { benchPair(b, browserGET) }

// BenchmarkChunkedPOST parses a POST head and reads its 1 KiB chunked body.
func BenchmarkChunkedPOST(b *testing.B) { benchPair(b, chunkedPOST) }

func BenchmarkAppendResponseHead(b *testing.B) {
	dst := make([]byte, 0, 512)
	date := []byte("Sun, 06 Nov 1994 08:49:37 GMT")
	fields := []Field{{[]byte("Content-Type"), []byte("text/plain; charset=utf-8")}, {[]byte("Server"), []byte("turbohttp")}}
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = AppendResponseHead(dst[:0], 200, date, fields, 13); err != nil {
			b.Fatal(err)
		}
	}
}

// TestZeroAllocs proves that a warm parser allocates nothing per request:
// the browser GET head, and the chunked POST with its body and trailer.
func TestZeroAllocs(t *testing.T) {
	for name, msg := range map[string]string{"GET": browserGET, "chunked POST": chunkedPOST} {
		p := newTurboParser()
		buf := []byte(msg)
		if err := p.parse(buf); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(100, func() {
			if err := p.parse(buf); err != nil {
				t.Fatal(err)
			}
		}); a != 0 {
			t.Errorf("%s: %v allocations per request", name, a)
		}
	}
	p := newTurboParser()
	if err := p.parse([]byte(browserGET)); err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(100, func() {
		v, _ := p.head.Fields.Get("cookie")
		n := p.head.Fields.Count("Sec-Fetch-Mode")
		for w := range p.head.Fields.Values("Accept") {
			n += len(w)
		}
		if len(v) == 0 || n == 0 {
			t.Fatal("lookup failed")
		}
	}); a != 0 {
		t.Errorf("field lookup: %v allocations", a)
	}
	var h ResponseHead
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n")
	if a := testing.AllocsPerRun(100, func() {
		if _, err := ParseResponse(resp, "GET", &h, nil); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("response: %v allocations", a)
	}
	dst := make([]byte, 0, 512)
	date := []byte("Sun, 06 Nov 1994 08:49:37 GMT")
	fields := []Field{{[]byte("Content-Type"), []byte("text/plain")}}
	if a := testing.AllocsPerRun(100, func() {
		dst, _ = AppendResponseHead(dst[:0], 200, date, fields, 13)
		dst, _ = AppendRequestHead(dst, "GET", "/index.html", "a-rather-long-host-name.example.com:8443", fields, NoBody)
		dst = AppendChunk(dst, date)
		dst, _ = AppendChunkedEnd(dst, fields[:0])
	}); a != 0 {
		t.Errorf("writers: %v allocations", a)
	}
}
