package turbohttp

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"turbohttp/h1"
)

// FuzzServerConn drives the whole HTTP/1 connection loop — reading heads,
// bodies, pipelining, keep-alive, timeouts, the handler and the response
// writer — with an arbitrary byte stream delivered in arbitrary splits and
// pauses by a client over net.Pipe, in a synctest bubble so that timeouts
// fire in fake time. It asserts:
//   - no panic (one would be logged through ErrorLog, which fails the test);
//   - no goroutine left behind (the bubble must end with every goroutine
//     done);
//   - every byte the server writes parses, strictly, as a sequence of HTTP/1.1
//     responses, one per handler call, in order, with well-formed bodies;
//   - a response the server makes itself for an unreadable request (400,
//     408, 413, 414, 417, 431, 501, 505) is the last: the connection closes
//     after it, within the lingering close;
//   - memory: what one connection allocates is bounded by a constant plus a
//     multiple of its input, whatever lengths the input declares.
func FuzzServerConn(f *testing.F) {
	for _, s := range serverFuzzSeeds() {
		if len(s) < 4<<10 { // a byte at a time, but not for the longest heads (slow under -race)
			f.Add([]byte(s), []byte{0})
		}
		f.Add([]byte(s), []byte{1, 7, 0x83, 200, 3})
		f.Add([]byte(s), []byte{0x7f})
	}
	f.Fuzz(func(t *testing.T, input, splits []byte) {
		if len(input) > 256<<10 {
			return
		}
		var before, after runtime.MemStats
		var wrote int
		runtime.ReadMemStats(&before)
		synctest.Test(t, func(t *testing.T) { wrote = runServerConn(t, input, splits) })
		runtime.ReadMemStats(&after)
		// the test's own copy of the output counts in, a few times over
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20+16*uint64(len(input))+4*uint64(wrote) {
			t.Errorf("a connection fed %d bytes and writing %d allocated %d bytes", len(input), wrote, alloc)
		}
	})
}

// fuzzCalls records the handler calls of one fuzzed connection: the
// method and the mode of each.
type fuzzCalls struct {
	mu    sync.Mutex
	calls []fuzzCall
}

type fuzzCall struct {
	method string
	mode   byte
}

func (fc *fuzzCalls) add(m string, mode byte) {
	fc.mu.Lock()
	fc.calls = append(fc.calls, fuzzCall{m, mode})
	fc.mu.Unlock()
}

// fuzzHandler reads the request body and answers in a way chosen by the
// path's second byte, so that the fuzzer reaches every writer path:
// buffered and streamed bodies, chunked with trailers, a declared length,
// HEAD, 1xx, panics, and a body left unread.
func (fc *fuzzCalls) fuzzHandler(w ResponseWriter, r *Request) {
	var mode byte
	if len(r.URL.Path) > 1 {
		mode = r.URL.Path[1]
	}
	fc.add(r.Method, mode)
	if string(r.URL.Path) == "*" {
		// the server's own answer, run here to be recorded as a call
		generalOptions.ServeHTTP(w, r)
		return
	}
	if mode != 'u' {
		io.Copy(io.Discard, r.Body)
	}
	switch mode {
	case 'c': // streamed, chunked, with trailers
		w.Header().Set("Trailer", "X-Sum")
		w.WriteString("first")
		w.Flush()
		w.Write(bytes.Repeat([]byte("x"), 9000))
		w.Trailer().Set("X-Sum", "42")
	case 'l': // a declared length, honoured
		w.Header().Set("Content-Length", "5")
		w.WriteString("hello")
	case 's': // a declared length, short: the connection must close
		w.Header().Set("Content-Length", "10")
		w.WriteString("short")
	case 'b': // longer than the buffered body: sent chunked or streamed
		w.Write(bytes.Repeat([]byte("y"), 20000))
	case 'i': // an interim response first
		w.WriteHeader(StatusEarlyHints)
		w.WriteHeader(StatusNoContent)
	case 'x':
		r.Context() // starts the watcher once the body is read
		w.WriteString("ctx")
	case 'p':
		panic("fuzz handler panic")
	default:
		fmt.Fprintf(w, "%s %d", r.Method, len(r.URL.Path))
	}
}

// panicLog fails the test on anything logged at error level.
type panicLog struct{ t *testing.T }

func (l panicLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelError }
func (l panicLog) WithAttrs([]slog.Attr) slog.Handler            { return l }
func (l panicLog) WithGroup(string) slog.Handler                 { return l }
func (l panicLog) Handle(_ context.Context, r slog.Record) error {
	var panicked string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "panic" {
			panicked = a.Value.String()
		}
		return true
	})
	if panicked != "fuzz handler panic" {
		l.t.Errorf("server logged %q: %s", r.Message, panicked)
	}
	return nil
}

