package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// runLoadJSON runs load with -json and decodes its summary.
func runLoadJSON(t *testing.T, args ...string) loadSummary {
	t.Helper()
	code, out, errOut := runCmd(t, append([]string{"load", "-json"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var s loadSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	return s
}

// checkMonotone checks the order of the latency figures.
func checkMonotone(t *testing.T, l latencySummary) {
	t.Helper()
	if !(0 < l.Min && l.Min <= l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max) ||
		l.Mean < float64(l.Min) || l.Mean > float64(l.Max) {
		t.Errorf("latencies out of order: %+v", l)
	}
}

func TestLoadRequests(t *testing.T) {
	base, _ := serveURLs(t)
	s := runLoadJSON(t, "-n", "200", "-c", "4", base)
	if s.Requests != 200 || s.Responses != 200 || s.Errors != 0 || s.Status["200"] != 200 || len(s.Status) != 1 {
		t.Fatalf("summary %+v", s)
	}
	if s.BodyBytes != 200*13 || s.Dials < 1 || s.Dials > 4 || s.Aborted != 0 || s.Connections != 4 {
		t.Errorf("bytes %d, dials %d, aborted %d", s.BodyBytes, s.Dials, s.Aborted)
	}
	checkMonotone(t, s.LatencyMicros)
}

func TestLoadDefaultsAndText(t *testing.T) {
	base, _ := serveURLs(t)
	code, out, errOut := runCmd(t, "load", base+"status/201", "-c", "3")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"Requests:            200 (200 responses, 0 errors)", "[201]  200 responses", "p99.9", "Requests/sec:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestLoadJSONFields(t *testing.T) {
	base, _ := serveURLs(t)
	_, out, _ := runCmd(t, "load", "-json", "-n", "10", "-c", "2", base)
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"url", "method", "connections", "streams", "protocols", "seconds", "requests", "responses", "errors", "aborted",
		"requests_per_second", "body_bytes", "status", "error_kinds", "latency_us", "dials", "interrupted"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q in %s", k, out)
		}
	}
	lat, _ := m["latency_us"].(map[string]any)
	for _, k := range []string{"min", "mean", "p50", "p90", "p99", "p99_9", "max"} {
		if _, ok := lat[k]; !ok {
			t.Errorf("no latency_us.%s in %s", k, out)
		}
	}
}

func TestLoadDuration(t *testing.T) {
	base, _ := serveURLs(t)
	s := runLoadJSON(t, "-d", "300ms", "-c", "2", base)
	if s.Responses == 0 || s.Errors != 0 || s.Seconds < 0.3 {
		t.Fatalf("summary %+v", s)
	}
	// Requests in flight when -d ends are cut off, not waited for: none of
	// these is ever answered.
	s = runLoadJSON(t, "-d", "300ms", "-c", "3", stalledServer(t))
	if s.Responses != 0 || s.Errors != 0 || s.Aborted != 3 {
		t.Fatalf("cut off: %+v", s)
	}
}

// TestLoadDurationStuckUploads: -d ends the run even when every request is
// stuck uploading a large body to a server that reads the head and then
// nothing, or answers at once and never finishes its response; the
// requests are counted as cut off.
func TestLoadDurationStuckUploads(t *testing.T) {
	for name, answer := range map[string]string{
		"silent":        "",
		"answers early": "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc",
		"rejects early": "HTTP/1.1 413 Content Too Large\r\nContent-Length: 100\r\n\r\nabc",
	} {
		t.Run(name, func(t *testing.T) {
			url := stuckServer(t, answer)
			body := filepath.Join(t.TempDir(), "body")
			if err := os.WriteFile(body, bytes.Repeat([]byte("x"), 16<<20), 0o600); err != nil {
				t.Fatal(err)
			}
			s := runLoadJSON(t, "-d", "300ms", "-c", "3", "-m", "POST", "-B", "@"+body, url)
			t.Logf("%.3f s", s.Seconds)
			if s.Responses != 0 || s.Errors != 0 || s.Aborted != 3 {
				t.Fatalf("summary %+v", s)
			}
		})
	}
}

// stuckServer reads each request head, writes answer (maybe nothing) and
// then holds the connection without reading until the test ends.
func stuckServer(t *testing.T, answer string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadSlice('\n')
					if err != nil || len(line) == 2 {
						break
					}
				}
				io.WriteString(c, answer)
				<-t.Context().Done()
			})
		}
	})
	return "http://" + ln.Addr().String() + "/"
}

