package turbohttp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// Side-by-side tests: our Transport and net/http's on the same in-process
// servers (ours and net/http's), over an in-memory network of net.Pipe
// connections inside a testing/synctest bubble. Time is fake, so "about as
// long as" is exact, and a deadlock is reported at once by synctest
// instead of hanging.

// sideServer is one of the two servers every side-by-side test runs on.
type sideServer struct {
	name  string
	serve func(pn *memListener, h http.HandlerFunc) (stop func())
}

var sideServers = []sideServer{
	{"nethttp-server", func(pn *memListener, h http.HandlerFunc) func() {
		srv := &http.Server{Handler: h}
		done := make(chan struct{})
		go func() { srv.Serve(pn); close(done) }()
		return func() {
			srv.Close()
			pn.Close()
			<-done
			// net/http lingers half a second on a connection it closes
			// after an unread body (rstAvoidanceDelay); fake time.
			time.Sleep(time.Second)
		}
	}},
	{"turbohttp-server", func(pn *memListener, h http.HandlerFunc) func() {
		srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) { serveAsNetHTTP(h, w, r) })}
		done := make(chan struct{})
		go func() { srv.Serve(pn); close(done) }()
		return func() { srv.Close(); pn.Close(); <-done }
	}},
}

// sideClient is one of the two clients: it sends a request and returns
// the status and a reader of the body, which the caller must close.
type sideClient struct {
	name string
	// make returns the client's round trip and a function closing its
	// idle connections.
	make func(pn *memListener, maxConns int) (rt func(ctx context.Context, method, path string, body io.Reader, n int64) (int, io.ReadCloser, error), closeIdle func())
}

var sideClients = []sideClient{
	{"nethttp-transport", func(pn *memListener, maxConns int) (func(context.Context, string, string, io.Reader, int64) (int, io.ReadCloser, error), func()) {
		tr := &http.Transport{DialContext: pn.DialContext, MaxConnsPerHost: maxConns, MaxIdleConnsPerHost: 16}
		return func(ctx context.Context, method, path string, body io.Reader, n int64) (int, io.ReadCloser, error) {
			req, err := http.NewRequestWithContext(ctx, method, "http://pipe"+path, body)
			if err != nil {
				return 0, nil, err
			}
			req.ContentLength = n
			resp, err := tr.RoundTrip(req)
			if err != nil {
				return 0, nil, err
			}
			return resp.StatusCode, resp.Body, nil
		}, tr.CloseIdleConnections
	}},
	{"turbohttp-transport", func(pn *memListener, maxConns int) (func(context.Context, string, string, io.Reader, int64) (int, io.ReadCloser, error), func()) {
		tr := &Transport{DialContext: pn.DialContext, MaxConnsPerHost: maxConns}
		return func(ctx context.Context, method, path string, body io.Reader, n int64) (int, io.ReadCloser, error) {
			req := &Request{Method: method, Body: body, ContentLength: n}
			if err := req.SetURL("http://pipe" + path); err != nil {
				return 0, nil, err
			}
			req.SetContext(ctx)
			resp := &Response{}
			if err := tr.Do(req, resp); err != nil {
				return 0, nil, err
			}
			return resp.StatusCode, readCloser{resp.Body}, nil
		}, tr.CloseIdleConnections
	}},
}

// readCloser adapts a Response.Body to io.ReadCloser.
type readCloser struct{ r io.Reader }

func (rc readCloser) Read(p []byte) (int, error) { return rc.r.Read(p) }
func (rc readCloser) Close() error {
	if c, ok := rc.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// serveAsNetHTTP runs a net/http handler on our server through a minimal
// bridge (the tests' handlers use only WriteHeader, Write, Flush, the
// body and the full-duplex switch).
func serveAsNetHTTP(h http.HandlerFunc, w ResponseWriter, r *Request) {
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, "http://pipe"+string(r.URL.Path), io.NopCloser(r.Body))
	req.ContentLength = r.ContentLength
	h(&bridgeWriter{w: w, h: http.Header{}}, req)
}

type bridgeWriter struct {
	w     ResponseWriter
	h     http.Header
	wrote bool
}

