package h2

// Flow control (RFC 9113 §5.2, §6.9) and SETTINGS (§6.5).
//
// Receiving: each window starts at what we announced (the connection's
// opened to Config.ConnWindow by our first WINDOW_UPDATE) and shrinks by
// every DATA frame's length; a frame beyond it is a FLOW_CONTROL_ERROR.
// The application returns credit with Consumed; the engine sends a
// WINDOW_UPDATE once half a window is owed, not per frame. Sending: the
// peer's windows bound what WriteData accepts; they may go negative when
// the peer lowers SETTINGS_INITIAL_WINDOW_SIZE.

// takeConnWindow counts n received bytes against the connection window.
func (c *Conn) takeConnWindow(n int64) error {
	if n > c.recvWindow {
		return connError(ErrCodeFlowControl, "DATA beyond the connection's window")
	}
	c.recvWindow -= n
	return nil
}

// creditConn returns n bytes to the connection's receive window.
func (c *Conn) creditConn(n int64) {
	c.recvUnacked += n
	if c.recvUnacked >= int64(c.cfg.ConnWindow)/2 {
		c.ctrl = AppendWindowUpdate(c.ctrl, 0, uint32(c.recvUnacked))
		c.recvWindow += c.recvUnacked
		c.recvUnacked = 0
	}
}

// credit returns n bytes to the receive windows of s and the connection.
func (c *Conn) credit(s *stream, n int64) {
	c.creditConn(n)
	if s == nil || s.state != stateOpen && s.state != stateHalfClosedLocal {
		return // the peer sends no more on it: no stream WINDOW_UPDATE
	}
	s.recvUnacked += n
	if s.recvUnacked >= int64(c.recvInitialWindow)/2 {
		c.ctrl = AppendWindowUpdate(c.ctrl, s.id, uint32(s.recvUnacked))
		s.recvWindow += s.recvUnacked
		s.recvUnacked = 0
	}
}

// Consumed returns n bytes of DATA, reported by OnData on streamID, to the
// flow-control windows: call it when the application has read them, or
// discarded them. It is valid on a stream that has since closed (only the
// connection window is then credited). WINDOW_UPDATE frames are queued
// once half a window is owed.
func (c *Conn) Consumed(streamID uint32, n int) {
	if n <= 0 || c.err != nil {
		return
	}
	// Never return more than was received: a WINDOW_UPDATE beyond it
	// could overflow the peer's window.
	m := min(int64(n), c.owed)
	c.owed -= m
	s := c.stream(streamID)
	if s != nil {
		sm := min(m, s.owed)
		s.owed -= sm
		c.creditConn(m - sm)
		c.credit(s, sm)
		return
	}
	c.creditConn(m)
}

// onWindowUpdate handles a WINDOW_UPDATE frame (RFC 9113 §6.9).
func (c *Conn) onWindowUpdate(h FrameHeader, p []byte) error {
	if h.StreamID != 0 && c.stream(h.StreamID) == nil && c.isIdle(h.StreamID) {
		return connError(ErrCodeProtocol, "WINDOW_UPDATE on an idle stream")
	}
	f, err := c.fs.parseWindowUpdate(h, p)
	if err != nil {
		return err
	}
	inc := int64(f.(*WindowUpdateFrame).Increment)
	if err := c.idleFrame(idleWindowUpdate); err != nil {
		return err
	}
	if h.StreamID == 0 {
		if c.sendWindow+inc > MaxWindowSize {
			return connError(ErrCodeFlowControl, "WINDOW_UPDATE overflows the connection's window")
		}
		opened := c.sendWindow <= 0 && c.sendWindow+inc > 0
		c.sendWindow += inc
		if opened {
			c.h.OnWindowOpened(0)
		}
		return nil
	}
	s := c.stream(h.StreamID)
	if s == nil {
		return nil // closed: allowed for a while (§5.1)
	}
	if s.sendWindow+inc > MaxWindowSize {
		return streamError(s.id, ErrCodeFlowControl, "WINDOW_UPDATE overflows the stream's window")
	}
	opened := s.sendWindow <= 0 && s.sendWindow+inc > 0
	s.sendWindow += inc
	if opened && s.state != stateHalfClosedLocal {
		c.h.OnWindowOpened(s.id)
	}
	return nil
}

// onSettings handles a SETTINGS frame (RFC 9113 §6.5): the peer's
// settings are applied in order and acknowledged; an ACK completes ours.
func (c *Conn) onSettings(h FrameHeader, p []byte) error {
	f, err := c.fs.parseSettings(h, p)
	if err != nil {
		return err
	}
	sf := f.(*SettingsFrame)
	if sf.IsAck() {
		return c.settingsAcked()
	}
	if err := c.idleFrame(idleSettings); err != nil {
		return err
	}
	for i := range sf.NumSettings() {
		if err := c.applyPeerSetting(sf.Setting(i)); err != nil {
			return err
		}
	}
	// The ACK follows every header block already encoded, so that the
	// peer's decoder applies a new table size at the right block
	// (RFC 7541 §4.2).
	if len(c.hdrs) > 0 {
		c.hdrs = AppendSettingsAck(c.hdrs)
	} else {
		c.ctrl = AppendSettingsAck(c.ctrl)
	}
	c.h.OnSettings(&c.peer)
	return c.checkCtrl()
}

// applyPeerSetting applies one of the peer's settings.
func (c *Conn) applyPeerSetting(st Setting) error {
	old := c.peer.InitialWindowSize
	if err := c.peer.Apply(st); err != nil {
		return err
	}
	switch st.ID {
	case SettingHeaderTableSize:
		c.enc.SetMaxDynamicTableSizeLimit(st.Val)
	case SettingEnablePush:
		if c.role == Client && st.Val != 0 {
			return connError(ErrCodeProtocol, "SETTINGS_ENABLE_PUSH from a server")
		}
	case SettingInitialWindowSize:
		delta := int64(st.Val) - int64(old)
		for _, s := range c.streams.All {
			if s.sendWindow+delta > MaxWindowSize {
				return connError(ErrCodeFlowControl, "SETTINGS_INITIAL_WINDOW_SIZE overflows a stream's window")
			}
			opened := s.sendWindow <= 0 && s.sendWindow+delta > 0
			s.sendWindow += delta
			if opened {
				c.h.OnWindowOpened(s.id)
			}
		}
	}
	return nil
}

// settingsAcked applies what takes effect once the peer acknowledged our
// SETTINGS: the stream receive window we announced (until then the peer
// may still count with the default), and the HPACK table size limit.
func (c *Conn) settingsAcked() error {
	if c.settingsOut == 0 {
		return c.idleFrame(idleSettings) // unsolicited: ignored, but counted
	}
	c.settingsOut--
	if delta := int64(c.cfg.StreamWindow) - int64(c.recvInitialWindow); delta != 0 {
		c.recvInitialWindow = c.cfg.StreamWindow
		for _, s := range c.streams.All {
			s.recvWindow += delta
		}
	}
	c.dec.SetMaxDynamicTableSize(c.local.HeaderTableSize)
	c.h.OnSettingsAck()
	return nil
}