// TestLoadConnAbortSticks: once the run has stopped, a deadline the
// Transport sets (or clears) on a connection does not revive it.
func TestLoadConnAbortSticks(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	r := &loadRun{opts: &loadOptions{}}
	lc := &loadConn{Conn: a, r: r}
	r.conns.add(lc)
	r.stopped.Store(true)
	r.conns.abort()
	lc.SetReadDeadline(time.Time{})
	lc.SetWriteDeadline(time.Now().Add(time.Hour))
	lc.SetDeadline(time.Time{})
	if _, err := lc.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read after abort: %v", err)
	}
	if _, err := lc.Write([]byte("x")); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write after abort: %v", err)
	}
}

func TestLoadRefused(t *testing.T) {
	s := runLoadJSON(t, "-n", "20", "-c", "2", "http://"+refusedAddr(t)+"/")
	if s.Requests != 20 || s.Errors != 20 || s.Responses != 0 || len(s.ErrorKinds) != 1 ||
		s.ErrorKinds[0].Kind != "connect" || s.ErrorKinds[0].Count != 20 ||
		!strings.Contains(s.ErrorKinds[0].Message, "refused") {
		t.Fatalf("summary %+v", s)
	}
	if s.LatencyMicros != (latencySummary{}) {
		t.Errorf("latency without responses: %+v", s.LatencyMicros)
	}
}

func TestLoadTimeout(t *testing.T) {
	s := runLoadJSON(t, "-n", "2", "-c", "1", "--timeout", "100ms", stalledServer(t))
	if s.Errors != 2 || s.ErrorKinds[0].Kind != "timeout" {
		t.Fatalf("summary %+v", s)
	}
}

func TestLoadBodyAndTLS(t *testing.T) {
	base, secure := serveURLs(t)
	s := runLoadJSON(t, "-n", "20", "-c", "2", "-m", "POST", "-b", "hello", "-H", "Content-Type: text/x", base+"echo")
	if s.Status["200"] != 20 || s.BodyBytes != 20*5 {
		t.Fatalf("POST -b: %+v", s)
	}
	old := stdin
	stdin = strings.NewReader("0123456789")
	defer func() { stdin = old }()
	s = runLoadJSON(t, "-n", "20", "-c", "2", "-m", "PUT", "-B", "@-", "-k", secure+"echo")
	if s.Status["200"] != 20 || s.BodyBytes != 20*10 {
		t.Fatalf("PUT -B over TLS: %+v", s)
	}
	s = runLoadJSON(t, "-n", "4", "-c", "2", secure)
	if s.Errors != 4 || s.ErrorKinds[0].Kind != "certificate" {
		t.Fatalf("TLS without -k: %+v", s)
	}
}