func (b *bridgeWriter) Header() http.Header { return b.h }
func (b *bridgeWriter) WriteHeader(code int) {
	if b.wrote {
		return
	}
	b.wrote = true
	for k, vs := range b.h {
		for _, v := range vs {
			b.w.Header().Add(k, v)
		}
	}
	b.w.WriteHeader(code)
}
func (b *bridgeWriter) Write(p []byte) (int, error) {
	b.WriteHeader(200)
	return b.w.Write(p)
}
func (b *bridgeWriter) Flush() {
	b.WriteHeader(200)
	b.w.Flush()
}

// EnableFullDuplex is what http.ResponseController looks for; our server
// reads the body while the handler writes in any case.
func (b *bridgeWriter) EnableFullDuplex() error { return nil }

// sideBySide runs f for every client on every server, each in its own
// synctest bubble on a fresh memListener, and logs what each pair measured.
func sideBySide(t *testing.T, h http.HandlerFunc, f func(t *testing.T, pn *memListener, c sideClient) string) {
	for _, s := range sideServers {
		for _, c := range sideClients {
			t.Run(s.name+"/"+c.name, func(t *testing.T) {
				var got string
				runBubble(t, func(t *testing.T) {
					pn := newMemListener()
					stop := s.serve(pn, h)
					defer stop()
					got = f(t, pn, c)
				})
				t.Logf("%s on %s: %s", c.name, s.name, got)
			})
		}
	}
}

// patternReader yields n bytes of a fixed pattern without holding them:
// byte i is i mod 251 (a prime, so that a lost or repeated chunk of any
// power-of-two size shows).
type patternReader struct{ off, n int64 }

const patternPeriod = 251

// patternTable holds the pattern from every phase for one 64 KiB read.
var patternTable = func() []byte {
	b := make([]byte, 64<<10+patternPeriod)
	for i := range b {
		b[i] = byte(i % patternPeriod)
	}
	return b
}()

// patternAt returns the pattern from offset off, up to 64 KiB long.
func patternAt(off int64, n int) []byte {
	phase := int(off % patternPeriod)
	return patternTable[phase : phase+min(n, 64<<10)]
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	n := copy(b[:min(int64(len(b)), p.n-p.off)], patternAt(p.off, len(b)))
	p.off += int64(n)
	return n, nil
}

// checkPattern reads r to its end and checks it is the pattern of
// patternReader; sample, if set, is called every 8 MiB.
func checkPattern(r io.Reader, sample func()) (int64, error) {
	buf := make([]byte, 32<<10)
	var off int64
	next := int64(0)
	for {
		n, err := r.Read(buf)
		if !bytes.Equal(buf[:n], patternAt(off, n)) {
			return off, errors.New("echoed bytes differ")
		}
		off += int64(n)
		if sample != nil && off >= next {
			sample()
			next = off + 8<<20
		}
		if err == io.EOF {
			return off, nil
		}
		if err != nil {
			return off, err
		}
	}
}

// fullDuplexEcho echoes the request body as it reads it, with net/http's
// EnableFullDuplex (HTTP/1.1 servers otherwise stop reading the body once
// the response has started).
func fullDuplexEcho(w http.ResponseWriter, r *http.Request) {
	http.NewResponseController(w).EnableFullDuplex()
	w.WriteHeader(200)
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			http.NewResponseController(w).Flush()
		}
		if err != nil {
			return
		}
	}
}

// TestSideBySideFullDuplexEcho: a 64 MiB POST to a full-duplex echo
// completes. A half-duplex client deadlocks here (synctest reports it).
func TestSideBySideFullDuplexEcho(t *testing.T) {
	const size = 64 << 20
	for _, chunked := range []bool{false, true} {
		name := "content-length"
		if chunked {
			name = "chunked"
		}
		t.Run(name, func(t *testing.T) {
			sideBySide(t, fullDuplexEcho, func(t *testing.T, pn *memListener, c sideClient) string {
				rt, closeIdle := c.make(pn, 0)
				defer closeIdle()
				n := int64(size)
				if chunked {
					n = -1
				}
				code, body, err := rt(context.Background(), "POST", "/echo", &patternReader{n: size}, n)
				if err != nil {
					t.Fatal(err)
				}
				got, err := checkPattern(body, nil)
				body.Close()
				if err != nil || got != size || code != 200 {
					t.Fatalf("echo: %d, %d bytes of %d, %v", code, got, size, err)
				}
				return "64 MiB echoed"
			})
		})
	}
}

