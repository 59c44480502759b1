package h2

// readState is where the resumable parser stands between two Feeds.
type readState uint8

const (
	readPreface readState = iota // server: the client preface string
	readHeader                   // the 9-octet frame header
	readPayload                  // the payload of fh
	readDone                     // after a connection error: input is ignored
)

// Feed takes bytes read from the peer, split anywhere, and processes every
// frame they complete, calling the Handler for the events and queueing the
// answers (acks, WINDOW_UPDATE, RST_STREAM…) for AppendOutput. A frame
// split across Feeds is kept (at most MaxReadFrameSize bytes). Feed keeps
// no reference to p after it returns.
//
// A stream error resets the stream and Feed goes on. A connection error
// queues GOAWAY with its code and Feed returns it as a ConnError (and again
// on every later call): the owner flushes the output and closes the
// connection.
func (c *Conn) Feed(p []byte) error {
	for len(p) > 0 && c.err == nil {
		var err error
		switch c.rstate {
		case readPreface:
			p, err = c.readPreface(p)
		case readHeader:
			p, err = c.readFrameHeader(p)
		case readPayload:
			p, err = c.readFramePayload(p)
		}
		if err != nil {
			c.rstate = readDone
			return c.fail(err)
		}
	}
	return c.err
}

// readPreface matches the client connection preface (RFC 9113 §3.4).
func (c *Conn) readPreface(p []byte) ([]byte, error) {
	n := min(len(p), len(ClientPreface)-c.prefaceN)
	if string(p[:n]) != ClientPreface[c.prefaceN:c.prefaceN+n] {
		return nil, connError(ErrCodeProtocol, "invalid client connection preface")
	}
	c.prefaceN += n
	if c.prefaceN == len(ClientPreface) {
		c.rstate = readHeader
	}
	return p[n:], nil
}

// readFrameHeader collects a frame header and checks what can be checked
// before the payload: its size, the preface rule and the CONTINUATION rule.
func (c *Conn) readFrameHeader(p []byte) ([]byte, error) {
	var h FrameHeader
	if c.hdrN == 0 && len(p) >= FrameHeaderLen {
		h, _ = ReadFrameHeader(p)
		p = p[FrameHeaderLen:]
	} else {
		n := copy(c.hdr[c.hdrN:], p)
		c.hdrN += n
		p = p[n:]
		if c.hdrN < FrameHeaderLen {
			return p, nil
		}
		c.hdrN = 0
		h, _ = ReadFrameHeader(c.hdr[:])
	}
	if err := c.checkFrameHeader(h); err != nil {
		return nil, err
	}
	c.fh = h
	c.rstate = readPayload
	c.rbuf = c.rbuf[:0]
	if h.Length == 0 {
		return p, c.frame(h, nil)
	}
	return p, nil
}

func (c *Conn) checkFrameHeader(h FrameHeader) error {
	if h.Length > c.cfg.MaxReadFrameSize {
		return connError(ErrCodeFrameSize, h.Type.String()+" frame larger than SETTINGS_MAX_FRAME_SIZE")
	}
	if !c.sawPreface {
		if h.Type != FrameSettings || h.Flags.Has(FlagSettingsAck) {
			return connError(ErrCodeProtocol, "connection preface: the first frame is not SETTINGS")
		}
		c.sawPreface = true
	}
	if c.hbHead.StreamID != 0 {
		switch {
		case h.Type != FrameContinuation:
			return connError(ErrCodeProtocol, h.Type.String()+" frame inside a header block")
		case h.StreamID != c.hbHead.StreamID:
			return connError(ErrCodeProtocol, "CONTINUATION frame on another stream than its header block")
		case int(h.Length) > c.cfg.MaxHeaderBlockBytes-len(c.hb):
			return errBlockTooLarge
		}
		c.contFrames++
		if c.contFrames > c.cfg.MaxContinuationFrames {
			return connError(ErrCodeEnhanceYourCalm, "header block in too many CONTINUATION frames")
		}
	} else if h.Type == FrameContinuation {
		return connError(ErrCodeProtocol, "CONTINUATION frame without HEADERS")
	}
	return nil
}

var errBlockTooLarge = ConnError{Code: ErrCodeEnhanceYourCalm, Reason: "header block larger than MaxHeaderBlockBytes"}

// readFramePayload collects the payload of c.fh: a view of p when the
// whole payload is there and nothing is buffered, else a copy in c.rbuf.
func (c *Conn) readFramePayload(p []byte) ([]byte, error) {
	need := int(c.fh.Length) - len(c.rbuf)
	if len(c.rbuf) == 0 && len(p) >= need {
		return p[need:], c.frame(c.fh, p[:need:need])
	}
	n := min(need, len(p))
	c.rbuf = append(c.rbuf, p[:n]...)
	if n < need {
		return nil, nil
	}
	return p[n:], c.frame(c.fh, c.rbuf)
}

// frame handles one complete frame. A returned error is a connection
// error; stream errors are handled here.
func (c *Conn) frame(h FrameHeader, p []byte) error {
	c.rstate = readHeader
	c.recycle()
	c.dispatch = true
	defer func() { c.dispatch = false }()
	err := c.handleFrame(h, p)
	if se, ok := err.(StreamError); ok {
		return c.streamError(se)
	}
	return err
}

func (c *Conn) handleFrame(h FrameHeader, p []byte) error {
	switch h.Type {
	case FrameData:
		return c.onData(h, p)
	case FrameHeaders:
		return c.onHeadersFrame(h, p)
	case FrameContinuation:
		return c.onContinuation(h, p)
	case FramePushPromise:
		// We announce SETTINGS_ENABLE_PUSH 0 and a client never pushes
		// (RFC 9113 §6.6, §8.4).
		return connError(ErrCodeProtocol, "PUSH_PROMISE received")
	case FramePriority:
		return c.onPriority(h, p)
	case FrameRSTStream:
		return c.onRSTStream(h, p)
	case FrameSettings:
		return c.onSettings(h, p)
	case FramePing:
		return c.onPing(h, p)
	case FrameGoAway:
		return c.onGoAway(h, p)
	case FrameWindowUpdate:
		return c.onWindowUpdate(h, p)
	case FramePriorityUpdate:
		if _, err := c.fs.parsePriorityUpdate(h, p); err != nil {
			return err
		}
		return c.idleFrame(idlePriority)
	}
	return c.idleFrame(idleUnknown)
}

// onHeadersFrame starts a header block.
func (c *Conn) onHeadersFrame(h FrameHeader, p []byte) error {
	f, err := c.fs.parseHeaders(h, p)
	if err != nil {
		return err
	}
	if len(f.block) > c.cfg.MaxHeaderBlockBytes {
		return errBlockTooLarge
	}
	c.hbPrio = f.Priority
	if h.Flags.Has(FlagHeadersEndHeaders) {
		return c.headerBlock(h, f.block)
	}
	c.hbHead = h
	c.contFrames = 0
	c.hb = append(c.hb[:0], f.block...)
	return nil
}

// onContinuation continues the header block; checkFrameHeader has checked
// that it belongs to it.
func (c *Conn) onContinuation(h FrameHeader, p []byte) error {
	c.hb = append(c.hb, p...)
	if !h.Flags.Has(FlagContinuationEndHeaders) {
		if len(p) == 0 {
			return c.idleFrame(idleEmpty)
		}
		return nil
	}
	head := c.hbHead
	c.hbHead = FrameHeader{}
	return c.headerBlock(head, c.hb)
}
