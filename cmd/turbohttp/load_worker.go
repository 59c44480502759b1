package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"turbohttp"
)

// Range of the latency histograms: microseconds from 1 µs to a minute,
// with 3 significant figures. Longer latencies are recorded as a minute.
const (
	histMinMicros = 1
	histMaxMicros = int64(time.Minute / time.Microsecond)
	histSigFigs   = 3
)

// maxStatus bounds the status codes counted one by one; others count under
// 0.
const maxStatus = 600

// drainBufSize is the size of the buffer a worker reads bodies into.
const drainBufSize = 16 << 10

// worker sends requests one after another on the shared Transport. It owns
// one Request and one Response, reused for every request, so that its loop
// allocates nothing in steady state; everything it records is its own
// until the run ends (only done and failed are read meanwhile, by the
// progress line).
type worker struct {
	r    *loadRun
	tr   *turbohttp.Transport // of the worker's connection
	req  turbohttp.Request
	resp turbohttp.Response
	body bytes.Reader // reset to r.opts.body before each request
	buf  [drainBufSize]byte

	done   atomic.Uint64 // requests finished, answered or failed
	failed atomic.Uint64 // requests failed

	hist      *hdrhistogram.Histogram // latencies of answered requests, µs
	status    [maxStatus]uint64
	bodyBytes uint64
	h2        uint64 // responses over HTTP/2 (the others: HTTP/1.x)
	errs      [numKinds]errorCount
	aborted   uint64 // exchanges cut off by the end of the run
}

// errorCount counts the errors of one kind and keeps the first message.
type errorCount struct {
	n   uint64
	msg string
}

// newWorker makes a worker with its request ready to send.
func newWorker(r *loadRun, tr *turbohttp.Transport) (*worker, error) {
	o := r.opts
	w := &worker{r: r, tr: tr, hist: hdrhistogram.New(histMinMicros, histMaxMicros, histSigFigs)}
	req := &w.req
	req.Method = o.method
	if err := req.SetURL(o.url); err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", loadUserAgent)
	applyHeaders(req, o.headers)
	if o.body != nil {
		req.Body = &w.body
		req.ContentLength = int64(len(o.body))
		req.GetBody = func() (io.Reader, error) {
			w.body.Reset(o.body)
			return &w.body, nil
		}
	}
	return w, nil
}

// run sends requests until the run says stop.
func (w *worker) run() {
	for w.r.take() {
		w.step()
	}
}

// step sends one request, reads its response to the end and records the
// outcome. It allocates nothing in steady state (see TestLoadStepAllocs).
func (w *worker) step() {
	if w.r.opts.body != nil {
		w.body.Reset(w.r.opts.body)
	}
	start := time.Now()
	n, err := w.exchange()
	elapsed := time.Since(start)
	w.bodyBytes += uint64(n)
	switch {
	case err != nil && w.r.stopped.Load():
		w.aborted++
		return
	case err != nil:
		w.recordError(err)
	default:
		code := w.resp.StatusCode
		if code < 0 || code >= maxStatus {
			code = 0
		}
		w.status[code]++
		if w.resp.ProtoMajor == 2 {
			w.h2++
		}
		us := max(histMinMicros, min(elapsed.Microseconds(), histMaxMicros))
		w.hist.RecordValue(us)
	}
	w.done.Add(1)
}

// exchange sends the request and reads the body to its end, returning the
// body bytes received.
func (w *worker) exchange() (int64, error) {
	if err := w.tr.Do(&w.req, &w.resp); err != nil {
		return 0, err
	}
	var n int64
	for {
		k, err := w.resp.Body.Read(w.buf[:])
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			w.resp.Body.Close()
			return n, err
		}
	}
	return n, w.resp.Body.Close()
}

// recordError counts err by kind.
func (w *worker) recordError(err error) {
	e := &w.errs[classify(err)]
	if e.n == 0 {
		e.msg = err.Error()
	}
	e.n++
	w.failed.Add(1)
}

// tlsConfigInsecure returns the TLS configuration of load: the defaults,
// or no certificate check with -k.
func tlsConfigInsecure(insecure bool) *tls.Config {
	return &tls.Config{InsecureSkipVerify: insecure}
}

// aLongTimeAgo is a deadline in the past, to cut off an exchange.
var aLongTimeAgo = time.Unix(1, 0)