// TestSideBySideFullDuplexEcho1GiB: a 1 GiB full-duplex echo completes, and
// our client's heap grows by less than 32 MiB at its peak (sampled every
// 8 MiB; the in-process server's heap is counted too).
func TestSideBySideFullDuplexEcho1GiB(t *testing.T) {
	const size = 1 << 30
	const maxGrowth = 32 << 20
	for _, c := range sideClients {
		t.Run(c.name, func(t *testing.T) {
			runBubble(t, func(t *testing.T) {
				pn := newMemListener()
				stop := sideServers[0].serve(pn, fullDuplexEcho)
				defer stop()
				rt, closeIdle := c.make(pn, 0)
				defer closeIdle()
				var ms runtimeMemStats
				runtime.GC()
				base := ms.heap()
				peak := base
				code, body, err := rt(context.Background(), "POST", "/echo", &patternReader{n: size}, size)
				if err != nil {
					t.Fatal(err)
				}
				got, err := checkPattern(body, func() { peak = max(peak, ms.heap()) })
				body.Close()
				if err != nil || got != size || code != 200 {
					t.Fatalf("%d: %d bytes of %d: %v", code, got, int64(size), err)
				}
				growth := int64(peak) - int64(base)
				t.Logf("%s: 1 GiB echoed; peak heap growth %.1f MiB", c.name, float64(growth)/(1<<20))
				if c.name == "turbohttp-transport" && growth > maxGrowth {
					t.Fatalf("peak heap growth %d bytes, want under %d", growth, maxGrowth)
				}
			})
		})
	}
}

// TestSideBySideEarly413: the server answers 413 without reading a large
// upload. The answer comes back at once (no fake time passes), and the
// connection is not reused: the next request dials.
func TestSideBySideEarly413(t *testing.T) {
	tooLarge := func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" {
			io.WriteString(w, "ok")
			return
		}
		w.Header().Set("Connection", "close")
		w.WriteHeader(413)
		io.WriteString(w, "too large\n")
	}
	sideBySide(t, tooLarge, func(t *testing.T, pn *memListener, c sideClient) string {
		rt, closeIdle := c.make(pn, 0)
		defer closeIdle()
		const size = 256 << 20
		start := time.Now()
		code, body, err := rt(context.Background(), "POST", "/upload", &patternReader{n: size}, size)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(body)
		body.Close()
		elapsed := time.Since(start)
		if code != 413 || string(b) != "too large\n" || err != nil {
			t.Fatalf("%d %q %v", code, b, err)
		}
		if elapsed != 0 {
			t.Errorf("the 413 took %v of fake time", elapsed)
		}
		getOK(t, rt, "/")
		if d := pn.dials.Load(); d != 2 {
			t.Errorf("%d dials, want 2 (the connection of the 413 not reused)", d)
		}
		return "413 after " + elapsed.String() + ", next request dialed"
	})
}

// slowHandler answers after 50 ms (fake time).
func slowHandler(w http.ResponseWriter, r *http.Request) {
	time.Sleep(50 * time.Millisecond)
	io.WriteString(w, "ok")
}

// roundTripFunc is a side client's round trip.
type roundTripFunc = func(ctx context.Context, method, path string, body io.Reader, n int64) (int, io.ReadCloser, error)

// getOK sends a GET for path and reads the body; the status must be 200.
func getOK(t *testing.T, rt roundTripFunc, path string) {
	t.Helper()
	code, body, err := rt(context.Background(), "GET", path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, body)
	body.Close()
	if code != 200 {
		t.Fatalf("status %d", code)
	}
}