func TestLoadUsage(t *testing.T) {
	for _, args := range [][]string{
		{"load"},
		{"load", "-n", "10", "-d", "1s", "http://a/"},
		{"load", "-c", "0", "http://a/"},
		{"load", "-n", "0", "http://a/"},
		{"load", "-d", "-1s", "http://a/"},
		{"load", "-b", "x", "-B", "@f", "http://a/"},
		{"load", "-B", "@/nonexistent/file", "http://a/"},
		{"load", "ftp://a/"},
		{"load", "-c", "10001", "http://a/"},
		{"load", "-m", "G T", "http://a/"},
	} {
		if code, _, errOut := runCmd(t, args...); code != exitUsage {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	start := time.Unix(100, 0)
	p := progressLine{w: &b, start: start}
	p.draw(start.Add(500*time.Millisecond), progressCounts{done: 1000, failed: 2})
	p.draw(start.Add(time.Second), progressCounts{done: 1500, failed: 2})
	p.clear()
	line2 := "   1.0s  1500 requests  1000 req/s  2 errors"
	want := "\r   0.5s  1000 requests  2000 req/s  2 errors" +
		"\r" + line2 + "\r" + strings.Repeat(" ", len(line2)) + "\r"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
	(&progressLine{}).draw(start, progressCounts{}) // nil writer: nothing, no panic
}

// cannedHTTP serves every request head with the same 13-byte response,
// allocating nothing per request, so that AllocsPerRun (which counts the
// whole process) measures the worker alone.
func cannedHTTP(t testing.TB) string {
	return cannedServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!")
}

// cannedServer answers every request head with response.
func cannedServer(t testing.TB, response string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp := []byte(response)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
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
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return "http://" + ln.Addr().String() + "/"
}

// newTestWorker returns one worker of a run against url.
func newTestWorker(t testing.TB, url string) *worker {
	o, err := parseLoad([]string{"-c", "1", "-H", "X-Test: 1", url}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := newLoadRun(o)
	t.Cleanup(r.closeIdle)
	t.Cleanup(r.cancelStop)
	w, err := newWorker(r, r.trs[0])
	if err != nil {
		t.Fatal(err)
	}
	r.workers = []*worker{w}
	return w
}

// TestLoadStepAllocs proves the worker's loop allocation-free in steady
// state: one step is a request sent, its body read and closed, and the
// outcome recorded.
func TestLoadStepAllocs(t *testing.T) {
	w := newTestWorker(t, cannedHTTP(t))
	for range 10 {
		w.step()
	}
	allocs := testing.AllocsPerRun(500, w.step)
	if allocs != 0 {
		t.Errorf("%v allocations per step, want 0", allocs)
	}
	if w.status[200] != 10+501 || w.bodyBytes != 13*511 {
		t.Errorf("status 200: %d, bytes %d", w.status[200], w.bodyBytes)
	}
	// Against serve (server in the same process, so its allocations
	// count too): logged, not asserted.
	base, secure := serveURLs(t)
	for _, url := range []string{base, secure} {
		w = newTestWorker(t, url)
		w.r.opts.insecure = true
		w.tr.TLSClientConfig = tlsConfigInsecure(true)
		for range 10 {
			w.step()
		}
		allocs := testing.AllocsPerRun(500, w.step)
		if w.status[200] != 511 {
			t.Errorf("%s: %d responses of 511", url, w.status[200])
		}
		t.Logf("against serve in-process, %s: %v allocations per step (client and server)", url[:5], allocs)
	}
}

func BenchmarkLoadStep(b *testing.B) {
	w := newTestWorker(b, cannedHTTP(b))
	w.step()
	b.ReportAllocs()
	for b.Loop() {
		w.step()
	}
	if w.status[200] == 0 {
		b.Fatal("no responses")
	}
}

func TestLoadInterrupted(t *testing.T) {
	base, _ := serveURLs(t)
	o, err := parseLoad([]string{"-d", "1h", "-c", "2", base}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as if SIGINT came at once
	s, err := runLoadTest(ctx, o, nil)
	if err != nil || !s.Interrupted || s.Errors != 0 {
		t.Fatalf("%v %+v", err, s)
	}
}

// TestLoadStatusOutOfRange: a status code past 599 is a malformed
// response (the Transport refuses it), counted as an error of that kind.
func TestLoadStatusOutOfRange(t *testing.T) {
	url := cannedServer(t, "HTTP/1.1 799 Odd\r\nContent-Length: 2\r\n\r\nok")
	s := runLoadJSON(t, "-n", "5", "-c", "1", url)
	if s.Errors != 5 || s.Responses != 0 || len(s.ErrorKinds) != 1 || s.ErrorKinds[0].Kind != "malformed" {
		t.Fatalf("summary %+v", s)
	}
}
