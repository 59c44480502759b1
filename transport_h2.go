package turbohttp

import (
	"crypto/tls"
	"errors"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"turbohttp/h2"
	"turbohttp/internal/streamtab"
)

// h2ClientConn is one HTTP/2 client connection (RFC 9113) on the h2
// engine. It carries many exchanges at once, one per stream:
//
//   - the caller's goroutine encodes its HEADERS into the engine under mu
//     and wakes the writer goroutine, unless a flush is under way or a
//     wake is pending: no goroutine or channel sits between a caller and
//     the engine, and the connection's one channel operation is per batch,
//     not per request;
//   - the writer goroutine (writeLoop) yields once, so that the callers
//     already runnable queue their frames too, and writes everything
//     pending with one Write, looping while more is queued;
//   - the reader goroutine (readLoop) feeds what it reads, a buffer of
//     frames at a time, to the engine, whose events (OnHeaders, OnData…)
//     fill the waiting streams and wake their callers through a channel
//     each stream keeps for its whole (pooled) life;
//   - a request body that streams is written by a goroutine of its own,
//     under flow control, while the response is read (full duplex).
//
// The stream slots (the server's MAX_CONCURRENT_STREAMS) are handed out
// by the pool (hostPool.h2), under Transport.mu: reserved counts the
// slots taken, capacity what the server allows. Lock order: Transport.mu
// before mu; the Handler methods, which run under mu, reach the pool
// through a goroutine.
type h2ClientConn struct {
	t        *Transport
	pool     *hostPool
	conn     net.Conn
	tlsState *tls.ConnectionState

	// Guarded by t.mu.
	reserved  int  // slots handed out and not yet released
	retired   bool // takes no new stream: GOAWAY, failure or close
	inPool    bool // listed in pool.h2
	idleAt    time.Time
	idleTimer *time.Timer // closes the connection after IdleConnTimeout without streams

	// slots is what slotCapacity returns: capacity while the connection
	// takes new streams, else 0. Written under mu, read under t.mu
	// (which comes before mu) without taking mu.
	slots atomic.Int32

	mu       sync.Mutex // guards everything below
	flushed  sync.Cond  // signalled when a flush ends
	eng      *h2.Conn
	streams  streamtab.Table[clientStream]
	free     []*clientStream // recycled streams
	capacity int             // MAX_CONCURRENT_STREAMS in force
	wbuf     []byte          // owned by the flusher while flushing
	flushing bool
	kicked   bool  // the writer goroutine was woken and has not run yet
	uploads  int   // body writers running
	closed   bool  // the socket is closed
	noNew    bool  // GOAWAY received or the connection failed: no new stream
	err      error // why the connection ended; nil while it lives
	fields   []h2.Field
	fbuf     []byte // bytes of lowercased field names

	// Owned by the reader goroutine.
	rbuf     []byte
	lastRead time.Time
	pinging  bool
	done     chan struct{} // closed when the reader has ended
	wake     chan struct{} // wakes the writer goroutine; one token at most
}

// Sizes and limits of an HTTP/2 client connection.
const (
	// h2ClientReadBufSize is the reader's buffer: many frames per Read.
	h2ClientReadBufSize = 32 << 10
	// h2InitialCapacity is the streams a new connection hands out before
	// the server's SETTINGS say how many it allows (net/http's 100).
	h2InitialCapacity = 100
	// h2MaxFreeStreams bounds the recycled streams a connection keeps.
	h2MaxFreeStreams = 256
	// h2GoAwayWriteTimeout bounds the writing of the last frames (the
	// GOAWAY) of a connection that failed.
	h2GoAwayWriteTimeout = time.Second
	// h2MaxRetries bounds how often one request is retried after
	// REFUSED_STREAM or a GOAWAY that did not process it.
	h2MaxRetries = 6
)

// ConnLostError reports that the HTTP/2 connection carrying a request
// ended before the request's exchange did: Err says why (the engine's
// h2.ConnError, the read error, ErrPingTimeout…). Only the requests on
// that connection get it; StreamID and Addr say which.
type ConnLostError struct {
	Addr     string
	StreamID uint32
	Err      error
}

