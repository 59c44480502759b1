package turbohttp

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// connectMethod is how a request reaches its origin: the origin's scheme
// and authority, and the proxy, if any. Its key names the pool the
// request's connections live in.
type connectMethod struct {
	https bool
	host  []byte    // the URL's authority, host[:port], a view
	proxy *url.URL  // nil for a direct connection
	kbuf  [128]byte // room to build the key without allocating
}

// connectMethodFor works out the connection a request needs, consulting
// t.Proxy.
func (t *Transport) connectMethodFor(req *Request) (connectMethod, error) {
	cm := connectMethod{https: ascii4(req.URL.Scheme), host: req.URL.Host}
	if t.Proxy != nil {
		u, err := t.Proxy(req)
		if err != nil {
			return cm, err
		}
		if u != nil {
			if err := checkProxyURL(u); err != nil {
				return cm, err
			}
		}
		cm.proxy = u
	}
	return cm, nil
}

// ascii4 reports whether scheme is "https" (case was folded by SetURL;
// fold again for requests built by hand).
func ascii4(scheme []byte) bool {
	return len(scheme) == 5 && scheme[4]|0x20 == 's'
}

// appendKey appends the pool key: "http://host:port" or
// "https://host:port", then "|proxy" when proxied. The port is always
// written, so "example.com" and "example.com:80" share a pool.
func (cm *connectMethod) appendKey(dst []byte) []byte {
	if cm.https {
		dst = append(dst, "https://"...)
	} else {
		dst = append(dst, "http://"...)
	}
	dst = appendHostPort(dst, cm.host, cm.https)
	if cm.proxy != nil {
		dst = append(append(dst, '|'), cm.proxy.String()...)
	}
	return dst
}

// appendHostPort appends host with its port, adding the scheme's default
// port when it has none.
func appendHostPort(dst, host []byte, https bool) []byte {
	dst = append(dst, host...)
	if hasPort(host) {
		return dst
	}
	if https {
		return append(dst, ":443"...)
	}
	return append(dst, ":80"...)
}

// hasPort reports whether an authority carries a port.
func hasPort(host []byte) bool {
	for i := len(host) - 1; i >= 0; i-- {
		switch host[i] {
		case ':':
			return true
		case ']':
			return false
		}
	}
	return false
}

// hostPool holds the connections of one key. Guarded by Transport.mu.
//
// It follows net/http's wantConn model: a caller that finds no idle
// connection queues a wantConn and, while MaxConnsPerHost allows, starts a
// dial; it then takes whichever connection reaches the head of the queue
// first, a released one or a dialed one (its own or another's). A dial runs
// on its own goroutine, detached from the requester's cancellation and
// bounded by DialTimeout and TLSHandshakeTimeout; its connection goes to
// the first waiter, or to the idle stack when none is left.
//
// Everything a waiter is handed passes through three points, which is
// where HTTP/2 connections will plug in: putConn (a connection, or for
// HTTP/2 a stream slot, became free: serve the head of the queue, else
// park it), connClosedLocked (a slot of MaxConnsPerHost became free: maybe
// dial) and startDialsLocked (the one place that decides to dial, which
// will also decide to share one dial among the first requests to a host
// whose protocol is HTTP/2 or not yet known).
type hostPool struct {
	key   string
	shown string // key with the proxy's password redacted, for Stats
	addr  string // host:port of the origin
	https bool
	proxy *url.URL
	// proxyAuth is the Proxy-Authorization value for an http proxy with
	// userinfo, "" otherwise.
	proxyAuth string

	idle    []*persistConn  // LIFO: the most recently used last
	h2      []*h2ClientConn // HTTP/2 connections taking new streams
	proto   uint8           // protoUnknown, protoH1 or protoH2
	open    int             // connections dialing, in use or idle, of both protocols
	dialing int             // dials in progress, counted in open
	waiters waitQueue       // callers waiting for a connection, FIFO
	stats   HostStats
}

