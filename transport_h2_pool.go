package turbohttp

import (
	"crypto/tls"
	"net"
	"net/url"
	"time"
)

// Protocols of a hostPool, as far as it knows.
const (
	protoUnknown = iota // https, no connection negotiated yet
	protoH1             // HTTP/1.1: ALPN said so, or plain http
	protoH2             // HTTP/2: ALPN h2, or h2c by prior knowledge
)

// initialProto is the protocol of a new pool: HTTP/2 for http with
// HTTP2PriorKnowledge (directly or through a SOCKS tunnel, not through an
// http proxy), HTTP/1.1 for other http, unknown for https until its first
// connection's ALPN.
func (t *Transport) initialProto(p *hostPool) uint8 {
	switch {
	case p.https && !t.DisableHTTP2:
		return protoUnknown
	case !p.https && t.HTTP2PriorKnowledge && (p.proxy == nil || isSOCKS(p.proxy)):
		return protoH2
	}
	return protoH1
}

// isSOCKS reports whether proxy is a SOCKS proxy, which tunnels
// connections to the origin whatever they carry.
func isSOCKS(proxy *url.URL) bool {
	return proxy.Scheme == "socks5" || proxy.Scheme == "socks5h"
}

// speaksH2 reports whether a dialed connection speaks HTTP/2: ALPN
// negotiated h2, or h2c by prior knowledge.
func (t *Transport) speaksH2(p *hostPool, c net.Conn) bool {
	if tc, ok := c.(*tls.Conn); ok {
		return p.https && !t.DisableHTTP2 && tc.ConnectionState().NegotiatedProtocol == "h2"
	}
	return !p.https && p.proto == protoH2
}

// takeH2SlotLocked reserves a stream on an HTTP/2 connection of p that
// has one free, or returns nil.
func (t *Transport) takeH2SlotLocked(p *hostPool) *h2ClientConn {
	for _, cc := range p.h2 {
		if !cc.retired && cc.reserved < cc.slotCapacity() {
			t.reserveLocked(cc)
			p.stats.Reuses++
			return cc
		}
	}
	return nil
}

// reserveLocked takes a stream slot of cc. With DisableKeepAlives the
// connection carries that one stream only, and closes after it.
func (t *Transport) reserveLocked(cc *h2ClientConn) {
	cc.reserved++
	if t.DisableKeepAlives {
		t.retireLocked(cc)
	}
}

// serveH2WaitersLocked hands cc's free stream slots to the waiters.
func (t *Transport) serveH2WaitersLocked(cc *h2ClientConn) {
	p := cc.pool
	for !cc.retired && p.waiters.len() > 0 && cc.reserved < cc.slotCapacity() {
		w := p.waiters.pop()
		t.reserveLocked(cc)
		w.ch <- connResult{cc: cc}
	}
}

// addH2ConnLocked takes a new HTTP/2 connection into p (its dial's slot
// in open becomes the connection's) and serves the waiters from it.
func (t *Transport) addH2ConnLocked(cc *h2ClientConn) {
	p := cc.pool
	p.proto = protoH2
	cc.inPool = true
	p.h2 = append(p.h2, cc)
	t.serveH2WaitersLocked(cc)
	if cc.reserved == 0 {
		t.armH2IdleLocked(cc)
	}
	t.startDialsLocked(p)
}

// h2SlotFreed is called when an exchange on cc has ended: the slot goes
// to the first waiter, or stays free.
func (t *Transport) h2SlotFreed(cc *h2ClientConn) {
	t.mu.Lock()
	cc.reserved--
	t.serveH2WaitersLocked(cc)
	if cc.reserved == 0 && !cc.retired {
		t.armH2IdleLocked(cc)
	}
	closing := cc.reserved == 0 && t.DisableKeepAlives
	t.mu.Unlock()
	if closing {
		cc.close() // its one stream is over
	}
}

// armH2IdleLocked starts cc's idle period: with no stream for
// IdleConnTimeout, it is closed.
func (t *Transport) armH2IdleLocked(cc *h2ClientConn) {
	d := t.idleTimeout()
	if d <= 0 {
		return
	}
	cc.idleAt = time.Now()
	if cc.idleTimer == nil {
		cc.idleTimer = time.AfterFunc(d, func() { t.h2IdleExpired(cc) })
		return
	}
	cc.idleTimer.Reset(d)
}

// h2IdleExpired closes cc if it carried no stream for IdleConnTimeout.
func (t *Transport) h2IdleExpired(cc *h2ClientConn) {
	t.mu.Lock()
	if cc.retired || cc.reserved > 0 || time.Since(cc.idleAt) < t.idleTimeout() {
		t.mu.Unlock()
		return
	}
	t.retireLocked(cc)
	cc.pool.stats.IdleTimeouts++
	t.mu.Unlock()
	cc.close() // its reader frees the slot of MaxConnsPerHost
}

// h2CapacityChanged is called when the server's MAX_CONCURRENT_STREAMS
// changed.
func (t *Transport) h2CapacityChanged(cc *h2ClientConn) {
	t.mu.Lock()
	t.serveH2WaitersLocked(cc)
	t.startDialsLocked(cc.pool)
	t.mu.Unlock()
}

// h2Retire takes cc out of the pool for new streams (GOAWAY): its
// streams finish, and waiters get a new connection.
func (t *Transport) h2Retire(cc *h2ClientConn) {
	t.mu.Lock()
	t.retireLocked(cc)
	t.startDialsLocked(cc.pool)
	t.mu.Unlock()
}

func (t *Transport) retireLocked(cc *h2ClientConn) {
	cc.retired = true
	if !cc.inPool {
		return
	}
	cc.inPool = false
	p := cc.pool
	for i, c := range p.h2 {
		if c == cc {
			copy(p.h2[i:], p.h2[i+1:])
			p.h2[len(p.h2)-1] = nil
			p.h2 = p.h2[:len(p.h2)-1]
			break
		}
	}
}

// h2ConnClosed is called by cc's reader goroutine as it ends: the
// connection leaves the pool and its slot of MaxConnsPerHost is free.
func (t *Transport) h2ConnClosed(cc *h2ClientConn) {
	t.mu.Lock()
	t.retireLocked(cc)
	t.connClosedLocked(cc.pool)
	t.mu.Unlock()
}

// closeIdleH2Locked retires p's HTTP/2 connections that carry no stream
// and returns them, to be closed.
func (t *Transport) closeIdleH2Locked(p *hostPool, out []*h2ClientConn) []*h2ClientConn {
	for i := 0; i < len(p.h2); {
		cc := p.h2[i]
		if cc.reserved == 0 {
			t.retireLocked(cc)
			out = append(out, cc)
			continue
		}
		i++
	}
	return out
}

// h2Streams returns the stream slots in use over p's HTTP/2 connections.
func (p *hostPool) h2Streams() int {
	n := 0
	for _, cc := range p.h2 {
		n += cc.reserved
	}
	return n
}
