package turbohttp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"turbohttp/h2"
)

// h2conn is one HTTP/2 server connection: the engine (h2.Conn), which does
// no I/O, and the goroutines that drive it (DESIGN.md, "Server, HTTP/2"):
//
//   - the reader, the connection's serve goroutine, reads a whole buffer of
//     frames at a time and feeds it to the engine under mu; the engine's
//     events (the h2.Handler methods below) hand each request to a worker;
//   - workers (h2stream.run, server_h2stream.go) run handlers, one stream
//     at a time, and are reused: one is started only when none is idle, so
//     a handler that blocks never delays another stream;
//   - the writer (server_h2write.go), woken once per batch, takes every
//     frame queued by the engine and the handlers and sends them with one
//     Write, while handlers go on queueing the next batch in the engine.
//
// Handlers' writes append frames to the engine under mu; nothing on that
// path spawns a goroutine, sends on a channel or allocates per frame.
type h2conn struct {
	c   *conn
	srv *Server
	rwc net.Conn
	ctx context.Context

	// mu guards the engine and everything below it.
	mu      sync.Mutex
	eng     *h2.Conn
	streams map[uint32]*h2stream // streams handed to a worker or queued for one
	idle    []*h2stream          // workers waiting for a stream
	pending []*h2stream          // streams waiting for a worker (see dispatch)
	running int                  // handlers running
	opened  uint64               // streams dispatched so far
	maxRun  int                  // MAX_CONCURRENT_STREAMS: handlers that may run at once
	closed  bool                 // the connection is over: every wait ends
	// idleSince is when the last stream ended (or the connection began):
	// IdleTimeout and quietAfter count from it.
	idleSince time.Time
	// gotSettings is set once the client's SETTINGS arrived (the end of
	// its preface); settingsDue holds the deadline for the acknowledgement
	// of ours while it is owed.
	gotSettings bool
	settingsDue time.Time
	// sendWait is where handlers wait for flow-control window or room in
	// the send queues; sendWaiters counts them.
	sendWait    sync.Cond
	sendWaiters int
	// drained is where the reader waits while the output exceeds
	// h2OutputBudget (a client that does not read).
	drained       sync.Cond
	readerBlocked bool
	// The writer (server_h2write.go).
	wakeW       chan struct{}
	writeWanted bool // the writer was woken and has not yet taken the output
	writerOn    bool // a writer goroutine exists
	writing     bool // output taken from the engine is being written (by anyone)
	// inlineDone is where the writer waits while another goroutine
	// writes inline (writeInline); writerWaits says that it does.
	inlineDone  sync.Cond
	writerWaits bool
	writerStop  bool // the writer is asked to exit when it has nothing to do
	writers     sync.WaitGroup
	writeErr    error
	finished    bool // teardown flushed the last output: no writer starts again
	lastFlush   bool // teardown's wake, the only one that starts a writer once closed

	// Owned by the reader.
	rbuf []byte // read buffer, borrowed while the connection is busy
	rout []byte // output written inline (writeInline), guarded by writing
	// quiet: the connection carried no stream for quietAfter (or never
	// did): it holds no read buffer between reads and waits with a
	// one-byte read; woke: that read returned a byte, so the next Read,
	// for the rest of what arrived, borrows a buffer (given back at once
	// unless the bytes open a stream).
	quiet      bool
	woke       bool
	deadline   time.Time // read deadline set on rwc; aLongTimeAgo once it passed
	prefaceDue time.Time // the client's preface must have arrived by then
	one        [1]byte
}

const (
	// h2ReadBufSize is the reader's buffer once a Read has filled a small
	// one (h2SmallReadBufSize, what a connection borrows when it carries
	// streams, and all an exchange of small frames needs): many frames
	// per Read for a busy connection, little for the others (a quiet one
	// holds none).
	h2ReadBufSize      = 16 << 10
	h2SmallReadBufSize = 4 << 10
	// h2OutputBudget is how much output the engine may hold for a client
	// that does not read before the reader stops feeding it and handlers
	// stop writing: with the engine's own queue limits it bounds the
	// memory of a connection whose client does not read.
	h2OutputBudget = 256 << 10
	// h2WriteStall bounds one Write of the connection's output: a client
	// that reads nothing for that long is gone.
	h2WriteStall = 30 * time.Second
	// h2CloseFlush bounds the flush of the last frames (a GOAWAY) when
	// the connection ends.
	h2CloseFlush = time.Second
)

