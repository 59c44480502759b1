package h2

// headerBlock handles a complete header block: it is always decoded, so
// that the HPACK context stays in step with the peer, and then opens a
// stream, completes one, or is refused.
func (c *Conn) headerBlock(h FrameHeader, block []byte) error {
	id := h.StreamID
	endStream := h.Flags.Has(FlagHeadersEndStream)
	if len(block) == 0 && !endStream {
		if err := c.idleFrame(idleEmpty); err != nil {
			return err
		}
	}
	if s := c.stream(id); s != nil {
		return c.streamHeaders(s, block, endStream, h.Flags.Has(FlagHeadersPriority))
	}
	if c.peerInitiated(id) && id > c.lastPeerID {
		if c.role == Client {
			return connError(ErrCodeProtocol, "HEADERS opening a stream from the server")
		}
		return c.openPeerStream(id, block, endStream, h.Flags.Has(FlagHeadersPriority))
	}
	if !c.peerInitiated(id) && id >= c.nextOwnID {
		return connError(ErrCodeProtocol, "HEADERS on an idle stream")
	}
	// A closed stream.
	if _, err := c.decodeDiscard(block); err != nil {
		return err
	}
	switch c.closed.lookup(id) {
	case closedByUs, closedNeverOpen:
		return nil
	case closedForgotten:
		return c.idleFrame(idleClosed)
	case closedByPeer:
		return streamError(id, ErrCodeStreamClosed, "HEADERS on a reset stream")
	case closedNormally:
		return connError(ErrCodeStreamClosed, "HEADERS on a closed stream")
	}
	// Skipped by a higher stream ID: never opened (§5.1.1).
	return connError(ErrCodeProtocol, "HEADERS on a stream ID lower than one already used")
}

// decodeDiscard decodes a block only for its effect on the HPACK context.
func (c *Conn) decodeDiscard(block []byte) (bool, error) {
	_, err := c.headerDecoder().decode(0, block, sectionTrailers)
	if ce, ok := err.(ConnError); ok {
		return false, ce
	}
	return true, nil
}

// openPeerStream handles the HEADERS that opens a stream of the peer.
func (c *Conn) openPeerStream(id uint32, block []byte, endStream, prio bool) error {
	c.lastPeerID = id
	hs, err := c.headerDecoder().decode(id, block, sectionRequest)
	if _, ok := err.(ConnError); ok {
		return err
	}
	if prio && c.hbPrio.StreamDep == id {
		c.closed.add(id, closedByUs)
		return streamError(id, ErrCodeProtocol, "HEADERS frame makes the stream depend on itself")
	}
	if c.goAwaySent && c.shutdownPhase == 0 && id > c.goAwayLast {
		c.closed.add(id, closedNeverOpen) // after our GOAWAY: ignored (§6.8)
		return nil
	}
	if c.activePeer >= int(c.cfg.MaxConcurrentStreams) {
		c.closed.add(id, closedByUs)
		return streamError(id, ErrCodeRefusedStream, "MAX_CONCURRENT_STREAMS exceeded")
	}
	if err == nil && endStream && hs.ContentLength > 0 {
		err = streamError(id, ErrCodeProtocol, "content-length without DATA")
	}
	if err != nil && err != errHeaderLimit {
		// Malformed: reset before the application ever sees the stream.
		c.closed.add(id, closedByUs)
		return err
	}
	state := stateOpen
	if endStream {
		state = stateHalfClosedRemote
	}
	s := c.newStream(id, state)
	if err == errHeaderLimit {
		return c.refuseLargeHeaders(s)
	}
	s.gotHeaders = true
	s.contentLength = hs.ContentLength
	c.progress()
	hs.EndStream = endStream
	c.h.OnHeaders(hs)
	return nil
}

// refuseLargeHeaders answers a request whose header list is over the
// limits with 431 (Request Header Fields Too Large), and RST_STREAM
// (NO_ERROR) if the request is not complete.
func (c *Conn) refuseLargeHeaders(s *stream) error {
	status := [...]Field{{Name: []byte(":status"), Value: []byte("431")}}
	if err := c.writeHeaders(s, status[:], true, checkedList{}); err != nil {
		// Even the 431 is over the peer's header list size.
		c.resetStream(s, ErrCodeProtocol)
	} else if s.state != stateClosed {
		c.resetStream(s, ErrCodeNo)
	}
	// The work of decoding a block over the limits counts like a reset.
	return c.spendReset()
}

// streamHeaders handles a header block on an open stream: a response or
// trailers.
func (c *Conn) streamHeaders(s *stream, block []byte, endStream, prio bool) error {
	kind := sectionTrailers
	if c.role == Client && !s.gotHeaders {
		kind = sectionResponse
	}
	hs, err := c.headerDecoder().decode(s.id, block, kind)
	if _, ok := err.(ConnError); ok {
		return err
	}
	switch {
	case prio && c.hbPrio.StreamDep == s.id:
		return streamError(s.id, ErrCodeProtocol, "HEADERS frame makes the stream depend on itself")
	case s.state == stateHalfClosedRemote || s.state == stateClosed:
		return streamError(s.id, ErrCodeStreamClosed, "HEADERS after END_STREAM")
	case err == errHeaderLimit:
		return streamError(s.id, ErrCodeProtocol, "header list over the limits")
	case err != nil:
		return err
	case kind == sectionTrailers && !endStream:
		return streamError(s.id, ErrCodeProtocol, "trailers without END_STREAM")
	}
	hs.EndStream = endStream
	if kind == sectionResponse {
		if hs.Informational() {
			if endStream {
				return streamError(s.id, ErrCodeProtocol, "1xx response with END_STREAM")
			}
		} else {
			s.gotHeaders = true
			s.contentLength = hs.ContentLength
			s.noBody = s.isHead || hs.Status == 304
		}
	}
	if endStream {
		if err := c.checkBodyEnd(s); err != nil {
			return err
		}
	}
	if endStream {
		c.endRemote(s)
	}
	c.h.OnHeaders(hs)
	return nil
}

// checkBodyEnd checks the body received against content-length at its end
// (RFC 9113 §8.1.1).
func (c *Conn) checkBodyEnd(s *stream) error {
	if s.contentLength >= 0 && !s.noBody && s.recvBody != s.contentLength {
		return streamError(s.id, ErrCodeProtocol, "DATA length differs from content-length")
	}
	return nil
}
