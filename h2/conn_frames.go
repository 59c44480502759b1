package h2

// This file handles the frames other than header blocks, one function per
// frame type.

// onData handles a DATA frame (RFC 9113 §6.1). Its whole length counts
// against the connection window whatever the stream's state, and is
// credited back at once when no application will consume it.
func (c *Conn) onData(h FrameHeader, p []byte) error {
	f, err := c.fs.parseData(h, p)
	if err != nil {
		return err
	}
	df := f.(*DataFrame)
	n := int64(h.Length)
	if err := c.takeConnWindow(n); err != nil {
		return err
	}
	s := c.stream(h.StreamID)
	if s == nil {
		c.creditConn(n)
		return c.dataOnClosed(h)
	}
	if s.state != stateOpen && s.state != stateHalfClosedLocal {
		c.creditConn(n)
		return streamError(s.id, ErrCodeStreamClosed, "DATA after END_STREAM")
	}
	if !s.gotHeaders {
		c.creditConn(n)
		return streamError(s.id, ErrCodeProtocol, "DATA before the response HEADERS")
	}
	if n > s.recvWindow {
		c.creditConn(n)
		return streamError(s.id, ErrCodeFlowControl, "DATA beyond the stream's window")
	}
	s.recvWindow -= n
	data := df.Data()
	if pad := n - int64(len(data)); pad > 0 {
		c.credit(s, pad)
	}
	if err := c.dataProgress(h, len(data)); err != nil {
		return err
	}
	s.recvBody += int64(len(data))
	if s.contentLength >= 0 && !s.noBody && s.recvBody > s.contentLength {
		return streamError(s.id, ErrCodeProtocol, "DATA beyond content-length")
	}
	end := df.EndStream()
	if end {
		if err := c.checkBodyEnd(s); err != nil {
			return err
		}
		c.endRemote(s)
	}
	s.owed += int64(len(data))
	c.owed += int64(len(data))
	c.h.OnData(h.StreamID, data, end)
	return nil
}

// dataProgress counts an empty DATA frame that ends nothing as an idle
// frame, and a non-empty one as progress.
func (c *Conn) dataProgress(h FrameHeader, n int) error {
	if n > 0 {
		c.progress()
		return nil
	}
	if !h.Flags.Has(FlagDataEndStream) {
		return c.idleFrame(idleEmpty)
	}
	return nil
}

// dataOnClosed answers DATA on a stream with no entry: idle is a
// connection error, a stream we reset is ignored (but an empty frame
// counts as an idle frame: it costs the peer nothing), others
// STREAM_CLOSED.
func (c *Conn) dataOnClosed(h FrameHeader) error {
	id := h.StreamID
	if c.isIdle(id) {
		return connError(ErrCodeProtocol, "DATA on an idle stream")
	}
	switch c.closed.lookup(id) {
	case closedByUs, closedNeverOpen:
		if h.Length == 0 && !h.Flags.Has(FlagDataEndStream) {
			return c.idleFrame(idleEmpty)
		}
		return nil
	case closedForgotten:
		return c.idleFrame(idleClosed)
	}
	return streamError(id, ErrCodeStreamClosed, "DATA on a closed stream")
}

// isIdle reports whether stream id was never opened.
func (c *Conn) isIdle(id uint32) bool {
	if c.peerInitiated(id) {
		return id > c.lastPeerID
	}
	return id >= c.nextOwnID
}

// onPriority handles a PRIORITY frame (RFC 9113 §6.3): checked, then
// ignored (RFC 9218), on any stream, idle ones included.
func (c *Conn) onPriority(h FrameHeader, p []byte) error {
	if _, err := c.fs.parsePriority(h, p); err != nil {
		return err
	}
	return c.idleFrame(idlePriority)
}

// onRSTStream handles a RST_STREAM frame (RFC 9113 §6.4).
func (c *Conn) onRSTStream(h FrameHeader, p []byte) error {
	f, err := c.fs.parseRSTStream(h, p)
	if err != nil {
		return err
	}
	code := f.(*RSTStreamFrame).ErrCode
	s := c.stream(h.StreamID)
	if s == nil {
		if c.isIdle(h.StreamID) {
			return connError(ErrCodeProtocol, "RST_STREAM on an idle stream")
		}
		return nil
	}
	c.closeStream(s, closedByPeer)
	if err := c.spendReset(); err != nil {
		return err
	}
	c.h.OnReset(h.StreamID, code)
	return nil
}

// onPing handles a PING frame (RFC 9113 §6.7): answered ahead of any other
// output.
func (c *Conn) onPing(h FrameHeader, p []byte) error {
	f, err := c.fs.parsePing(h, p)
	if err != nil {
		return err
	}
	pf := f.(*PingFrame)
	if pf.IsAck() {
		if c.shutdownPhase == 1 && pf.Data == c.shutPing {
			c.finishShutdown()
			return nil
		}
		c.h.OnPingAck(pf.Data)
		return nil
	}
	if err := c.idleFrame(idlePing); err != nil {
		return err
	}
	c.ctrl = AppendPing(c.ctrl, true, pf.Data)
	return c.checkCtrl()
}

// onGoAway handles a GOAWAY frame (RFC 9113 §6.8). In the client role,
// the streams we opened above its last stream ID were not processed: they
// end with OnReset(REFUSED_STREAM), safe to retry.
func (c *Conn) onGoAway(h FrameHeader, p []byte) error {
	f, err := c.fs.parseGoAway(h, p)
	if err != nil {
		return err
	}
	g := f.(*GoAwayFrame)
	if c.goAwayRecv && g.LastStreamID > c.peerLast {
		return connError(ErrCodeProtocol, "GOAWAY raised the last stream ID")
	}
	c.goAwayRecv, c.peerLast = true, g.LastStreamID
	for id, s := range c.streams.All {
		if !c.peerInitiated(id) && id > g.LastStreamID {
			c.closeStream(s, closedByUs)
			c.h.OnReset(id, ErrCodeRefusedStream)
		}
	}
	c.h.OnGoAway(g.LastStreamID, g.ErrCode, g.DebugData())
	return nil
}

// streamError resets the stream of se, as the engine's answer to a frame
// that broke a stream rule, and counts the reset against the budget
// (MadeYouReset).
func (c *Conn) streamError(se StreamError) error {
	if s := c.stream(se.StreamID); s != nil {
		c.resetStream(s, se.Code)
		c.h.OnReset(se.StreamID, se.Code)
	} else {
		// A closed stream, or an idle one named by a PRIORITY frame
		// (which leaves it idle: the peer may still open it).
		if !c.isIdle(se.StreamID) && c.closed.lookup(se.StreamID) == 0 {
			c.closed.add(se.StreamID, closedByUs)
		}
		c.queueRST(se.StreamID, se.Code, 0)
	}
	if err := c.spendReset(); err != nil {
		return err
	}
	return c.checkCtrl()
}
