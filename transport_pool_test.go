package turbohttp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// remoteAddrHandler answers with the client's address, which names the
// connection a request came on.
func remoteAddrHandler(w ResponseWriter, r *Request) {
	w.WriteString(r.RemoteAddr.String())
}

// hold sends a GET and returns the response with its body unread, holding
// the connection.
func hold(t testing.TB, tr *Transport, url string) *Response {
	t.Helper()
	resp := &Response{}
	if err := tr.Do(newReq(t, MethodGet, url, nil), resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestPoolLIFOReuse(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	addr, _ := tpServer(t, remoteAddrHandler)
	url := "http://" + addr + "/"
	a, b := hold(t, tr, url), hold(t, tr, url)
	connA, connB := readClose(t, a), readClose(t, b) // B returned last
	if connA == connB {
		t.Fatal("two held requests shared a connection")
	}
	if _, got := get(t, tr, url); got != connB {
		t.Fatalf("reused %s, want the most recently used %s", got, connB)
	}
	if s := tr.HostStats(addr); s.Idle != 2 || s.Open != 2 || s.Dials != 2 || s.Reuses != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestPoolMaxConnsPerHostUnderConcurrency(t *testing.T) {
	tr := &Transport{MaxConnsPerHost: 3}
	noLeaks(t, tr)
	var open, maxOpen atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
		// slow answers make requests queue; no assertion depends on
		// how many do
		time.Sleep(time.Millisecond)
		w.WriteString("ok")
	}), ConnState: func(_ net.Conn, s ConnState) {
		switch s {
		case StateNew:
			n := open.Add(1)
			for m := maxOpen.Load(); n > m && !maxOpen.CompareAndSwap(m, n); m = maxOpen.Load() {
			}
		case StateClosed:
			open.Add(-1)
		}
	}}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/"
	var wg sync.WaitGroup
	var maxInUse atomic.Int64
	for range 12 {
		wg.Go(func() {
			for range 5 {
				resp := hold(t, tr, url)
				if s := tr.HostStats(ln.Addr().String()); int64(s.Open) > maxInUse.Load() {
					maxInUse.Store(int64(s.Open))
				}
				readClose(t, resp)
			}
		})
	}
	wg.Wait()
	if m := maxOpen.Load(); m > 3 {
		t.Fatalf("server saw %d connections open at once, MaxConnsPerHost is 3", m)
	}
	s := tr.HostStats(ln.Addr().String())
	if s.Open > 3 || s.Dials > 3 || s.Waiting != 0 || s.InUse != 0 {
		t.Fatalf("stats %+v", s)
	}
	if maxInUse.Load() > 3 {
		t.Fatalf("pool reported %d open", maxInUse.Load())
	}
}