// TestSideBySideSlowDial: request A holds the only connection for 50 ms;
// request B, started meanwhile, begins a dial that takes 1 s. B takes A's
// connection as it is released, 50 ms in, not its own dial's; that dial
// ends by itself and its connection goes to the idle pool.
func TestSideBySideSlowDial(t *testing.T) {
	sideBySide(t, slowHandler, func(t *testing.T, pn *memListener, c sideClient) string {
		pn.gate = func(ctx context.Context, n int64) error {
			if n > 1 {
				time.Sleep(time.Second)
			}
			return nil
		}
		rt, closeIdle := c.make(pn, 0)
		defer closeIdle()
		start := time.Now()
		aDone := make(chan struct{})
		go func() {
			defer close(aDone)
			getOK(t, rt, "/a")
		}()
		time.Sleep(10 * time.Millisecond) // A is in the handler now (fake time)
		bStart := time.Now()
		getOK(t, rt, "/b")
		bWait := time.Since(bStart)
		<-aDone
		if want := 50*time.Millisecond + 50*time.Millisecond - 10*time.Millisecond; bWait != want {
			t.Errorf("B took %v, want %v (A's release, then B's own 50 ms)", bWait, want)
		}
		time.Sleep(time.Second) // the slow dial finishes
		if d := pn.dials.Load(); d != 2 {
			t.Errorf("%d dials, want 2", d)
		}
		getOK(t, rt, "/c")
		if d := pn.dials.Load(); d != 2 {
			t.Errorf("%d dials after the third request, want 2 (the finished dial reused)", d)
		}
		_ = start
		return "B answered after " + bWait.String()
	})
}

// TestSideBySideCancelledDialPooled: a request is cancelled while its dial
// (1 s) is in progress. The dial finishes by itself, its connection goes
// to the pool, and the next request uses it without dialing.
func TestSideBySideCancelledDialPooled(t *testing.T) {
	sideBySide(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") },
		func(t *testing.T, pn *memListener, c sideClient) string {
			pn.gate = func(ctx context.Context, n int64) error {
				time.Sleep(time.Second)
				return nil
			}
			rt, closeIdle := c.make(pn, 0)
			defer closeIdle()
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, _, err := rt(ctx, "GET", "/", nil, 0)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("cancelled request: %v", err)
			}
			gaveUp := time.Since(start)
			if gaveUp != 100*time.Millisecond {
				t.Errorf("the cancelled request returned after %v", gaveUp)
			}
			time.Sleep(time.Second) // the dial finishes
			synctestWait()
			start = time.Now()
			getOK(t, rt, "/")
			if d := pn.dials.Load(); d != 1 {
				t.Errorf("%d dials, want 1: the cancelled request's dial serves the next", d)
			}
			return "cancelled after " + gaveUp.String() + "; next request " + time.Since(start).String() + " with " + itoa(pn.dials.Load()) + " dial(s) in all"
		})
}

// TestSideBySideMaxConnsCountsDials: with MaxConnsPerHost 1, a second
// request made while the first one's dial is in progress does not dial: it
// waits, and both run on the one connection.
func TestSideBySideMaxConnsCountsDials(t *testing.T) {
	sideBySide(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") },
		func(t *testing.T, pn *memListener, c sideClient) string {
			pn.gate = func(ctx context.Context, n int64) error {
				time.Sleep(time.Second)
				return nil
			}
			rt, closeIdle := c.make(pn, 1)
			defer closeIdle()
			var wg sync.WaitGroup
			for range 3 {
				wg.Go(func() { getOK(t, rt, "/") })
			}
			synctestWait()
			if d := pn.dials.Load(); d != 1 {
				t.Errorf("%d dials in progress, want 1", d)
			}
			wg.Wait()
			if d := pn.dials.Load(); d != 1 {
				t.Errorf("%d dials in all, want 1", d)
			}
			return "3 requests, " + itoa(pn.dials.Load()) + " dial(s)"
		})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func runBubble(t *testing.T, f func(t *testing.T)) { synctest.Test(t, f) }

func synctestWait() { synctest.Wait() }

// runtimeMemStats samples the heap.
type runtimeMemStats struct{ ms runtime.MemStats }

// heap returns the bytes of allocated heap objects (live or not yet
// collected).
func (m *runtimeMemStats) heap() uint64 {
	runtime.ReadMemStats(&m.ms)
	return m.ms.HeapAlloc
}
