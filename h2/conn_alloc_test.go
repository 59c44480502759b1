package h2

import (
	"testing"
)

// pair is a client Conn and a server Conn wired back to back in memory:
// the server answers every request with a small response, the client
// counts the responses. Neither side allocates in steady state.
type pair struct {
	client, server *Conn
	cbuf, sbuf     []byte
	srv            helloServer
	cli            countClient
	request        []Field
}

type helloServer struct {
	c        *Conn
	response []Field
	body     []byte
}

func (h *helloServer) OnHeaders(hs *Headers) {
	if hs.EndStream {
		h.c.WriteHeaders(hs.StreamID, h.response, false)
		h.c.WriteData(hs.StreamID, h.body, true)
	}
}
func (h *helloServer) OnData(id uint32, data []byte, end bool) { h.c.Consumed(id, len(data)) }
func (*helloServer) OnReset(uint32, ErrCode)                   {}
func (*helloServer) OnSettings(*Settings)                      {}
func (*helloServer) OnSettingsAck()                            {}
func (*helloServer) OnGoAway(uint32, ErrCode, []byte)          {}
func (*helloServer) OnPingAck([8]byte)                         {}
func (*helloServer) OnWindowOpened(uint32)                     {}

type countClient struct {
	c           *Conn
	done, bytes int
}

func (h *countClient) OnHeaders(hs *Headers) {
	if hs.EndStream {
		h.done++
	}
}
func (h *countClient) OnData(id uint32, data []byte, end bool) {
	h.bytes += len(data)
	h.c.Consumed(id, len(data))
	if end {
		h.done++
	}
}
func (*countClient) OnReset(uint32, ErrCode)          {}
func (*countClient) OnSettings(*Settings)             {}
func (*countClient) OnSettingsAck()                   {}
func (*countClient) OnGoAway(uint32, ErrCode, []byte) {}
func (*countClient) OnPingAck([8]byte)                {}
func (*countClient) OnWindowOpened(uint32)            {}

func newPair(tb testing.TB) *pair {
	p := &pair{
		request: fieldList(":method", "GET", ":scheme", "https", ":authority", "example.com", ":path", "/hello",
			"user-agent", "turbohttp-bench", "accept", "*/*"),
	}
	p.srv.response = fieldList(":status", "200", "content-type", "text/plain", "content-length", "13")
	p.srv.body = []byte("Hello, World!")
	p.client = NewConn(Client, Config{}, &p.cli)
	p.server = NewConn(Server, Config{}, &p.srv)
	p.cli.c, p.srv.c = p.client, p.server
	for range 3 { // preface, SETTINGS and their ACKs
		p.flush(tb)
	}
	return p
}

// flush moves each side's output to the other.
func (p *pair) flush(tb testing.TB) {
	p.cbuf = p.client.AppendOutput(p.cbuf[:0])
	if err := p.server.Feed(p.cbuf); err != nil {
		tb.Fatal(err)
	}
	p.sbuf = p.server.AppendOutput(p.sbuf[:0])
	if err := p.client.Feed(p.sbuf); err != nil {
		tb.Fatal(err)
	}
}

// exchange runs one request and its response.
func (p *pair) exchange(tb testing.TB) {
	done := p.cli.done
	if _, err := p.client.OpenStream(p.request, true); err != nil {
		tb.Fatal(err)
	}
	p.flush(tb)
	if p.cli.done != done+1 {
		tb.Fatalf("no response (%d)", p.cli.done)
	}
}

// TestExchangeAllocs: request HEADERS in and response HEADERS and DATA
// out allocate nothing in steady state, in either role.
func TestExchangeAllocs(t *testing.T) {
	p := newPair(t)
	for range 2 * DefaultMaxClosedStreams { // warm the buffers, tables, free lists and closed-stream memory
		p.exchange(t)
	}
	if a := testing.AllocsPerRun(1000, func() { p.exchange(t) }); a != 0 {
		t.Fatalf("%v allocations per exchange, want 0", a)
	}
	if own, peer := p.server.ActiveStreams(); own+peer != 0 {
		t.Fatalf("server has %d streams left", own+peer)
	}
}

// TestPipelinedExchangeAllocs: many streams in flight per flush, as with
// h2load -m32.
func TestPipelinedExchangeAllocs(t *testing.T) {
	p := newPair(t)
	batch := func() {
		for range 32 {
			if _, err := p.client.OpenStream(p.request, true); err != nil {
				t.Fatal(err)
			}
		}
		p.flush(t)
	}
	for range 20 {
		batch()
	}
	if a := testing.AllocsPerRun(200, batch); a != 0 {
		t.Fatalf("%v allocations per batch of 32, want 0", a)
	}
}

// BenchmarkExchange is one request and response through two engines
// wired back to back: the engine's share of an h2c request, both roles
// (HPACK both ways included). cpu-ns/op is the figure to read on a shared
// machine.
func BenchmarkExchange(b *testing.B) {
	p := newPair(b)
	for range 2 * DefaultMaxClosedStreams {
		p.exchange(b)
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		p.exchange(b)
	}
}

// BenchmarkExchangePipelined is 32 requests in flight per flush (as
// h2load -m32); an op is one request and its response.
func BenchmarkExchangePipelined(b *testing.B) {
	p := newPair(b)
	batch := func() {
		for range 32 {
			if _, err := p.client.OpenStream(p.request, true); err != nil {
				b.Fatal(err)
			}
		}
		p.flush(b)
	}
	for range 2 * DefaultMaxClosedStreams / 32 {
		batch()
	}
	b.ReportAllocs()
	b.ResetTimer()
	start, ok := processCPU()
	for i := 0; i < b.N; i += 32 {
		batch()
	}
	if end, _ := processCPU(); ok {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkExchangeVaryingPath is BenchmarkExchange with a new :path on
// every request: the request's header list is never the one before, so
// it is checked, encoded and decoded in full each time (and its :path
// inserted into both dynamic tables), while the response repeats.
func BenchmarkExchangeVaryingPath(b *testing.B) {
	p := newPair(b)
	path := []byte("/hello/00000000")
	for i := range p.request {
		if string(p.request[i].Name) == ":path" {
			p.request[i].Value = path
		}
	}
	n := 0
	next := func() {
		n++
		for i, v := len(path)-1, n; i > len(path)-9; i, v = i-1, v/10 {
			path[i] = byte('0' + v%10)
		}
		p.exchange(b)
	}
	for range 2 * DefaultMaxClosedStreams {
		next()
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		next()
	}
}