var (
	h2ReadBufPool      = sync.Pool{New: func() any { return new([h2ReadBufSize]byte) }}
	h2SmallReadBufPool = sync.Pool{New: func() any { return new([h2SmallReadBufSize]byte) }}
)

// takeReadBuf borrows a read buffer: a large one if big, else a small one.
func takeReadBuf(big bool) []byte {
	if big {
		return h2ReadBufPool.Get().(*[h2ReadBufSize]byte)[:]
	}
	return h2SmallReadBufPool.Get().(*[h2SmallReadBufSize]byte)[:]
}

// putReadBuf gives a buffer of takeReadBuf back.
func putReadBuf(b []byte) {
	switch len(b) {
	case h2ReadBufSize:
		h2ReadBufPool.Put((*[h2ReadBufSize]byte)(b))
	case h2SmallReadBufSize:
		h2SmallReadBufPool.Put((*[h2SmallReadBufSize]byte)(b))
	}
}

// sawH2Preface reports whether a plain connection starts with the HTTP/2
// client preface (h2c with prior knowledge, RFC 9113 §3.3). The bytes stay
// buffered either way; the preface must arrive within ReadHeaderTimeout of
// its first byte. An error (the connection ended or timed out before the
// first byte, or within the preface) ends the connection.
func (c *conn) sawH2Preface() (bool, error) {
	if err := c.awaitRequest(); err != nil {
		return false, err
	}
	if d := c.srv.ReadHeaderTimeout; d >= 0 {
		c.setReadDeadline(time.Now().Add(orDefault(d, DefaultReadHeaderTimeout)))
	}
	br := c.in.reader()
	for {
		buf, _ := br.Peek(br.Buffered())
		n := min(len(buf), len(h2.ClientPreface))
		if string(buf[:n]) != h2.ClientPreface[:n] {
			return false, nil
		}
		if n == len(h2.ClientPreface) {
			return true, nil
		}
		if _, err := br.Peek(len(buf) + 1); err != nil {
			return false, err
		}
	}
}

