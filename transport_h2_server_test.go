package turbohttp

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"turbohttp/h2"
)

// h2EngineServer is a minimal h2c server on the h2 engine (server role),
// for tests that need what neither net/http's server nor h2o does: a
// graceful GOAWAY every goAwayEvery streams, and no allocation per
// request (so that AllocsPerRun measures the client alone). Every request
// is answered 200 with body once its request body has ended.
type h2EngineServer struct {
	ln          net.Listener
	body        []byte
	goAwayEvery int
	conns       atomic.Int64
	wg          sync.WaitGroup
}

func startH2EngineServer(t testing.TB, body string, goAwayEvery int) *h2EngineServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &h2EngineServer{ln: ln, body: []byte(body), goAwayEvery: goAwayEvery}
	s.wg.Go(s.accept)
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *h2EngineServer) url() string { return "http://" + s.ln.Addr().String() }

func (s *h2EngineServer) accept() {
	var open sync.Map
	defer func() {
		open.Range(func(c, _ any) bool { c.(net.Conn).Close(); return true })
	}()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.conns.Add(1)
		open.Store(c, nil)
		s.wg.Go(func() {
			s.serve(c)
			open.Delete(c)
		})
	}
}

// h2ServerConn is the engine handler of one connection.
type h2ServerConn struct {
	s      *h2EngineServer
	eng    *h2.Conn
	served int
	fields []h2.Field
}

func (s *h2EngineServer) serve(c net.Conn) {
	defer c.Close()
	sc := &h2ServerConn{s: s}
	sc.fields = []h2.Field{{Name: []byte(":status"), Value: []byte("200")},
		{Name: []byte("content-length"), Value: appendInt(nil, int64(len(s.body)))}}
	sc.eng = h2.NewConn(h2.Server, h2.Config{}, sc)
	buf := make([]byte, 32<<10)
	var out []byte
	for {
		out = sc.eng.AppendOutput(out[:0])
		if len(out) > 0 {
			if _, err := c.Write(out); err != nil {
				return
			}
		}
		if sc.eng.Done() {
			return
		}
		n, err := c.Read(buf)
		if n > 0 && sc.eng.Feed(buf[:n]) != nil {
			c.Write(sc.eng.AppendOutput(out[:0]))
			return
		}
		if err != nil {
			return
		}
	}
}

func (sc *h2ServerConn) OnHeaders(h *h2.Headers) {
	if h.EndStream {
		sc.respond(h.StreamID)
	}
}

func (sc *h2ServerConn) OnData(id uint32, data []byte, end bool) {
	sc.eng.Consumed(id, len(data))
	if end {
		sc.respond(id)
	}
}

func (sc *h2ServerConn) respond(id uint32) {
	sc.eng.WriteHeaders(id, sc.fields, len(sc.s.body) == 0)
	if len(sc.s.body) > 0 {
		sc.eng.WriteData(id, sc.s.body, true)
	}
	sc.served++
	if sc.s.goAwayEvery > 0 && sc.served%sc.s.goAwayEvery == 0 {
		sc.eng.Shutdown()
	}
}

func (sc *h2ServerConn) OnReset(uint32, h2.ErrCode)          {}
func (sc *h2ServerConn) OnSettings(*h2.Settings)             {}
func (sc *h2ServerConn) OnSettingsAck()                      {}
func (sc *h2ServerConn) OnGoAway(uint32, h2.ErrCode, []byte) {}
func (sc *h2ServerConn) OnPingAck([8]byte)                   {}
func (sc *h2ServerConn) OnWindowOpened(uint32)               {}

// A server that shuts down gracefully (GOAWAY) every 50 streams, under
// load: 1,000 requests from 64 workers, none fails.
func TestH2GoAwayDuringLoad(t *testing.T) {
	s := startH2EngineServer(t, "hello", 50)
	tr := &Transport{HTTP2PriorKnowledge: true}
	noLeaks(t, tr)
	var wg sync.WaitGroup
	var failed atomic.Int64
	var next atomic.Int64
	for range 64 {
		wg.Go(func() {
			resp := &Response{}
			for next.Add(1) <= 1000 {
				req := newReq(t, MethodGet, s.url()+"/", nil)
				if err := tr.Do(req, resp); err != nil {
					t.Error(err)
					failed.Add(1)
					continue
				}
				if body := readClose(t, resp); body != "hello" {
					t.Errorf("body %q", body)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d requests failed", failed.Load())
	}
	// Each connection serves its 50 and the streams in flight (at most 64).
	if n := s.conns.Load(); n < 1000/(50+64) {
		t.Fatalf("%d connections for 1,000 requests with GOAWAY every 50", n)
	}
	t.Logf("%d connections, %d retries", s.conns.Load(), tr.HostStats(s.ln.Addr().String()).Retries)
}

// The native API allocates nothing per HTTP/2 request in steady state
// (the engine server allocates nothing either, so AllocsPerRun, which
// counts the process, measures the client).
func TestH2TransportZeroAllocs(t *testing.T) {
	s := startH2EngineServer(t, "Hello, World!", 0)
	tr := &Transport{HTTP2PriorKnowledge: true}
	defer tr.CloseIdleConnections()
	req := newReq(t, MethodGet, s.url()+"/hello", nil)
	req.Header.Add("User-Agent", "alloc-test")
	resp := &Response{}
	buf := make([]byte, 64)
	for range 100 {
		nativeGet(t, tr, req, resp, buf)
	}
	if allocs := testing.AllocsPerRun(500, func() { nativeGet(t, tr, req, resp, buf) }); allocs != 0 {
		t.Fatalf("%v allocations per request, want 0", allocs)
	}
	if s := tr.HostStats(s.ln.Addr().String()); s.Dials != 1 || s.H2Conns != 1 {
		t.Fatalf("stats %+v", s)
	}
}
