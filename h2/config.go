package h2

import (
	"time"

	"turbohttp/hpack"
)

// Role is the side of the connection an engine plays: it decides the parity
// of the stream identifiers each side opens (RFC 9113 §5.1.1), which
// pseudo-header fields are valid in what it receives and sends (§8.3), and
// who sends the connection preface (§3.4).
type Role uint8

const (
	// Client opens odd-numbered streams, sends the connection preface and
	// receives responses.
	Client Role = iota + 1
	// Server accepts odd-numbered streams, expects the connection preface
	// and receives requests.
	Server
)

func (r Role) String() string {
	switch r {
	case Client:
		return "client"
	case Server:
		return "server"
	}
	return "invalid role"
}

// Defaults of Config. Each limit exists so that a peer cannot make a
// connection cost unbounded memory or work; each has a test.
const (
	// DefaultMaxConcurrentStreams is the SETTINGS_MAX_CONCURRENT_STREAMS we
	// announce: the streams the peer may have open at once (and, for a
	// server, the handlers that may run at once on one connection).
	DefaultMaxConcurrentStreams = 250

	// DefaultStreamWindow is the receive window of every stream,
	// announced as SETTINGS_INITIAL_WINDOW_SIZE: as net/http's 1 MiB, enough
	// for a fast upload over a long path without the owner buffering more
	// than 1 MiB per stream the application does not read.
	DefaultStreamWindow = 1 << 20

	// DefaultConnWindow is the connection's receive window, opened by a
	// WINDOW_UPDATE right after the preface: four full stream windows, so
	// that four uploads proceed at full speed at once, while the data the
	// owner can be made to hold for a connection stays at 4 MiB (net/http's
	// server uses 1 MiB, which throttles parallel uploads; its client 1 GiB,
	// which bounds nothing).
	DefaultConnWindow = 4 << 20

	// DefaultMaxHeaderListSize is the SETTINGS_MAX_HEADER_LIST_SIZE we
	// announce and enforce on every decoded header list (the HPACK bomb):
	// the 64 KiB header section of DESIGN.md.
	DefaultMaxHeaderListSize = hpack.DefaultMaxHeaderListSize

	// DefaultMaxReadFrameSize is the SETTINGS_MAX_FRAME_SIZE we announce,
	// and so the largest payload the engine buffers for one frame.
	DefaultMaxReadFrameSize = DefaultMaxFrameSize

	// DefaultMaxClosedStreams is how many recently closed streams the engine
	// remembers (5 bytes each, allocated as streams close), to tell a late
	// frame on a stream it reset (ignored) from one on a stream closed
	// normally (STREAM_CLOSED): two full rounds of the default
	// MaxConcurrentStreams.
	DefaultMaxClosedStreams = 2 * DefaultMaxConcurrentStreams

	// DefaultMaxStreamSendQueue bounds the DATA bytes queued on one stream
	// and not yet taken by AppendOutput; WriteData accepts no more.
	DefaultMaxStreamSendQueue = 64 << 10

	// DefaultMaxControlQueue bounds the bytes of control frames (acks,
	// RST_STREAM, WINDOW_UPDATE) queued and not yet taken by AppendOutput:
	// a peer that floods PINGs or SETTINGS but does not read the answers
	// gets GOAWAY(ENHANCE_YOUR_CALM) (CVE-2019-9512, CVE-2019-9515).
	DefaultMaxControlQueue = 64 << 10

	// DefaultMaxResets is the stream-reset budget (rapid reset,
	// CVE-2023-44487, and MadeYouReset, CVE-2025-8671): streams reset by
	// the peer while open, plus streams the engine reset because of a
	// frame the peer sent, may exceed the streams completed normally by at
	// most this many; then GOAWAY(ENHANCE_YOUR_CALM).
	DefaultMaxResets = 200

	// DefaultMaxIdleFrames is the flood budget for frames that make no
	// progress (CVE-2019-9512, 9514, 9515, 9516, 9518): PING, SETTINGS,
	// PRIORITY, PRIORITY_UPDATE, WINDOW_UPDATE, unknown frames, and empty
	// DATA, HEADERS or CONTINUATION frames that end nothing. Each kind may
	// repeat this many times between two frames that make progress (a new
	// stream, or DATA carrying data); then GOAWAY(ENHANCE_YOUR_CALM).
	DefaultMaxIdleFrames = 1000

	// DefaultSettingsTimeout is how long the peer has to acknowledge our
	// SETTINGS before Tick ends the connection with SETTINGS_TIMEOUT.
	DefaultSettingsTimeout = 10 * time.Second
)