// defaultLoadDialTimeout bounds a dial when --timeout is 0.
const defaultLoadDialTimeout = 30 * time.Second

// dial opens a connection for the Transport within --timeout (and until
// the run stops), wrapped to apply --timeout to each exchange and
// registered so that the end of the run can cut it off.
func (r *loadRun) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(r.stopCtx, cancel)()
	d := net.Dialer{Timeout: r.opts.timeout, KeepAlive: 30 * time.Second}
	if d.Timeout == 0 {
		d.Timeout = defaultLoadDialTimeout
	}
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	lc := &loadConn{Conn: c, r: r}
	lc.starting.Store(true)
	if !r.conns.add(lc) {
		c.Close()
		return nil, errRunStopped
	}
	return lc, nil
}

// errRunStopped is returned by dial once the run has stopped.
var errRunStopped = errors.New("load run stopped")

// loadConn applies the per-request --timeout without a context (whose
// registration would allocate per request): the first write of each
// exchange sets the connection's deadline --timeout ahead. A connection
// goes back to the pool only once its response was read, so the next
// write after a read starts the next exchange. The deadline stays set
// while the connection is idle; a connection idle past it is found
// expired by the Transport's check and replaced. A body that streams (-B
// over 64 KiB) is written by the Transport's second goroutine while the
// response is read, so reads and writes interleave: the deadline then
// moves on at each write that follows response bytes, and --timeout bounds
// the time an exchange makes no progress rather than its whole length.
type loadConn struct {
	net.Conn
	r *loadRun
	// starting: the next write starts an exchange (or, for a streamed
	// body, follows response bytes). Atomic: the Transport may read and
	// write a connection from two goroutines.
	starting atomic.Bool
}

func (c *loadConn) Write(p []byte) (int, error) {
	if c.starting.Load() && c.starting.CompareAndSwap(true, false) {
		if d := c.r.opts.timeout; d > 0 {
			c.Conn.SetDeadline(time.Now().Add(d))
		}
		if c.r.stopped.Load() { // an abort may have raced with the line above
			c.Conn.SetDeadline(aLongTimeAgo)
		}
	}
	return c.Conn.Write(p)
}

// SetDeadline, SetReadDeadline and SetWriteDeadline keep the end of the
// run in force: once it has cut the connection off (loadConns.abort),
// whatever deadline the Transport sets (an exchange's own timeouts clear
// and move theirs) is replaced by one in the past, so an exchange cut off
// cannot be revived and block the end of the run. The check follows the
// set, so it cannot lose a race with abort.
func (c *loadConn) SetDeadline(t time.Time) error {
	err := c.Conn.SetDeadline(t)
	if c.r.stopped.Load() {
		c.Conn.SetDeadline(aLongTimeAgo)
	}
	return err
}

func (c *loadConn) SetReadDeadline(t time.Time) error {
	err := c.Conn.SetReadDeadline(t)
	if c.r.stopped.Load() {
		c.Conn.SetReadDeadline(aLongTimeAgo)
	}
	return err
}

func (c *loadConn) SetWriteDeadline(t time.Time) error {
	err := c.Conn.SetWriteDeadline(t)
	if c.r.stopped.Load() {
		c.Conn.SetWriteDeadline(aLongTimeAgo)
	}
	return err
}

func (c *loadConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.starting.Load() {
		c.starting.Store(true)
	}
	return n, err
}

func (c *loadConn) Close() error {
	c.r.conns.remove(c)
	return c.Conn.Close()
}

// SyscallConn exposes the socket to the Transport's idle check.
func (c *loadConn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, errors.ErrUnsupported
	}
	return sc.SyscallConn()
}

// loadConns is the set of a run's open connections. Only dials, closes and
// the stop take its lock.
type loadConns struct {
	mu      sync.Mutex
	set     map[*loadConn]struct{}
	stopped bool
}

// add registers c, or reports false once the run has stopped.
func (s *loadConns) add(c *loadConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return false
	}
	if s.set == nil {
		s.set = map[*loadConn]struct{}{}
	}
	s.set[c] = struct{}{}
	return true
}

func (s *loadConns) remove(c *loadConn) {
	s.mu.Lock()
	delete(s.set, c)
	s.mu.Unlock()
}

// abort cuts off every exchange in flight by moving the deadlines of the
// connections into the past.
func (s *loadConns) abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	for c := range s.set {
		c.Conn.SetDeadline(aLongTimeAgo)
	}
}