// HostStats describes one pool of a Transport: its gauges at the time of
// the call and its counters since the pool was made.
type HostStats struct {
	// Key is "scheme://host:port", followed by "|proxy" when proxied
	// (with the proxy's password redacted).
	Key string
	// Addr is the origin's host:port.
	Addr string

	Open    int // connections dialing, in use or idle
	Idle    int // idle connections
	InUse   int // connections dialing or carrying an exchange
	Dialing int // dials in progress (counted in Open and InUse)
	Waiting int // callers waiting for a connection

	H2Conns   int // HTTP/2 connections taking new streams (counted in Open and InUse)
	H2Streams int // streams open on them

	Dials            uint64 // connections dialed (successfully or not)
	DialErrors       uint64 // dials that failed
	Reuses           uint64 // requests served by an idle connection or a free HTTP/2 stream
	Retries          uint64 // requests retried on a fresh connection
	Evictions        uint64 // idle connections closed for MaxIdleConns or MaxIdleConnsPerHost
	IdleTimeouts     uint64 // idle connections closed for IdleConnTimeout
	ServerClosedIdle uint64 // idle connections found closed by the server (or with unsolicited bytes) before reuse
}

// maxForgetPools is how many pools the Transport keeps before it forgets
// those that have no connection and no waiter (and their counters).
const maxForgetPools = 1024

// Stats returns a snapshot of every pool, in no particular order.
func (t *Transport) Stats() []HostStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]HostStats, 0, len(t.pools))
	for _, p := range t.pools {
		out = append(out, p.snapshot())
	}
	return out
}

// HostStats returns the statistics of the pools for hostport ("host:port",
// or a host alone for its default ports), summed over scheme and proxy.
func (t *Transport) HostStats(hostport string) HostStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	sum := HostStats{Addr: hostport}
	for _, p := range t.pools {
		if p.addr != hostport && !(strings.HasPrefix(p.addr, hostport) && (p.addr[len(hostport):] == ":80" || p.addr[len(hostport):] == ":443")) {
			continue
		}
		s := p.snapshot()
		sum.Open += s.Open
		sum.Idle += s.Idle
		sum.InUse += s.InUse
		sum.Waiting += s.Waiting
		sum.H2Conns += s.H2Conns
		sum.H2Streams += s.H2Streams
		sum.Dialing += s.Dialing
		sum.Dials += s.Dials
		sum.DialErrors += s.DialErrors
		sum.Reuses += s.Reuses
		sum.Retries += s.Retries
		sum.Evictions += s.Evictions
		sum.IdleTimeouts += s.IdleTimeouts
		sum.ServerClosedIdle += s.ServerClosedIdle
	}
	return sum
}

func (p *hostPool) snapshot() HostStats {
	s := p.stats
	s.Key, s.Addr = p.shown, p.addr
	s.Open, s.Idle, s.Waiting, s.Dialing = p.open, len(p.idle), p.waiters.len(), p.dialing
	s.InUse = p.open - len(p.idle)
	s.H2Conns, s.H2Streams = len(p.h2), p.h2Streams()
	return s
}

// poolLocked returns the pool for cm, making it if needed.
func (t *Transport) poolLocked(cm *connectMethod) *hostPool {
	key := cm.appendKey(cm.kbuf[:0])
	if p := t.pools[string(key)]; p != nil {
		return p
	}
	if t.pools == nil {
		t.pools = make(map[string]*hostPool)
	}
	if len(t.pools) >= maxForgetPools {
		t.forgetEmptyPoolsLocked()
	}
	p := &hostPool{
		key:   string(key),
		shown: string(key),
		addr:  string(appendHostPort(nil, cm.host, cm.https)),
		https: cm.https,
		proxy: cm.proxy,
	}
	p.proto = t.initialProto(p)
	if cm.proxy != nil {
		p.proxyAuth = proxyAuthorization(cm.proxy)
		p.shown = p.key[:strings.IndexByte(p.key, '|')+1] + cm.proxy.Redacted()
	}
	t.pools[p.key] = p
	return p
}

