package h2

import (
	"errors"
	"time"

	"turbohttp/hpack"
	"turbohttp/internal/streamtab"
)

// Conn is the HTTP/2 connection engine of one endpoint, client or server
// (the nghttp2 model): it does no I/O, starts no goroutine and reads no
// clock. See the package documentation for the contract.
type Conn struct {
	role Role
	cfg  Config
	h    Handler

	// Read side: the resumable parser (conn_read.go).
	rstate     readState
	prefaceN   int
	hdr        [FrameHeaderLen]byte
	hdrN       int
	fh         FrameHeader // header of the frame being read
	rbuf       []byte      // payload of a frame split across Feeds
	hb         []byte      // header block being assembled across CONTINUATION frames
	hbHead     FrameHeader // the HEADERS frame that started it
	hbPrio     PriorityParam
	contFrames int
	fs         frameSlots
	dec        *hpack.Decoder
	hd         *headerDecoder // made with the first header block (headerDecoder)
	sawPreface bool           // the peer's first frame, a SETTINGS, arrived
	dispatch   bool           // inside the handling of one frame

	// Settings.
	local        Settings // as we announced them
	peer         Settings // as the peer announced them
	settingsOut  int      // our SETTINGS frames not yet acknowledged
	settingsSent time.Time
	settingsDue  bool // Tick has to stamp settingsSent

	// Streams (stream.go).
	streams    streamtab.Table[stream]
	free, dead []*stream
	closed     closedRing
	lastPeerID uint32 // highest stream the peer opened
	nextOwnID  uint32 // the next stream we open
	activePeer int
	activeOwn  int

	// Flow control (flow.go).
	recvInitialWindow uint32 // stream receive window in force
	sendWindow        int64  // connection: what we may still send
	recvWindow        int64  // connection: what the peer may still send
	recvUnacked       int64  // consumed, not yet returned
	owed              int64  // delivered by OnData, not yet Consumed

	// Output (conn_write.go).
	enc      *hpack.Encoder
	om       *outMemo // the last header list written, once there is one
	ctrl     []byte   // control frames: SETTINGS, acks, RST_STREAM, GOAWAY, WINDOW_UPDATE
	hdrs     []byte   // HEADERS (and frames that must follow one)
	final    []byte   // the GOAWAY of a connection error, after everything
	block    []byte   // scratch header block
	sendq    []*stream
	queued   int // DATA bytes in stream queues
	epoch    uint64
	shutPing [8]byte

	// GOAWAY and errors.
	goAwaySent    bool
	goAwayLast    uint32
	shutdownPhase uint8 // 1: first GOAWAY and PING sent, waiting for the ack
	goAwayRecv    bool
	peerLast      uint32
	err           error

	// DoS budgets (budget.go).
	resetBudget int
	idle        [numIdleKinds]int
}

// NewConn returns an engine for role that reports to h. It queues the
// connection preface: for a client, the preface string, then (both roles)
// our SETTINGS and a WINDOW_UPDATE opening the connection window to
// cfg.ConnWindow. The owner must flush them (AppendOutput) before or with
// its first frames, and call Tick to start the SETTINGS timeout.
func NewConn(role Role, cfg Config, h Handler) *Conn {
	if role != Client && role != Server {
		panic("h2: NewConn with an invalid role")
	}
	c := &Conn{role: role, cfg: cfg.withDefaults(), h: h}
	c.closed.init(c.cfg.MaxClosedStreams)
	c.peer = InitialSettings()
	c.dec = hpack.NewDecoder()
	c.dec.MaxHeaderListSize = c.cfg.MaxHeaderListSize
	c.dec.MaxFields = c.cfg.MaxHeaderFields
	c.dec.MaxStringLength = int(min(c.cfg.MaxHeaderListSize, 1<<30))
	c.enc = hpack.NewEncoder()
	c.nextOwnID = 1
	if role == Server {
		c.nextOwnID = 2
		c.rstate = readPreface
	} else {
		c.rstate = readHeader
	}
	c.sendWindow = DefaultInitialWindowSize
	c.recvWindow = int64(c.cfg.ConnWindow)
	c.recvInitialWindow = max(c.cfg.StreamWindow, DefaultInitialWindowSize)
	c.resetBudget = c.cfg.MaxResets
	c.queuePreface()
	return c
}