func TestPoolWaitersFIFO(t *testing.T) {
	tr := &Transport{MaxConnsPerHost: 1}
	noLeaks(t, tr)
	var mu sync.Mutex
	var order []string
	addr, _ := tpServer(t, func(w ResponseWriter, r *Request) {
		mu.Lock()
		order = append(order, string(r.URL.Path))
		mu.Unlock()
		w.WriteString("body") // a body to hold the connection with
	})
	base := "http://" + addr
	first := hold(t, tr, base+"/first")
	const n = 5
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { get(t, tr, fmt.Sprintf("%s/w%d", base, i)) })
		waitFor(t, "waiter queued", func() bool { return tr.HostStats(addr).Waiting == i+1 })
	}
	readClose(t, first)
	wg.Wait()
	want := "/first /w0 /w1 /w2 /w3 /w4"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("served in order %s, want %s", got, want)
	}
	if s := tr.HostStats(addr); s.Dials != 1 || s.Open != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestPoolWaiterCancel(t *testing.T) {
	tr := &Transport{MaxConnsPerHost: 1}
	noLeaks(t, tr)
	addr, _ := tpServer(t, helloHandler)
	url := "http://" + addr + "/"
	first := hold(t, tr, url)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req := newReq(t, MethodGet, url, nil)
		req.SetContext(ctx)
		errc <- tr.Do(req, &Response{})
	}()
	waitFor(t, "waiter queued", func() bool { return tr.HostStats(addr).Waiting == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter got %v", err)
	}
	if s := tr.HostStats(addr); s.Waiting != 0 || s.Open != 1 {
		t.Fatalf("stats after cancel %+v", s)
	}
	readClose(t, first)
	if code, _ := get(t, tr, url); code != 200 {
		t.Fatal(code)
	}
	if s := tr.HostStats(addr); s.Dials != 1 || s.Open != 1 || s.Idle != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// TestPoolWaiterGetsSlotOfClosedConn: a waiter is let to dial when a
// connection closes instead of returning.
func TestPoolWaiterGetsSlotOfClosedConn(t *testing.T) {
	tr := &Transport{MaxConnsPerHost: 1}
	noLeaks(t, tr)
	addr, _ := tpServer(t, func(w ResponseWriter, r *Request) {
		if string(r.URL.Path) == "/close" {
			w.Header().Set("Connection", "close")
		}
		w.WriteString("x")
	})
	first := hold(t, tr, "http://"+addr+"/close")
	done := make(chan int)
	go func() { code, _ := get(t, tr, "http://"+addr+"/"); done <- code }()
	waitFor(t, "waiter queued", func() bool { return tr.HostStats(addr).Waiting == 1 })
	readClose(t, first)
	if code := <-done; code != 200 {
		t.Fatal(code)
	}
	if s := tr.HostStats(addr); s.Dials != 2 || s.Open != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestPoolMaxIdleConnsPerHost(t *testing.T) {
	tr := &Transport{MaxIdleConnsPerHost: 2}
	noLeaks(t, tr)
	addr, cc := tpServer(t, helloHandler)
	url := "http://" + addr + "/"
	var held []*Response
	for range 4 {
		held = append(held, hold(t, tr, url))
	}
	for _, r := range held {
		readClose(t, r)
	}
	if s := tr.HostStats(addr); s.Idle != 2 || s.Open != 2 || s.Evictions != 2 {
		t.Fatalf("stats %+v", s)
	}
	if cc.count() != 4 {
		t.Fatalf("%d connections", cc.count())
	}
}

// TestPoolMaxIdleConnsLRU: past MaxIdleConns the least recently used idle
// connection goes, whatever its host.
func TestPoolMaxIdleConnsLRU(t *testing.T) {
	tr := &Transport{MaxIdleConns: 3}
	noLeaks(t, tr)
	addrA, _ := tpServer(t, remoteAddrHandler)
	addrB, _ := tpServer(t, remoteAddrHandler)
	a1, a2 := hold(t, tr, "http://"+addrA+"/"), hold(t, tr, "http://"+addrA+"/")
	b1, b2 := hold(t, tr, "http://"+addrB+"/"), hold(t, tr, "http://"+addrB+"/")
	oldest := readClose(t, a1)
	newerA := readClose(t, a2)
	readClose(t, b1)
	readClose(t, b2) // four idle: a1 is the least recently used
	sa, sb := tr.HostStats(addrA), tr.HostStats(addrB)
	if sa.Idle != 1 || sa.Evictions != 1 || sb.Idle != 2 || sb.Evictions != 0 {
		t.Fatalf("A %+v\nB %+v", sa, sb)
	}
	if _, got := get(t, tr, "http://"+addrA+"/"); got != newerA || got == oldest {
		t.Fatalf("A served by %s; evicted %s, kept %s", got, oldest, newerA)
	}
}

func TestPoolIdleConnTimeout(t *testing.T) {
	tr := &Transport{IdleConnTimeout: 20 * time.Millisecond}
	noLeaks(t, tr)
	addr, cc := tpServer(t, helloHandler)
	get(t, tr, "http://"+addr+"/")
	waitFor(t, "idle connection closed", func() bool {
		s := tr.HostStats(addr)
		return s.Idle == 0 && s.Open == 0 && s.IdleTimeouts == 1
	})
	get(t, tr, "http://"+addr+"/")
	if cc.count() != 2 {
		t.Fatalf("%d connections, want 2", cc.count())
	}
}

func TestPoolCloseIdleConnections(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	addr, cc := tpServer(t, helloHandler)
	get(t, tr, "http://"+addr+"/")
	tr.CloseIdleConnections()
	if s := tr.HostStats(addr); s.Idle != 0 || s.Open != 0 {
		t.Fatalf("stats %+v", s)
	}
	get(t, tr, "http://"+addr+"/")
	if cc.count() != 2 {
		t.Fatalf("%d connections", cc.count())
	}
}

// closingServer answers requests with keep-alive but closes each
// connection after `per` responses, signalling on closed.
func closingServer(t *testing.T, per int, closed chan<- struct{}) *rawServer {
	return newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		for range per {
			if readRequestHead(br) == "" {
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
		c.Close()
		closed <- struct{}{}
	})
}

func TestPoolServerClosedIdleConn(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	closed := make(chan struct{}, 4)
	rs := closingServer(t, 1, closed)
	url := "http://" + rs.addr + "/"
	get(t, tr, url)
	<-closed
	// A POST without GetBody could not be retried: it must not be sent on
	// the dead connection at all.
	req := newReq(t, MethodPost, url, nil)
	req.Body = io.MultiReader(strings.NewReader("payload"))
	if _, body := roundTrip(t, tr, req); body != "ok" {
		t.Fatal(body)
	}
	s := tr.HostStats(rs.addr)
	if s.ServerClosedIdle != 1 || s.Retries != 0 || s.Dials != 2 {
		t.Fatalf("stats %+v", s)
	}
}

// TestPoolBytesOnIdleConn: bytes that arrive on an idle connection (here
// an unsolicited response, right behind the real one or later) make it
// unusable; the next request goes on a fresh connection.
func TestPoolBytesOnIdleConn(t *testing.T) {
	for _, later := range []bool{false, true} {
		t.Run(fmt.Sprintf("later=%v", later), func(t *testing.T) {
			tr := &Transport{}
			noLeaks(t, tr)
			idle := make(chan struct{})
			rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
				if readRequestHead(br) == "" {
					return
				}
				const ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
				const evil = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"
				if later {
					io.WriteString(c, ok)
					<-idle // the client has read it and parked the connection
					io.WriteString(c, evil)
				} else {
					io.WriteString(c, ok+evil) // in the same segment
				}
				io.Copy(io.Discard, br)
			})
			url := "http://" + rs.addr + "/"
			get(t, tr, url)
			if later {
				close(idle)
				// no event says when the kernel has the bytes: poll the probe
				waitFor(t, "unsolicited bytes", func() bool {
					tr.mu.Lock()
					defer tr.mu.Unlock()
					p := tr.pools["http://"+rs.addr]
					return p != nil && (len(p.idle) == 0 || !p.idle[0].probe.quiet())
				})
			}
			if _, body := get(t, tr, url); body != "ok" {
				t.Fatalf("got %q from a connection with unsolicited bytes", body)
			}
			if s := tr.HostStats(rs.addr); s.Dials != 2 || rs.conns.Load() != 2 {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

// retryServer serves the first request of its first connection, then
// reads the second and closes without answering, as a server that timed
// the connection out at that moment would; later connections are served
// normally. It records the requests it read.
func retryServer(t *testing.T) (*rawServer, *[]string, *sync.Mutex) {
	var mu sync.Mutex
	var seen []string
	var first atomic.Bool
	rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		dropSecond := first.CompareAndSwap(false, true)
		for i := 0; ; i++ {
			head := readRequestHead(br)
			if head == "" {
				return
			}
			if n := headValue(head, "Content-Length"); n != "" && n != "0" {
				io.CopyN(io.Discard, br, int64(len(n))) // bodies are 1-9 bytes here
			}
			mu.Lock()
			seen = append(seen, strings.SplitN(head, "\r\n", 2)[0])
			mu.Unlock()
			if dropSecond && i == 1 {
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	})
	return rs, &seen, &mu
}

func TestPoolRetry(t *testing.T) {
	cases := []struct {
		name      string
		method    string
		body      string
		getBody   bool
		wantRetry bool
	}{
		{"GET is retried", MethodGet, "", false, true},
		{"PUT with GetBody is retried", MethodPut, "x", true, true},
		{"PUT without GetBody is not retried", MethodPut, "x", false, false},
		{"POST without GetBody is not retried", MethodPost, "x", false, false},
		{"POST with GetBody is not retried once sent", MethodPost, "x", true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := &Transport{}
			noLeaks(t, tr)
			rs, seen, mu := retryServer(t)
			url := "http://" + rs.addr + "/"
			get(t, tr, url)
			req := newReq(t, c.method, url, nil)
			if c.body != "" {
				req.Body = strings.NewReader(c.body)
				req.ContentLength = int64(len(c.body))
				if c.getBody {
					req.GetBody = func() (io.Reader, error) { return strings.NewReader(c.body), nil }
				}
			}
			resp := &Response{}
			err := tr.Do(req, resp)
			if c.wantRetry {
				if err != nil {
					t.Fatalf("retryable request failed: %v", err)
				}
				readClose(t, resp)
			} else if err == nil {
				t.Fatal("non-replayable request was retried")
			}
			s := tr.HostStats(rs.addr)
			mu.Lock()
			n := len(*seen)
			mu.Unlock()
			wantSeen, wantRetries := 2, uint64(0)
			if c.wantRetry {
				wantSeen, wantRetries = 3, 1
			}
			if n != wantSeen || s.Retries != wantRetries {
				t.Fatalf("server read %d requests, retries %d; stats %+v", n, s.Retries, s)
			}
		})
	}
}

// TestPoolForgetsEmptyPools: past maxForgetPools, pools without
// connections are dropped, so a client visiting many hosts stays bounded.
func TestPoolForgetsEmptyPools(t *testing.T) {
	refused := errors.New("refused")
	tr := &Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, refused
	}}
	for i := range maxForgetPools + 100 {
		err := tr.Do(newReq(t, MethodGet, fmt.Sprintf("http://h%d.example/", i), nil), &Response{})
		if !errors.Is(err, refused) {
			t.Fatal(err)
		}
	}
	if n := len(tr.Stats()); n > maxForgetPools {
		t.Fatalf("%d pools kept", n)
	}
}

// TestPoolStress mixes full reads, early closes and cancellations at
// random stages from many goroutines under MaxConnsPerHost, then checks
// that the pool's books balance: nothing in use, nobody waiting, every
// open connection idle, and no goroutine left behind.
func TestPoolStress(t *testing.T) {
	tr := &Transport{MaxConnsPerHost: 4}
	noLeaks(t, tr)
	addr, _ := tpServer(t, func(w ResponseWriter, r *Request) {
		n := len(r.URL.RawQuery) * 1000
		w.WriteString(strings.Repeat("s", n))
	})
	var wg sync.WaitGroup
	var failures atomic.Int64
	for g := range 16 {
		wg.Go(func() {
			for i := range 40 {
				ctx, cancel := context.WithCancel(context.Background())
				req := newReq(t, MethodGet, "http://"+addr+"/?"+strings.Repeat("q", (g+i)%7), nil)
				req.SetContext(ctx)
				mode := (g*7 + i) % 4
				if mode == 3 {
					time.AfterFunc(time.Duration(i%5)*100*time.Microsecond, cancel)
				}
				resp := &Response{}
				if err := tr.Do(req, resp); err != nil {
					if mode != 3 || !isCtxErr(err) {
						failures.Add(1)
						t.Errorf("mode %d: %v", mode, err)
					}
					cancel()
					continue
				}
				switch mode {
				case 1:
					resp.Body.Close() // early close
				default:
					if _, err := io.Copy(io.Discard, resp.Body); err != nil && (mode != 3 || !isCtxErr(err)) {
						t.Errorf("mode %d body: %v", mode, err)
					}
					resp.Body.Close()
				}
				cancel()
			}
		})
	}
	wg.Wait()
	// Dials whose requesters went elsewhere end on their own.
	waitFor(t, "dials settled", func() bool { s := tr.HostStats(addr); return s.InUse == 0 })
	s := tr.HostStats(addr)
	if s.InUse != 0 || s.Waiting != 0 || s.Open != s.Idle || s.Open > 4 {
		t.Fatalf("pool books do not balance: %+v", s)
	}
}

// TestPoolNoIdle: a negative MaxIdleConnsPerHost keeps no idle connection.
func TestPoolNoIdle(t *testing.T) {
	tr := &Transport{MaxIdleConnsPerHost: -1}
	noLeaks(t, tr)
	addr, cc := tpServer(t, helloHandler)
	get(t, tr, "http://"+addr+"/")
	get(t, tr, "http://"+addr+"/")
	if s := tr.HostStats(addr); s.Open != 0 || s.Idle != 0 || cc.count() != 2 {
		t.Fatalf("stats %+v, %d connections", s, cc.count())
	}
}

// TestPoolDialErrorToItsWaiter: under MaxConnsPerHost 1 the first request's
// dial fails: that request gets the error, and the slot goes to the next
// waiter, whose own dial succeeds.
func TestPoolDialErrorToItsWaiter(t *testing.T) {
	runBubble(t, func(t *testing.T) {
		pn := newMemListener()
		stop := sideServers[1].serve(pn, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
		defer stop()
		errRefused := errors.New("refused")
		pn.gate = func(ctx context.Context, n int64) error {
			time.Sleep(time.Second)
			if n == 1 {
				return errRefused
			}
			return nil
		}
		tr := &Transport{DialContext: pn.DialContext, MaxConnsPerHost: 1}
		defer tr.CloseIdleConnections()
		errc := make(chan error, 2)
		for range 2 {
			go func() {
				resp := &Response{}
				err := tr.Do(newReq(t, MethodGet, "http://pipe/", nil), resp)
				if err == nil {
					readClose(t, resp)
				}
				errc <- err
			}()
			synctestWait()
		}
		if s := tr.HostStats("pipe:80"); s.Dialing != 1 || s.Waiting != 2 || s.Open != 1 {
			t.Fatalf("stats while dialing %+v", s)
		}
		if err := <-errc; !errors.Is(err, errRefused) {
			t.Fatalf("first request: %v", err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("second request: %v", err)
		}
		if s := tr.HostStats("pipe:80"); s.Dials != 2 || s.DialErrors != 1 || s.Idle != 1 {
			t.Fatalf("stats %+v", s)
		}
	})
}

// TestPoolDialTimeoutBoundsOrphanDial: a dial whose requester gave up ends
// at DialTimeout.
func TestPoolDialTimeoutBoundsOrphanDial(t *testing.T) {
	runBubble(t, func(t *testing.T) {
		tr := &Transport{DialTimeout: 5 * time.Second, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		req := newReq(t, MethodGet, "http://peer/", nil)
		req.SetContext(ctx)
		start := time.Now()
		if err := tr.Do(req, &Response{}); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Second {
			t.Fatalf("request: %v after %v", err, time.Since(start))
		}
		time.Sleep(4*time.Second - time.Nanosecond)
		synctestWait()
		if s := tr.HostStats("peer:80"); s.Dialing != 1 {
			t.Fatalf("dial ended early: %+v", s)
		}
		time.Sleep(time.Nanosecond)
		synctestWait()
		if s := tr.HostStats("peer:80"); s.Dialing != 0 || s.Open != 0 || s.DialErrors != 1 {
			t.Fatalf("stats %+v", s)
		}
	})
}