func (t *Transport) forgetEmptyPoolsLocked() {
	for k, p := range t.pools {
		if p.open == 0 && p.waiters.len() == 0 {
			delete(t.pools, k)
		}
	}
}

// getConn returns a connection for cm: a free stream slot of an HTTP/2
// connection; else the most recently used idle HTTP/1 connection that is
// still healthy, unless fresh is set (a retry after a reused connection
// failed); else whichever comes first of a connection (or stream slot)
// released by another caller and one dialed for the queue (see hostPool).
// A released connection has just carried an exchange to its end, so a
// retry may take it as net/http's does. The result holds either an
// HTTP/1 connection (pc) or a reserved slot of an HTTP/2 one (cc).
func (t *Transport) getConn(ctx context.Context, cm *connectMethod, fresh bool) (connResult, error) {
	t.mu.Lock()
	p := t.poolLocked(cm)
	if cc := t.takeH2SlotLocked(p); cc != nil {
		t.mu.Unlock()
		return connResult{cc: cc}, nil
	}
	for !fresh {
		pc := t.popIdleLocked(p)
		if pc == nil {
			break
		}
		t.mu.Unlock()
		health := pc.idleHealth(t.idleTimeout())
		if health == idleOK {
			pc.reused = true
			t.mu.Lock()
			p.stats.Reuses++
			t.mu.Unlock()
			return connResult{pc: pc}, nil
		}
		pc.close()
		t.mu.Lock()
		if health == idleExpired {
			p.stats.IdleTimeouts++
		} else {
			p.stats.ServerClosedIdle++
		}
		t.connClosedLocked(p)
	}
	w := &wantConn{ch: make(chan connResult, 1), ctx: ctx}
	p.waiters.push(w)
	t.startDialsLocked(p)
	t.mu.Unlock()
	return t.awaitConn(ctx, p, w)
}

// popIdleLocked takes the most recently used idle connection of p.
func (t *Transport) popIdleLocked(p *hostPool) *persistConn {
	if len(p.idle) == 0 {
		return nil
	}
	pc := p.idle[len(p.idle)-1]
	t.removeIdleLocked(pc)
	return pc
}

// awaitConn waits for w to be served or for ctx to end; a waiter whose
// context ends leaves the queue at once, and a connection handed to it
// meanwhile passes on to the next waiter (or the idle stack).
func (t *Transport) awaitConn(ctx context.Context, p *hostPool, w *wantConn) (connResult, error) {
	select {
	case r := <-w.ch:
		return r, r.err
	case <-ctx.Done():
	}
	t.mu.Lock()
	queued := p.waiters.remove(w)
	t.mu.Unlock()
	if !queued { // served while giving up
		switch r := <-w.ch; {
		case r.pc != nil:
			t.putConn(r.pc)
		case r.cc != nil:
			t.h2SlotFreed(r.cc)
		}
	}
	return connResult{}, ctx.Err()
}

// startDialsLocked starts dials while there are more waiters than dials in
// progress and MaxConnsPerHost allows, each on behalf of the first waiter
// that has none of its own (it receives the dial's error, if any). For a
// host that speaks HTTP/2, or whose protocol is not known yet, one dial at
// a time serves every waiter (its connection takes them all as streams;
// if ALPN says http/1.1 the others dial at once), and with
// StrictMaxConcurrentStreams none is started while an HTTP/2 connection
// is up: its waiters wait for a stream.
func (t *Transport) startDialsLocked(p *hostPool) {
	max := t.MaxConnsPerHost
	for p.dialing < p.waiters.len() && (max <= 0 || p.open < max) {
		if p.proto != protoH1 && !t.DisableKeepAlives && (p.dialing > 0 || t.StrictMaxConcurrentStreams && len(p.h2) > 0) {
			return
		}
		w := p.waiters.firstWithoutDial()
		if w == nil {
			return
		}
		w.dialing = true
		p.open++
		p.dialing++
		go t.dialForQueue(p, w)
	}
}