func (e *ConnLostError) Error() string {
	return "turbohttp: HTTP/2 connection to " + e.Addr + " lost (stream " +
		strconv.FormatUint(uint64(e.StreamID), 10) + "): " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *ConnLostError) Unwrap() error { return e.Err }

// StreamResetError reports that a request's stream was reset: by the
// server (RST_STREAM) or by the engine because the response broke a rule
// of RFC 9113 (Code PROTOCOL_ERROR: a malformed header section, a
// content-length disagreeing with the DATA, …).
type StreamResetError struct {
	StreamID uint32
	Code     h2.ErrCode
}

func (e *StreamResetError) Error() string {
	return "turbohttp: HTTP/2 stream " + strconv.FormatUint(uint64(e.StreamID), 10) + " reset: " + e.Code.String()
}

// ErrPingTimeout: an HTTP/2 connection's health-check PING went
// unanswered for PingTimeout.
var ErrPingTimeout = timeoutError("turbohttp: HTTP/2 health-check PING unanswered")

// errH2Closed ends connections closed by the Transport.
var errH2Closed = errors.New("turbohttp: HTTP/2 connection closed")

// newH2ClientConn starts the HTTP/2 connection over c (TLS with ALPN h2,
// or h2c by prior knowledge): the reader goroutine is started, and the
// preface is queued for the caller's first flush.
func newH2ClientConn(t *Transport, p *hostPool, c net.Conn) *h2ClientConn {
	cc := &h2ClientConn{t: t, pool: p, conn: c, capacity: h2InitialCapacity}
	cc.slots.Store(h2InitialCapacity)
	cc.flushed.L = &cc.mu
	cc.eng = h2.NewConn(h2.Client, h2.Config{}, cc)
	cc.rbuf = make([]byte, h2ClientReadBufSize)
	cc.done = make(chan struct{})
	cc.wake = make(chan struct{}, 1)
	if tc, ok := c.(*tls.Conn); ok {
		st := tc.ConnectionState()
		cc.tlsState = &st
	}
	cc.lastRead = time.Now()
	go cc.readLoop()
	go cc.writeLoop()
	return cc
}

// flush has what the engine queued written. Without wait, while other
// streams are open, it wakes the connection's writer goroutine, once per
// batch (a flush under way or a wake pending will take the frames too),
// and returns: the callers of a burst all encode their frames before one
// Write sends them. With wait, or on a connection carrying only the
// caller's stream (nothing to batch with, so no hand-off to pay), it
// writes itself, after the flush under way; with wait the caller knows
// its frames went out (the body writer, which must not outrun the
// socket).
func (cc *h2ClientConn) flush(wait bool) {
	cc.mu.Lock()
	cc.sendLocked(wait)
	cc.mu.Unlock()
}

// sendLocked is flush with mu held (and released around a Write).
func (cc *h2ClientConn) sendLocked(wait bool) {
	if !wait && (cc.flushing || cc.streams.Len() > 1) {
		cc.kickLocked()
		return
	}
	for cc.flushing {
		cc.flushed.Wait()
	}
	cc.flushLocked()
}

// kickLocked wakes the writer goroutine if output waits and no flush is
// under way or already asked for.
func (cc *h2ClientConn) kickLocked() {
	if cc.flushing || cc.kicked || cc.err != nil || cc.eng.OutputPending() == 0 {
		return
	}
	cc.kicked = true
	select {
	case cc.wake <- struct{}{}:
	default:
	}
}

// writeLoop is the connection's writer goroutine: woken by kickLocked, it
// first lets the goroutines already runnable queue their frames too
// (callers woken by the same batch of responses send their next requests)
// and then writes everything with one Write. It ends with the reader.
func (cc *h2ClientConn) writeLoop() {
	for {
		select {
		case <-cc.wake:
		case <-cc.done:
			return
		}
		runtime.Gosched()
		cc.mu.Lock()
		cc.kicked = false
		cc.flushLocked()
		cc.mu.Unlock()
	}
}

