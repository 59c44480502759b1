package turbohttp

import (
	"time"

	"turbohttp/h2"
)

// Protocols is a set of HTTP protocols a Server speaks, as net/http's
// Protocols. The zero value is the empty set; a nil *Protocols in a
// Server means the default: HTTP/1 and HTTP/2 over TLS, HTTP/1 on plain
// connections.
type Protocols struct{ bits uint8 }

const (
	protoHTTP1 = 1 << iota
	protoHTTP2
	protoUnencryptedHTTP2
)

// HTTP1 reports whether the set includes HTTP/1.
func (p Protocols) HTTP1() bool { return p.bits&protoHTTP1 != 0 }

// SetHTTP1 adds or removes HTTP/1.
func (p *Protocols) SetHTTP1(ok bool) { p.set(protoHTTP1, ok) }

// HTTP2 reports whether the set includes HTTP/2 over TLS ("h2" chosen by
// ALPN).
func (p Protocols) HTTP2() bool { return p.bits&protoHTTP2 != 0 }

// SetHTTP2 adds or removes HTTP/2 over TLS.
func (p *Protocols) SetHTTP2(ok bool) { p.set(protoHTTP2, ok) }

// UnencryptedHTTP2 reports whether the set includes HTTP/2 on plain
// connections with prior knowledge (h2c, RFC 9113 §3.3): a connection
// that starts with the HTTP/2 client preface is served as HTTP/2.
func (p Protocols) UnencryptedHTTP2() bool { return p.bits&protoUnencryptedHTTP2 != 0 }

// SetUnencryptedHTTP2 adds or removes h2c with prior knowledge.
func (p *Protocols) SetUnencryptedHTTP2(ok bool) { p.set(protoUnencryptedHTTP2, ok) }

func (p *Protocols) set(bit uint8, ok bool) {
	if ok {
		p.bits |= bit
	} else {
		p.bits &^= bit
	}
}

func (p Protocols) String() string {
	s := "{"
	for _, x := range []struct {
		on   bool
		name string
	}{{p.HTTP1(), "HTTP1"}, {p.HTTP2(), "HTTP2"}, {p.UnencryptedHTTP2(), "UnencryptedHTTP2"}} {
		if x.on {
			if len(s) > 1 {
				s += ","
			}
			s += x.name
		}
	}
	return s + "}"
}

// protocols returns the protocols the server speaks.
func (srv *Server) protocols() Protocols {
	if srv.Protocols != nil {
		return *srv.Protocols
	}
	return Protocols{bits: protoHTTP1 | protoHTTP2}
}

// HTTP2Config holds the settings and limits of the Server's HTTP/2
// connections. A zero field takes its default, that of package h2 (see
// h2.Config); the header limits come from the Server's MaxHeaderBytes and
// MaxHeaderFields.
type HTTP2Config struct {
	// MaxConcurrentStreams is announced as SETTINGS_MAX_CONCURRENT_STREAMS:
	// the requests a client may have open on one connection, and so the
	// handlers that run at once for it. Default 250.
	MaxConcurrentStreams int

	// MaxReceiveBufferPerStream is the flow-control window of each
	// request body (SETTINGS_INITIAL_WINDOW_SIZE): what the server holds
	// for a handler that does not read. Default 1 MiB.
	MaxReceiveBufferPerStream int

	// MaxReceiveBufferPerConnection is the connection's flow-control
	// window, shared by every request body. Default 4 MiB.
	MaxReceiveBufferPerConnection int

	// MaxReadFrameSize is announced as SETTINGS_MAX_FRAME_SIZE, the largest
	// frame payload the server reads (16 KiB to 16 MiB). Default 16 KiB.
	MaxReadFrameSize int

	// SettingsTimeout bounds the wait for the client to acknowledge the
	// server's SETTINGS. Default 10 s.
	SettingsTimeout time.Duration

	// MaxResets and MaxIdleFrames are the engine's denial-of-service
	// budgets (h2.DefaultMaxResets, h2.DefaultMaxIdleFrames).
	MaxResets     int
	MaxIdleFrames int
}

// h2Config returns the engine configuration of the server's HTTP/2
// connections.
func (srv *Server) h2Config() h2.Config {
	var hc HTTP2Config
	if srv.HTTP2 != nil {
		hc = *srv.HTTP2
	}
	clamp := func(v int) uint32 { return uint32(min(max(v, 0), 1<<31-1)) }
	return h2.Config{
		MaxConcurrentStreams: clamp(hc.MaxConcurrentStreams),
		StreamWindow:         clamp(hc.MaxReceiveBufferPerStream),
		ConnWindow:           clamp(hc.MaxReceiveBufferPerConnection),
		MaxReadFrameSize:     clamp(hc.MaxReadFrameSize),
		MaxHeaderListSize:    clamp(pick(srv.MaxHeaderBytes, DefaultMaxHeaderBytes)),
		MaxHeaderFields:      pick(srv.MaxHeaderFields, DefaultMaxHeaderFields),
		SettingsTimeout:      hc.SettingsTimeout,
		MaxResets:            hc.MaxResets,
		MaxIdleFrames:        hc.MaxIdleFrames,
	}
}