// dialForQueue runs one dial started for w and hands its connection to the
// first waiter, or to the idle stack. Its context keeps w's values but not
// its cancellation: the dial ends by itself within DialTimeout (and the TLS
// handshake within TLSHandshakeTimeout). A failed dial's error goes to w if
// it still waits.
func (t *Transport) dialForQueue(p *hostPool, w *wantConn) {
	ctx, cancel := context.WithoutCancel(w.ctx), context.CancelFunc(nil)
	if d := t.dialTimeout(); d > 0 {
		ctx, cancel = context.WithTimeout(ctx, d)
	}
	c, err := t.dialFor(ctx, p)
	if cancel != nil {
		cancel()
	}
	t.mu.Lock()
	p.dialing--
	p.stats.Dials++
	if err != nil {
		p.stats.DialErrors++
		if p.waiters.remove(w) {
			w.ch <- connResult{err: err}
		}
		t.connClosedLocked(p)
		t.mu.Unlock()
		return
	}
	if t.speaksH2(p, c) {
		cc := newH2ClientConn(t, p, c)
		t.addH2ConnLocked(cc)
		t.mu.Unlock()
		cc.flush(false) // the preface, whether or not a waiter took a stream
		return
	}
	if p.proto == protoUnknown {
		p.proto = protoH1
	}
	t.mu.Unlock()
	t.putConn(newPersistConn(t, p, c))
	t.mu.Lock()
	t.startDialsLocked(p) // the waiters this connection cannot take
	t.mu.Unlock()
}

// putConn takes a connection back once its exchange has ended cleanly (or
// a new one from its dial): to the first waiter that takes it, or onto the
// idle stack, or closes it.
func (t *Transport) putConn(pc *persistConn) {
	p := pc.pool
	if pc.closing || !pc.quiet() {
		t.releaseConn(pc)
		return
	}
	t.mu.Lock()
	if w := p.waiters.pop(); w != nil {
		if pc.used {
			p.stats.Reuses++
			pc.reused = true
		}
		w.ch <- connResult{pc: pc}
		t.mu.Unlock()
		return
	}
	if t.maxIdlePerHost() < 0 {
		t.connClosedLocked(p)
		t.mu.Unlock()
		pc.close()
		return
	}
	evicted := t.pushIdleLocked(pc)
	t.mu.Unlock()
	for _, old := range evicted {
		old.close()
	}
}

// pushIdleLocked puts pc on its pool's idle stack and returns the
// connections evicted for MaxIdleConnsPerHost and MaxIdleConns.
func (t *Transport) pushIdleLocked(pc *persistConn) []*persistConn {
	p := pc.pool
	var evicted []*persistConn
	if len(p.idle) >= t.maxIdlePerHost() {
		old := p.idle[0]
		t.removeIdleLocked(old)
		t.connClosedLocked(p)
		p.stats.Evictions++
		evicted = append(evicted, old)
	}
	pc.idleAt = time.Now()
	p.idle = append(p.idle, pc)
	t.idleLRU.pushBack(pc)
	t.idleTotal++
	if max := t.maxIdleConns(); max >= 0 && t.idleTotal > max {
		old := t.idleLRU.front()
		t.removeIdleLocked(old)
		t.connClosedLocked(old.pool)
		old.pool.stats.Evictions++
		evicted = append(evicted, old)
	}
	pc.armIdleTimer(t.idleTimeout())
	return evicted
}

// removeIdleLocked takes pc off its pool's idle stack and the LRU list.
func (t *Transport) removeIdleLocked(pc *persistConn) {
	if !pc.inIdle {
		return
	}
	p := pc.pool
	for i := len(p.idle) - 1; i >= 0; i-- {
		if p.idle[i] == pc {
			copy(p.idle[i:], p.idle[i+1:])
			p.idle[len(p.idle)-1] = nil
			p.idle = p.idle[:len(p.idle)-1]
			break
		}
	}
	t.idleLRU.remove(pc)
	t.idleTotal--
}