// flushLocked writes until nothing is pending; mu is held and released
// around each Write.
func (cc *h2ClientConn) flushLocked() {
	if cc.flushing {
		return
	}
	cc.flushing = true
	for cc.eng.OutputPending() > 0 && !cc.closed {
		cc.wbuf = cc.eng.AppendOutput(cc.wbuf[:0])
		buf := cc.wbuf
		cc.mu.Unlock()
		_, err := cc.conn.Write(buf)
		cc.mu.Lock()
		if err != nil {
			cc.failLocked(err)
			break
		}
	}
	cc.flushing = false
	if cc.err != nil {
		cc.closeLocked()
	}
	if cc.uploads > 0 {
		cc.wakeWritersLocked()
	}
	cc.flushed.Broadcast()
}

// closeLocked closes the socket, once the connection has failed.
func (cc *h2ClientConn) closeLocked() {
	if !cc.closed {
		cc.closed = true
		cc.conn.Close()
	}
}

// flushAsyncLocked has what the reader queued (acknowledgements,
// WINDOW_UPDATE) written by the writer goroutine: the reader must never
// block in Write, or a server blocked writing to us while we write to it
// would deadlock both.
func (cc *h2ClientConn) flushAsyncLocked() { cc.kickLocked() }

// readLoop is the connection's reader goroutine: it feeds the engine,
// runs the health check and, when the connection ends, fails the streams
// left and takes the connection out of the pool.
func (cc *h2ClientConn) readLoop() {
	defer close(cc.done)
	for {
		cc.armReadDeadline()
		n, err := cc.conn.Read(cc.rbuf)
		if n > 0 {
			cc.lastRead, cc.pinging = time.Now(), false
			cc.mu.Lock()
			ferr := cc.eng.Feed(cc.rbuf[:n])
			if ferr == nil && cc.eng.Done() {
				ferr = errH2Closed
			}
			if ferr != nil {
				cc.failLocked(ferr)
			}
			cc.flushAsyncLocked()
			err2 := cc.err
			cc.mu.Unlock()
			if err2 != nil {
				break
			}
			runtime.Gosched()
		}
		if err != nil && !cc.healthTimeout(err) {
			cc.mu.Lock()
			cc.failLocked(err)
			cc.mu.Unlock()
			break
		}
	}
	cc.mu.Lock()
	if !cc.flushing {
		cc.closeLocked() // else the flush under way closes it as it ends
	}
	cc.mu.Unlock()
	cc.t.h2ConnClosed(cc)
}

// armReadDeadline sets the read deadline of the health check:
// ReadIdleTimeout after the last read, or PingTimeout after the PING.
func (cc *h2ClientConn) armReadDeadline() {
	idle := cc.t.readIdleTimeout()
	if idle <= 0 {
		return
	}
	if cc.pinging {
		return // set when the PING was sent
	}
	cc.conn.SetReadDeadline(cc.lastRead.Add(idle))
}