// notHTTP1 reports, on a plain connection that may speak h2c, whether the
// malformed request buffered is not HTTP/1 at all: its first line does not
// end with an HTTP version. Such a connection is closed without an HTTP/1
// answer, as a client that meant HTTP/2 expects of an invalid preface
// (RFC 9113 §3.4).
func (c *conn) notHTTP1() bool {
	if c.tlsState != nil || !c.srv.protocols().UnencryptedHTTP2() {
		return false
	}
	buf, _ := c.in.reader().Peek(c.in.buffered())
	line, _, found := bytes.Cut(buf, []byte("\n"))
	if !found {
		return false
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	i := bytes.LastIndexByte(line, ' ')
	return i < 0 || !bytes.HasPrefix(line[i+1:], []byte("HTTP/"))
}

// serveH2 serves the connection as HTTP/2 until it ends; the bytes already
// buffered (the preface of h2c) are the first input. Its goroutine is the
// connection's reader.
func (c *conn) serveH2(ctx context.Context) {
	hc := c.newH2Conn(ctx)
	defer hc.teardown()
	defer func() {
		if p := recover(); p != nil {
			c.logPanic("turbohttp: panic in HTTP/2 connection", p)
			hc.abort(h2.ErrCodeInternal, "internal error")
		}
	}()
	for stop := hc.begin(); !stop; {
		stop = hc.readOnce()
	}
}

// newH2Conn makes the HTTP/2 connection of c and its engine.
func (c *conn) newH2Conn(ctx context.Context) *h2conn {
	// A new connection holds no read buffer until it carries a stream:
	// one kept open ahead of need (a client's pool) costs little.
	hc := &h2conn{c: c, srv: c.srv, rwc: c.rwc, ctx: ctx, quiet: true}
	hc.streams = make(map[uint32]*h2stream)
	hc.sendWait.L = &hc.mu
	hc.drained.L = &hc.mu
	hc.inlineDone.L = &hc.mu
	hc.wakeW = make(chan struct{}, 1)
	cfg := c.srv.h2Config()
	hc.maxRun = int(cfg.MaxConcurrentStreams)
	if hc.maxRun == 0 {
		hc.maxRun = h2.DefaultMaxConcurrentStreams
	}
	hc.eng = h2.NewConn(h2.Server, cfg, hc)
	c.srv.mu.Lock()
	c.h2 = hc
	c.srv.mu.Unlock()
	c.setState(StateActive)
	return hc
}

// begin starts the exchange: our SETTINGS (or a GOAWAY, for TLS that
// HTTP/2 forbids or a server shutting down), the timeouts of the preface,
// and the bytes already read. It reports whether the connection is over.
func (hc *h2conn) begin() bool {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if st := hc.c.tlsState; st != nil && (st.Version < tls.VersionTLS12 || h2.BadCipherSuite(st.CipherSuite)) {
		hc.eng.Abort(h2.ErrCodeInadequateSecurity, "TLS 1.2 or later with an allowed cipher suite is required (RFC 9113 §9.2)")
	}
	if hc.srv.inShutdown.Load() {
		hc.eng.Shutdown()
	}
	now := time.Now()
	hc.idleSince = now
	hc.settingsDue, _ = hc.eng.Tick(now)
	if d := hc.srv.ReadHeaderTimeout; d >= 0 {
		hc.prefaceDue = now.Add(orDefault(d, DefaultReadHeaderTimeout))
	}
	if n := hc.c.in.buffered(); n > 0 {
		buf, _ := hc.c.in.reader().Peek(n)
		hc.eng.Feed(buf)
	}
	hc.c.in.drop()
	hc.flushControl()
	return hc.eng.Err() != nil || hc.eng.Done()
}

// readOnce waits for room in the output, reads what the client sent and
// feeds it to the engine. It reports whether the connection is over.
func (hc *h2conn) readOnce() bool {
	hc.mu.Lock()
	for hc.eng.OutputPending() > h2OutputBudget && !hc.closed {
		hc.readerBlocked = true
		hc.drained.Wait()
	}
	hc.readerBlocked = false
	busy := len(hc.streams) > 0
	idleSince := hc.idleSince
	over := hc.closed || hc.eng.Done()
	hc.mu.Unlock()
	if over {
		return true
	}
	buf := hc.readBuf(busy, idleSince)
	n, err := hc.rwc.Read(buf)
	if n > 0 {
		hc.mu.Lock()
		opened := hc.opened
		ferr := hc.eng.Feed(buf[:n])
		if hc.eng.OutputPending() > 0 {
			hc.flushControl()
		}
		over = ferr != nil || hc.eng.Done()
		opened = hc.opened - opened
		busy = len(hc.streams) > 0
		hc.mu.Unlock()
		if over {
			return true
		}
		hc.settle(len(buf) == 1, opened > 0, busy)
		if n == h2SmallReadBufSize && len(hc.rbuf) == n {
			hc.growReadBuf() // more frames are coming than it holds
		}
	}
	if err != nil {
		return hc.readError(err)
	}
	return false
}

// readBuf returns the buffer for the next Read and makes sure a deadline
// no later than the one the connection's state calls for is set (an
// earlier one only makes readError look again). A busy connection reads
// into a pooled buffer; one quiet since quietAfter has given the buffer
// back and waits with a one-byte read, so that an idle connection holds
// little memory.
func (hc *h2conn) readBuf(busy bool, idleSince time.Time) []byte {
	if hc.rbuf == nil && (busy || !hc.quiet || hc.woke) {
		hc.rbuf = takeReadBuf(false)
	}
	buf := hc.rbuf
	if buf == nil {
		buf = hc.one[:]
	}
	if busy && !hc.deadline.IsZero() && hc.deadline != aLongTimeAgo {
		return buf // the steady state: no clock, no timer
	}
	var d time.Time
	earliest := func(t time.Time) {
		if !t.IsZero() && (d.IsZero() || t.Before(d)) {
			d = t
		}
	}
	hc.mu.Lock()
	if !hc.gotSettings {
		earliest(hc.prefaceDue)
	}
	earliest(hc.settingsDue)
	hc.mu.Unlock()
	idle := orDefault(hc.srv.IdleTimeout, DefaultIdleTimeout)
	switch {
	case busy:
		// a deadline while streams are open only serves to notice, when
		// it fires, that they have all ended
		earliest(time.Now().Add(max(idle, quietAfter)))
	case hc.rbuf != nil:
		earliest(idleSince.Add(quietAfter))
	case idle > 0:
		earliest(idleSince.Add(idle))
	}
	if cur := hc.deadline; cur.IsZero() || cur == aLongTimeAgo || d.IsZero() || cur.After(d) {
		hc.deadline = d
		hc.rwc.SetReadDeadline(d)
	}
	return buf
}

// readError handles a failed Read: a deadline that passed ends the
// connection (preface, SETTINGS or idle timeout), makes it quiet, or only
// makes readBuf set the next one; anything else ends it. It reports
// whether the connection is over.
func (hc *h2conn) readError(err error) bool {
	if !isTimeout(err) {
		return true
	}
	now := time.Now()
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if hc.closed || hc.eng.Done() {
		return true
	}
	if _, terr := hc.eng.Tick(now); terr != nil {
		return true
	}
	if !hc.gotSettings && !hc.prefaceDue.IsZero() && !now.Before(hc.prefaceDue) {
		return true // no preface in time: nothing to say to this client
	}
	hc.deadline = aLongTimeAgo // passed: readBuf sets the next
	if len(hc.streams) > 0 {
		return false
	}
	if idle := orDefault(hc.srv.IdleTimeout, DefaultIdleTimeout); idle > 0 && !now.Before(hc.idleSince.Add(idle)) {
		hc.eng.Abort(h2.ErrCodeNo, "idle timeout")
		return true
	}
	if hc.rbuf != nil && !now.Before(hc.idleSince.Add(quietAfter)) {
		hc.goQuiet()
	}
	return false
}

// flushControl sends what the engine queued in answer to the client's
// frames. With no stream open the reader writes it itself (writeInline),
// so that such a connection (the SETTINGS exchange, a PING on an idle
// connection) never starts a writer goroutine; otherwise it wakes the
// writer. Called with mu held.
func (hc *h2conn) flushControl() {
	if len(hc.streams) > 0 {
		hc.wake()
		return
	}
	hc.writeInline(&hc.rout)
}

// growReadBuf moves the reader to a large buffer: a Read filled the small
// one, so more frames are coming than it holds.
func (hc *h2conn) growReadBuf() {
	putReadBuf(hc.rbuf)
	hc.rbuf = takeReadBuf(true)
}

// settle decides, after a Read that returned bytes, what the next Read
// reads into. A quiet connection woken by its one-byte read reads the
// rest into a borrowed buffer; it stays quiet, and gives the buffer back
// at once, unless those bytes opened a stream (a PING or a SETTINGS
// acknowledgement on an idle connection does not wake it for good).
func (hc *h2conn) settle(oneByte, opened, busy bool) {
	switch {
	case oneByte:
		hc.woke = true
	case opened || busy:
		hc.quiet, hc.woke = false, false
	case hc.quiet && hc.rbuf != nil:
		hc.woke = false
		putReadBuf(hc.rbuf)
		hc.rbuf = nil
	}
}

// goQuiet gives back the read buffer and stops the writer of a connection
// with no stream; called with mu held.
func (hc *h2conn) goQuiet() {
	putReadBuf(hc.rbuf)
	hc.rbuf, hc.quiet, hc.woke = nil, true, false
	hc.stopWriter()
}

// teardown ends the connection: the final frames (a GOAWAY) are flushed
// within h2CloseFlush, every wait of a handler ends, idle workers exit,
// and the transport closes. Handlers still running see their context
// cancelled and their writes fail.
func (hc *h2conn) teardown() {
	hc.mu.Lock()
	if hc.eng.Err() == nil && !hc.eng.Done() {
		hc.eng.Abort(h2.ErrCodeNo, "connection closing")
	}
	hc.closed = true
	hc.lastFlush = true
	hc.wake()
	hc.lastFlush = false
	hc.mu.Unlock()
	hc.rwc.SetWriteDeadline(time.Now().Add(h2CloseFlush))
	hc.writers.Wait()
	hc.mu.Lock()
	hc.finished = true
	for _, s := range hc.streams {
		s.abandon()
	}
	for _, s := range hc.idle {
		close(s.wake)
	}
	hc.idle = nil
	hc.sendWait.Broadcast()
	hc.mu.Unlock()
	if hc.rbuf != nil {
		putReadBuf(hc.rbuf)
		hc.rbuf = nil
	}
	// However it ended (a connection error, the client's GOAWAY, the idle
	// timeout), the client may still be sending: closing with input
	// unread would reset the socket and could destroy the GOAWAY before
	// the client reads it.
	hc.c.linger = hc.writeErr == nil
}

// abort ends the connection with a connection error of code.
func (hc *h2conn) abort(code h2.ErrCode, reason string) {
	hc.mu.Lock()
	hc.eng.Abort(code, reason)
	hc.mu.Unlock()
}

// shutdown starts the graceful shutdown of the connection (Server.Shutdown):
// GOAWAY, then the streams in flight finish; called with srv.mu held.
func (hc *h2conn) shutdown() {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if hc.closed {
		return
	}
	hc.eng.Shutdown()
	hc.wake()
	if hc.eng.Done() {
		hc.kickReader()
	}
}

// kickReader makes the reader's blocked Read return, so that it notices
// the connection is over.
func (hc *h2conn) kickReader() {
	hc.rwc.SetReadDeadline(aLongTimeAgo)
}

// The engine's events, called by Feed with mu held.

// OnHeaders starts a request or delivers its trailers.
func (hc *h2conn) OnHeaders(h *h2.Headers) {
	if h.Trailers {
		if s := hc.streams[h.StreamID]; s != nil {
			s.trailers(h)
		}
		return
	}
	hc.dispatch(h)
}

// OnData buffers request body bytes for the stream's handler, or gives
// them back at once if no handler will read them.
func (hc *h2conn) OnData(id uint32, data []byte, end bool) {
	s := hc.streams[id]
	if s == nil || s.bodyClosed {
		hc.eng.Consumed(id, len(data))
		return
	}
	s.data(data, end)
}

// OnReset ends a stream abnormally: the handler's context is cancelled
// and its reads and writes fail.
func (hc *h2conn) OnReset(id uint32, code h2.ErrCode) {
	if s := hc.streams[id]; s != nil {
		s.reset(code)
	}
}

func (hc *h2conn) OnSettings(*h2.Settings) { hc.gotSettings = true }

func (hc *h2conn) OnSettingsAck() { hc.settingsDue = time.Time{} }

func (hc *h2conn) OnGoAway(uint32, h2.ErrCode, []byte) {}

func (hc *h2conn) OnPingAck([8]byte) {}

func (hc *h2conn) OnWindowOpened(uint32) {
	if hc.sendWaiters > 0 {
		hc.sendWait.Broadcast()
	}
}

// errH2StreamReset is what a handler's reads and writes return once its
// stream was reset.
type h2StreamError struct{ code h2.ErrCode }

func (e h2StreamError) Error() string {
	return "turbohttp: HTTP/2 stream reset (" + e.code.String() + ")"
}

// errH2ConnClosed is what a handler's reads and writes return once the
// connection is over.
var errH2ConnClosed = errors.New("turbohttp: HTTP/2 connection closed")

var _ io.Reader = (*h2body)(nil)