// connClosedLocked accounts for a connection of p that closed (or a dial
// that failed): its slot may start a dial for the waiters.
func (t *Transport) connClosedLocked(p *hostPool) {
	p.open--
	t.startDialsLocked(p)
}

// releaseConn closes pc, which was in use, and frees its slot.
func (t *Transport) releaseConn(pc *persistConn) {
	pc.close()
	t.mu.Lock()
	t.connClosedLocked(pc.pool)
	t.mu.Unlock()
}

// idleExpired is run by a connection's idle timer.
func (t *Transport) idleExpired(pc *persistConn) {
	t.mu.Lock()
	if !pc.inIdle || time.Since(pc.idleAt) < t.idleTimeout() {
		t.mu.Unlock()
		return
	}
	t.removeIdleLocked(pc)
	pc.pool.stats.IdleTimeouts++
	t.connClosedLocked(pc.pool)
	t.mu.Unlock()
	pc.close()
}

func (t *Transport) countRetry(p *hostPool) {
	t.mu.Lock()
	p.stats.Retries++
	t.mu.Unlock()
}

// wantConn is a caller queued for a connection. ch receives exactly one
// value, under Transport.mu as the wantConn leaves the queue: a connection,
// or the error of the dial started on its behalf.
type wantConn struct {
	ch  chan connResult
	ctx context.Context // the requester's, for the values of its dial
	// dialing: a dial was started on its behalf. Guarded by Transport.mu.
	dialing bool
}

// connResult is what a waiter is handed: an HTTP/1 connection, a stream
// slot reserved on an HTTP/2 connection, or the error of its dial.
type connResult struct {
	pc  *persistConn
	cc  *h2ClientConn
	err error
}

// waitQueue is a FIFO of waiters.
type waitQueue struct {
	q    []*wantConn
	head int
}

func (q *waitQueue) len() int { return len(q.q) - q.head }

func (q *waitQueue) push(w *wantConn) {
	if q.head > 0 && q.head == len(q.q) {
		q.q, q.head = q.q[:0], 0
	}
	q.q = append(q.q, w)
}

// pop removes and returns the first waiter, or nil.
func (q *waitQueue) pop() *wantConn {
	if q.len() == 0 {
		return nil
	}
	w := q.q[q.head]
	q.q[q.head] = nil
	q.head++
	return w
}

// firstWithoutDial returns the first waiter no dial was started for.
func (q *waitQueue) firstWithoutDial() *wantConn {
	for _, w := range q.q[q.head:] {
		if !w.dialing {
			return w
		}
	}
	return nil
}

// remove takes w out of the queue, reporting whether it was there.
func (q *waitQueue) remove(w *wantConn) bool {
	for i := q.head; i < len(q.q); i++ {
		if q.q[i] == w {
			if i == q.head {
				q.q[i] = nil
				q.head++
				return true
			}
			copy(q.q[i:], q.q[i+1:])
			q.q[len(q.q)-1] = nil
			q.q = q.q[:len(q.q)-1]
			return true
		}
	}
	return false
}

// idleList is an intrusive doubly linked list of idle connections, least
// recently used first; it allocates nothing.
type idleList struct {
	head, tail *persistConn
}

func (l *idleList) front() *persistConn { return l.head }

func (l *idleList) pushBack(pc *persistConn) {
	pc.inIdle = true
	pc.prev, pc.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = pc
	} else {
		l.head = pc
	}
	l.tail = pc
}

func (l *idleList) remove(pc *persistConn) {
	if !pc.inIdle {
		return
	}
	if pc.prev != nil {
		pc.prev.next = pc.next
	} else {
		l.head = pc.next
	}
	if pc.next != nil {
		pc.next.prev = pc.prev
	} else {
		l.tail = pc.prev
	}
	pc.prev, pc.next, pc.inIdle = nil, nil, false
}