// runServerConn serves one connection fed input and checks what it wrote.
// splits gives the sizes of the client's writes (1-128 bytes) and, with
// the top bit set, a pause before the write that grows with the byte.
func runServerConn(t *testing.T, input, splits []byte) (wrote int) {
	var calls fuzzCalls
	srv := &Server{
		Handler:     HandlerFunc(calls.fuzzHandler),
		ErrorLog:    slog.New(panicLog{t}),
		ReadTimeout: 30 * time.Second, // a body that never comes must end
		// the handler runs the general OPTIONS handler itself
		DisableGeneralOptionsHandler: true,
		IdleTimeout:                  60 * time.Second,
	}
	client, server := net.Pipe()
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.newConn(server).serve(context.Background())
	}()
	written := make(chan struct{})
	go func() {
		defer close(written)
		for i := 0; len(input) > 0; i++ {
			n, pause := 1, time.Duration(0)
			if len(splits) > 0 {
				s := splits[i%len(splits)]
				n = int(s&0x7f) + 1
				if s&0x80 != 0 {
					pause = time.Duration(s&0x7f) * 200 * time.Millisecond
				}
			}
			time.Sleep(pause) // a slow client, in fake time
			n = min(n, len(input))
			if _, err := client.Write(input[:n]); err != nil {
				return
			}
			input = input[n:]
		}
	}()
	var out bytes.Buffer
	var lastData time.Time // when the last bytes arrived
	buf := make([]byte, 32<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			out.Write(buf[:n])
			lastData = time.Now()
		}
		if err != nil {
			break
		}
	}
	closedAt := time.Now()
	client.Close()
	<-served
	<-written
	calls.mu.Lock()
	defer calls.mu.Unlock()
	checkResponses(t, out.Bytes(), calls.calls)
	if wait := closedAt.Sub(lastData); closesAfter(out.Bytes()) && wait > lingerTime+time.Second {
		t.Fatalf("the connection closed %v after a response that closes it", wait)
	}
	return out.Len()
}

// serverMadeStatus holds the statuses the server answers by itself to a
// request it could not read, closing the connection after.
var serverMadeStatus = map[int]bool{400: true, 408: true, 413: true, 414: true, 417: true, 431: true, 501: true, 505: true}

// checkResponses parses out as the responses to calls, in order, plus at
// most one response the server made itself, after which nothing may
// follow: the connection must have closed.
func checkResponses(t *testing.T, out []byte, calls []fuzzCall) {
	t.Helper()
	// the buffer holds all of out, so the read position is
	// len(out) - br.Buffered()
	br := bufio.NewReaderSize(bytes.NewReader(out), max(len(out), 16))
	var head h1.ResponseHead
	var body h1.BodyReader
	for k := 0; ; k++ {
		if _, err := br.Peek(1); err != nil {
			if k < len(calls) {
				t.Fatalf("%d handler calls, %d responses:\n%q", len(calls), k, out)
			}
			return
		}
		var call fuzzCall
		if k < len(calls) {
			call = calls[k]
		}
		status := readFinalHead(t, br, call.method, &head)
		if head.Tunnel {
			return // what follows is the tunnel's, until the connection closes
		}
		body.Reset(br, head.Framing, nil)
		if _, err := io.Copy(io.Discard, &body); err != nil {
			// only a handler that wrote less than it declared leaves a
			// body short, and the connection then closes
			if call.mode != 's' || br.Buffered() > 0 {
				t.Fatalf("response %d (%d) has a bad body: %v\n%q", k, status, err, out)
			}
			return
		}
		if k < len(calls) && status != 500 {
			continue
		}
		if k >= len(calls) && !serverMadeStatus[status] {
			t.Fatalf("response %d has status %d with no handler call\n%q", k, status, out)
		}
		if br.Buffered() > 0 {
			t.Fatalf("bytes after the %d that ends the connection:\n%q", status, out)
		}
		return
	}
}

// readFinalHead reads the interim responses and the final response head
// from br, returning the final status.
func readFinalHead(t *testing.T, br *bufio.Reader, method string, head *h1.ResponseHead) int {
	t.Helper()
	for {
		buf, _ := br.Peek(br.Buffered())
		n, err := h1.ParseResponse(buf, method, head, nil)
		if err != nil {
			t.Fatalf("invalid response head: %v\n%q", err, buf)
		}
		br.Discard(n)
		if head.Status >= 200 {
			return head.Status
		}
	}
}

// closesAfter reports whether the last response in out announced that the
// connection closes.
func closesAfter(out []byte) bool {
	i := bytes.LastIndex(out, []byte("HTTP/1.1 "))
	return i >= 0 && bytes.Contains(out[i:], []byte("\r\nConnection: close\r\n"))
}

// serverFuzzSeeds are request streams of every class the server must
// handle: the handler's modes, long heads and targets, pipelines, chunked
// bodies, 100-continue, slow and cut-off clients, and the malformed heads
// of h1's tests.
func serverFuzzSeeds() []string {
	get := func(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n" }
	seeds := []string{
		get("/"), get("/c"), get("/l"), get("/s") + get("/"), get("/b"), get("/i"), get("/x"), get("/p") + get("/"),
		get("/a") + get("/c") + get("/b") + "HEAD /l HTTP/1.1\r\nHost: x\r\n\r\n" + get("/i"),
		"GET /" + strings.Repeat("a", 5000) + " HTTP/1.1\r\nHost: x\r\n\r\n" + get("/after"),
		"GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 6000) + "\r\n\r\n" + get("/l"),
		"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 70000) + "\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("A: b\r\n", 1100) + "\r\n",
		"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + get("/"),
		"POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + get("/"),
		"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n" + get("/"),
		"POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + get("/"),
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc" + get("/"),
		"POST /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n",
		"GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + get("/"),
		"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n",
		"GET http://x/abs HTTP/1.1\r\nHost: y\r\n\r\n",
		"\r\n" + get("/"), "GET /", "GET / HTTP/1.1\r\nHost: x\r\n",
		// malformed: each must get its status and a closed connection
		"GET /\r\n\r\n", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
		"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\nab",
		"GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nA : b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\rA: b\r\n\r\n", "GET / HTTP/1.1\nHost: x\n\n",
		"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
		"G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
	}
	var pipeline strings.Builder
	for i := range 50 {
		pipeline.WriteString(get(fmt.Sprintf("/%c%d", "aclbix"[i%6], i)))
	}
	return append(seeds, pipeline.String())
}