// Config holds the settings and limits of a Conn. A zero field takes its
// default (the constants above).
type Config struct {
	// MaxConcurrentStreams is announced as SETTINGS_MAX_CONCURRENT_STREAMS
	// and enforced on the streams the peer opens (REFUSED_STREAM).
	MaxConcurrentStreams uint32
	// StreamWindow is announced as SETTINGS_INITIAL_WINDOW_SIZE.
	StreamWindow uint32
	// ConnWindow is the connection's receive window.
	ConnWindow uint32
	// MaxHeaderListSize is announced and enforced on decoding.
	MaxHeaderListSize uint32
	// MaxHeaderFields bounds the fields of one decoded header list
	// (default hpack.DefaultMaxFields).
	MaxHeaderFields int
	// MaxReadFrameSize is announced as SETTINGS_MAX_FRAME_SIZE; it is
	// clamped to MinMaxFrameSize..MaxFrameSizeLimit.
	MaxReadFrameSize uint32
	// MaxHeaderBlockBytes and MaxContinuationFrames bound one header block
	// before it is decoded (the CONTINUATION flood); defaults
	// DefaultMaxHeaderBlockBytes and DefaultMaxContinuationFrames.
	MaxHeaderBlockBytes   int
	MaxContinuationFrames int
	// MaxClosedStreams, MaxStreamSendQueue, MaxControlQueue, MaxResets
	// and MaxIdleFrames: see their defaults.
	MaxClosedStreams   int
	MaxStreamSendQueue int
	MaxControlQueue    int
	MaxResets          int
	MaxIdleFrames      int
	// SettingsTimeout: see DefaultSettingsTimeout.
	SettingsTimeout time.Duration
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	def := func(v *uint32, d uint32) {
		if *v == 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.MaxConcurrentStreams, DefaultMaxConcurrentStreams)
	def(&c.StreamWindow, DefaultStreamWindow)
	def(&c.ConnWindow, DefaultConnWindow)
	def(&c.MaxHeaderListSize, DefaultMaxHeaderListSize)
	def(&c.MaxReadFrameSize, DefaultMaxReadFrameSize)
	c.StreamWindow = min(c.StreamWindow, MaxWindowSize)
	c.ConnWindow = min(max(c.ConnWindow, DefaultInitialWindowSize), MaxWindowSize)
	c.MaxReadFrameSize = min(max(c.MaxReadFrameSize, MinMaxFrameSize), MaxFrameSizeLimit)
	defInt(&c.MaxHeaderFields, hpack.DefaultMaxFields)
	defInt(&c.MaxHeaderBlockBytes, DefaultMaxHeaderBlockBytes)
	defInt(&c.MaxContinuationFrames, DefaultMaxContinuationFrames)
	defInt(&c.MaxClosedStreams, DefaultMaxClosedStreams)
	defInt(&c.MaxStreamSendQueue, DefaultMaxStreamSendQueue)
	defInt(&c.MaxControlQueue, DefaultMaxControlQueue)
	defInt(&c.MaxResets, DefaultMaxResets)
	defInt(&c.MaxIdleFrames, DefaultMaxIdleFrames)
	if c.SettingsTimeout <= 0 {
		c.SettingsTimeout = DefaultSettingsTimeout
	}
	return c
}