// queuePreface queues what an endpoint sends first (RFC 9113 §3.4).
func (c *Conn) queuePreface() {
	c.local = InitialSettings()
	settings := [...]Setting{
		{SettingEnablePush, 0},
		{SettingMaxConcurrentStreams, c.cfg.MaxConcurrentStreams},
		{SettingInitialWindowSize, c.cfg.StreamWindow},
		{SettingMaxFrameSize, c.cfg.MaxReadFrameSize},
		{SettingMaxHeaderListSize, c.cfg.MaxHeaderListSize},
	}
	if c.role == Client {
		c.ctrl = append(c.ctrl, ClientPreface...)
	}
	c.ctrl = AppendSettings(c.ctrl, settings[:]...)
	for _, s := range settings {
		_ = c.local.Apply(s)
	}
	c.settingsOut = 1
	c.settingsDue = true
	if inc := int64(c.cfg.ConnWindow) - DefaultInitialWindowSize; inc > 0 {
		c.ctrl = AppendWindowUpdate(c.ctrl, 0, uint32(inc))
	}
}

// Role returns the role the engine plays.
func (c *Conn) Role() Role { return c.role }

// PeerSettings returns the settings the peer announced so far.
func (c *Conn) PeerSettings() Settings { return c.peer }

// Err returns the connection error that ended the engine, or nil.
func (c *Conn) Err() error { return c.err }

// ErrConnClosed is returned by the write methods once the engine has ended
// with a connection error (Err tells which).
var ErrConnClosed = errors.New("h2: connection closed")

// fail ends the connection with a connection error: it queues GOAWAY with
// the error's code (once) and records the error, which Feed returns. Any
// other error is an internal one, sent as INTERNAL_ERROR.
func (c *Conn) fail(err error) error {
	if c.err != nil {
		return c.err
	}
	ce, ok := err.(ConnError)
	if !ok {
		ce = ConnError{Code: ErrCodeInternal, Reason: err.Error()}
	}
	c.err = ce
	debug := ce.Reason
	if len(debug) > 256 {
		debug = debug[:256]
	}
	// The GOAWAY goes out last, after the responses already queued.
	c.final = AppendGoAway(c.final, c.lastPeerID, ce.Code, []byte(debug))
	c.goAwaySent, c.goAwayLast = true, c.lastPeerID
	return ce
}

// Tick checks the deadlines that depend on time: the peer must acknowledge
// our SETTINGS within Config.SettingsTimeout of the first Tick after they
// were queued (call Tick right after flushing them). Past it, Tick ends the
// connection with SETTINGS_TIMEOUT and returns the ConnError. It returns
// the next time Tick should be called (zero if none is pending).
func (c *Conn) Tick(now time.Time) (next time.Time, err error) {
	if c.err != nil {
		return time.Time{}, c.err
	}
	if c.settingsOut == 0 {
		return time.Time{}, nil
	}
	if c.settingsDue {
		c.settingsSent, c.settingsDue = now, false
	}
	deadline := c.settingsSent.Add(c.cfg.SettingsTimeout)
	if !now.Before(deadline) {
		return time.Time{}, c.fail(connError(ErrCodeSettingsTimeout, "SETTINGS not acknowledged in time"))
	}
	return deadline, nil
}

// Done reports whether the connection is over: it failed, or GOAWAY was
// sent or received and no stream is left. The owner flushes the output
// and closes the transport.
func (c *Conn) Done() bool {
	if c.err != nil {
		return true
	}
	return (c.goAwaySent && c.shutdownPhase == 0 || c.goAwayRecv) &&
		c.streams.Len() == 0 && len(c.sendq) == 0
}