// healthTimeout handles a read error: the read deadline of the health
// check sends a PING (true: read on) or, after a PING, ends the
// connection with ErrPingTimeout (false).
func (cc *h2ClientConn) healthTimeout(err error) bool {
	var ne net.Error
	if cc.t.readIdleTimeout() <= 0 || !errors.As(err, &ne) || !ne.Timeout() {
		return false
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.err != nil {
		return false
	}
	if cc.pinging {
		cc.failLocked(ErrPingTimeout)
		return false
	}
	cc.pinging = true
	cc.conn.SetReadDeadline(time.Now().Add(cc.t.pingTimeout()))
	cc.eng.Ping([8]byte{'h', 'e', 'a', 'l', 't', 'h'})
	cc.flushAsyncLocked()
	return true
}

// failLocked ends the connection with err (once): every stream left gets
// a *ConnLostError, the socket is closed (which ends the reader), and the
// pool stops handing out slots.
func (cc *h2ClientConn) failLocked(err error) {
	if cc.err != nil {
		return
	}
	cc.err = err
	cc.slots.Store(0)
	if cc.eng.Err() == nil {
		cc.eng.Abort(h2.ErrCodeNo, "")
	}
	// The GOAWAY goes out, best effort, before the socket closes: written
	// here, or by the flush under way (which the deadline keeps from
	// blocking on a dead peer) as it ends.
	cc.conn.SetWriteDeadline(time.Now().Add(h2GoAwayWriteTimeout))
	if !cc.flushing {
		cc.flushLocked()
	}
	for id, cs := range cc.streams.All {
		cc.streams.Delete(id)
		cs.engineGone = true
		if cs.remoteDone {
			cs.stopWriterLocked() // its response is complete: it stands
			continue
		}
		cs.failLocked(&ConnLostError{Addr: cc.pool.addr, StreamID: id, Err: err})
	}
}

// wakeWritersLocked wakes the body writers waiting for room in the send
// queue or the windows.
func (cc *h2ClientConn) wakeWritersLocked() {
	for _, cs := range cc.streams.All {
		if cs.uploading {
			cs.wakeWriter()
		}
	}
}

// close ends the connection at once (Transport.CloseIdleConnections,
// IdleConnTimeout).
func (cc *h2ClientConn) close() {
	cc.mu.Lock()
	cc.failLocked(errH2Closed)
	cc.mu.Unlock()
	cc.t.mu.Lock()
	if cc.idleTimer != nil {
		cc.idleTimer.Stop()
	}
	cc.t.mu.Unlock()
}

// The h2.Handler of the connection: its methods run in the reader
// goroutine, inside Feed, with mu held.

// OnHeaders fills the waiting response (or its trailers).
func (cc *h2ClientConn) OnHeaders(h *h2.Headers) {
	cs := cc.streams.Get(h.StreamID)
	if cs == nil {
		return
	}
	cs.onHeaders(h)
}

// OnData buffers response body bytes for the stream's reader; bytes for
// a stream the caller has left are handed back to the windows at once.
func (cc *h2ClientConn) OnData(id uint32, data []byte, end bool) {
	cs := cc.streams.Get(id)
	if cs == nil {
		cc.eng.Consumed(id, len(data))
		return
	}
	cs.buf = append(cs.buf, data...)
	if end {
		cs.remoteDone = true
	}
	cs.wakeIfAsleep()
}

// OnReset fails the stream with a *StreamResetError, or for a stream the
// server refused (REFUSED_STREAM, or above a GOAWAY's last stream) with
// one the caller may retry.
func (cc *h2ClientConn) OnReset(id uint32, code h2.ErrCode) {
	cs := cc.streams.Get(id)
	if cs == nil {
		return
	}
	cc.streams.Delete(id)
	cs.engineGone = true
	if code == h2.ErrCodeNo && cs.remoteDone {
		cs.stopWriterLocked() // the response is complete: stop uploading
		return
	}
	cs.refused = code == h2.ErrCodeRefusedStream && !cs.gotHead
	cs.failLocked(&StreamResetError{StreamID: id, Code: code})
}

// OnSettings takes the server's MAX_CONCURRENT_STREAMS as the capacity.
func (cc *h2ClientConn) OnSettings(peer *h2.Settings) {
	c := int(min(peer.MaxConcurrentStreams, 1<<20))
	if c != cc.capacity {
		cc.capacity = c
		if cc.err == nil && !cc.noNew {
			cc.slots.Store(int32(c))
		}
		go cc.t.h2CapacityChanged(cc)
	}
}

func (cc *h2ClientConn) OnSettingsAck()      {}
func (cc *h2ClientConn) OnPingAck(_ [8]byte) {}

// OnGoAway retires the connection: its streams at or below lastStreamID
// finish; the others were already refused (OnReset).
func (cc *h2ClientConn) OnGoAway(lastStreamID uint32, code h2.ErrCode, debug []byte) {
	cc.noNew = true
	cc.slots.Store(0)
	go cc.t.h2Retire(cc)
}

// OnWindowOpened wakes the writers the windows held back.
func (cc *h2ClientConn) OnWindowOpened(id uint32) {
	if id == 0 {
		cc.wakeWritersLocked()
		return
	}
	if cs := cc.streams.Get(id); cs != nil {
		cs.wakeWriter()
	}
}

// slotCapacity returns the streams the connection may carry at once.
func (cc *h2ClientConn) slotCapacity() int { return int(cc.slots.Load()) }
