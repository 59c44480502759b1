package h2

import "errors"

// Errors of the write methods.
var (
	// ErrStreamClosed: the stream is not open for sending (never opened,
	// already ended by us, or reset).
	ErrStreamClosed = errors.New("h2: stream closed")
	// ErrNoStreamSlot: OpenStream while CanOpenStream is false.
	ErrNoStreamSlot = errors.New("h2: no stream available (MAX_CONCURRENT_STREAMS, GOAWAY or stream IDs exhausted)")
	// ErrWrongRole: a method of the other role.
	ErrWrongRole = errors.New("h2: method not available in this role")
	// ErrHeaderListTooLarge: the header list exceeds the peer's
	// SETTINGS_MAX_HEADER_LIST_SIZE.
	ErrHeaderListTooLarge = errors.New("h2: header list larger than the peer's SETTINGS_MAX_HEADER_LIST_SIZE")
	// ErrHeadersBeforeData: DATA or trailers before the response HEADERS.
	ErrHeadersBeforeData = errors.New("h2: DATA or trailers before the final HEADERS")
)

// FieldError reports a header field the engine refuses to send: an
// invalid name or value, a misplaced or missing pseudo-header field, or a
// connection-specific field (RFC 9113 §8.2).
type FieldError struct{ Reason string }

func (e *FieldError) Error() string { return "h2: invalid header field: " + e.Reason }

// sendable returns the stream streamID if we may still send on it.
func (c *Conn) sendable(streamID uint32) (*stream, error) {
	if c.err != nil {
		return nil, ErrConnClosed
	}
	s := c.stream(streamID)
	if s == nil || s.state != stateOpen && s.state != stateHalfClosedRemote || s.qEnd {
		return nil, ErrStreamClosed
	}
	return s, nil
}

// WriteHeaders queues a response header section on streamID (server role):
// any number of informational (1xx) responses, then the final one, with
// endStream if there is no body. fields starts with :status; names must be
// lowercase. The fields are encoded at once; fields is not retained.
func (c *Conn) WriteHeaders(streamID uint32, fields []Field, endStream bool) error {
	if c.role != Server {
		return ErrWrongRole
	}
	s, err := c.sendable(streamID)
	if err != nil {
		return err
	}
	if s.sentFinal {
		return &FieldError{"a final response was already written; use WriteTrailers"}
	}
	checked, err := c.checkOut(fields, sectionResponse)
	if err != nil {
		return err
	}
	if checked.status < 200 {
		if endStream {
			return &FieldError{"an informational response cannot end the stream"}
		}
	} else {
		s.sentFinal = true
	}
	return c.writeHeaders(s, fields, endStream, checked)
}

// OpenStream opens a stream with a request header section (client role)
// and returns its ID; endStream if the request has no body. fields starts
// with the pseudo-header fields (:method, :scheme, :authority, :path; or
// :method CONNECT and :authority); names must be lowercase.
func (c *Conn) OpenStream(fields []Field, endStream bool) (uint32, error) {
	if c.role != Client {
		return 0, ErrWrongRole
	}
	if c.err != nil {
		return 0, ErrConnClosed
	}
	if !c.CanOpenStream() {
		return 0, ErrNoStreamSlot
	}
	checked, err := c.checkOut(fields, sectionRequest)
	if err != nil {
		return 0, err
	}
	if !c.dispatch {
		c.recycle()
	}
	id := c.nextOwnID
	c.nextOwnID += 2
	s := c.newStream(id, stateOpen)
	s.isHead = string(fields[0].Value) == "HEAD" && string(fields[0].Name) == ":method"
	return id, c.writeHeaders(s, fields, endStream, checked)
}

// CanOpenStream reports whether OpenStream would succeed (client role):
// the peer's MAX_CONCURRENT_STREAMS, and our own (Config), leave a slot, no
// GOAWAY was sent or received, and stream IDs are left.
func (c *Conn) CanOpenStream() bool {
	return c.role == Client && c.err == nil && !c.goAwayRecv && !c.goAwaySent &&
		c.activeOwn < int(min(c.peer.MaxConcurrentStreams, c.cfg.MaxConcurrentStreams)) &&
		c.nextOwnID <= MaxStreamID
}

// ActiveStreams returns the streams open or half-closed that we opened and
// that the peer opened.
func (c *Conn) ActiveStreams() (own, peer int) { return c.activeOwn, c.activePeer }

// WriteTrailers queues a trailer section on streamID, ending the stream.
// Names must be lowercase; no pseudo-header field is allowed. DATA still
// queued on the stream is moved ahead of the trailers.
func (c *Conn) WriteTrailers(streamID uint32, fields []Field) error {
	s, err := c.sendable(streamID)
	if err != nil {
		return err
	}
	if c.role == Server && !s.sentFinal {
		return ErrHeadersBeforeData
	}
	checked, err := c.checkOut(fields, sectionTrailers)
	if err != nil {
		return err
	}
	if s.inSendq {
		c.hdrs = c.appendQueued(c.hdrs, s, len(s.q)-s.qoff)
		c.unqueue(s)
	}
	return c.writeHeaders(s, fields, true, checked)
}

// writeHeaders encodes fields and queues the HEADERS (and CONTINUATION)
// frames; fields are valid.
func (c *Conn) writeHeaders(s *stream, fields []Field, endStream bool, checked checkedList) error {
	size := 0
	for _, f := range fields {
		size += len(f.Name) + len(f.Value) + 32
	}
	if uint64(size) > uint64(c.peer.MaxHeaderListSize) {
		return ErrHeaderListTooLarge
	}
	var block []byte
	if checked.memo {
		block = c.om.block
	} else {
		gen := c.enc.Generation()
		c.block = c.block[:0]
		for _, f := range fields {
			c.block = c.enc.AppendField(c.block, f.Name, f.Value, false)
		}
		block = c.block
		if c.om == nil {
			c.om = new(outMemo)
		}
		c.om.store(fields, checked, gen, c.enc.Generation(), block)
	}
	c.hdrs = AppendHeaderBlock(c.hdrs, HeadersParams{StreamID: s.id, BlockFragment: block, EndStream: endStream}, c.peer.MaxFrameSize)
	s.hdrEpoch = c.epoch + 1
	if endStream {
		c.endLocal(s)
	}
	return nil
}

// WriteData queues as much of data on streamID as the peer's stream and
// connection windows and the stream's send queue (MaxStreamSendQueue)
// allow, and returns how much that was; endStream ends the stream once
// all of data is taken. data is copied. When n < len(data), call again
// after OnWindowOpened (windows) or after the next AppendOutput (queue);
// Writable tells how much would be taken now.
func (c *Conn) WriteData(streamID uint32, data []byte, endStream bool) (int, error) {
	s, err := c.sendable(streamID)
	if err != nil {
		return 0, err
	}
	if c.role == Server && !s.sentFinal {
		return 0, ErrHeadersBeforeData
	}
	n := min(len(data), c.writable(s))
	s.q = append(s.q, data[:n]...)
	s.sendWindow -= int64(n)
	c.sendWindow -= int64(n)
	c.queued += n
	if endStream && n == len(data) {
		s.qEnd = true
	}
	if (n > 0 || s.qEnd) && !s.inSendq {
		s.inSendq = true
		c.sendq = append(c.sendq, s)
	}
	if s.qEnd {
		c.endLocal(s)
	}
	return n, nil
}

// Writable returns how many bytes WriteData would take now on streamID.
func (c *Conn) Writable(streamID uint32) int {
	s, err := c.sendable(streamID)
	if err != nil {
		return 0
	}
	return c.writable(s)
}

func (c *Conn) writable(s *stream) int {
	room := min(s.sendWindow, c.sendWindow, int64(c.cfg.MaxStreamSendQueue-(len(s.q)-s.qoff)))
	return int(max(room, 0))
}

// Reset ends streamID with RST_STREAM(code) and forgets it; late frames
// from the peer on it are ignored (their DATA credited back to the
// connection). DATA still queued is dropped, except with ErrCodeNo after
// the stream's END_STREAM was queued: then the RST_STREAM follows it. That
// is how a server ends a request whose body the handler did not read,
// after a complete response (RFC 9113 §8.1). Resetting a closed stream
// does nothing.
func (c *Conn) Reset(streamID uint32, code ErrCode) error {
	if c.err != nil {
		return ErrConnClosed
	}
	if s := c.stream(streamID); s != nil {
		c.resetStream(s, code)
		return nil
	}
	if s := c.findQueued(streamID); s != nil && code == ErrCodeNo && s.qEnd && !s.rstAfter {
		// Ended normally by us, END_STREAM still queued: ask the peer to
		// stop sending.
		s.rstAfter, s.rstCode = true, code
	}
	return nil
}

func (c *Conn) findQueued(id uint32) *stream {
	for _, s := range c.sendq {
		if s.id == id {
			return s
		}
	}
	return nil
}

// resetStream resets s with code (see Reset).
func (c *Conn) resetStream(s *stream, code ErrCode) {
	if code == ErrCodeNo && s.qEnd && s.inSendq {
		s.rstAfter, s.rstCode = true, code
	} else {
		c.queueRST(s.id, code, s.hdrEpoch)
	}
	c.closeStream(s, closedByUs)
}

// queueRST queues RST_STREAM: after the stream's HEADERS if they are
// still queued (epoch), else with the control frames.
func (c *Conn) queueRST(id uint32, code ErrCode, epoch uint64) {
	if epoch == c.epoch+1 {
		c.hdrs = AppendRSTStream(c.hdrs, id, code)
		return
	}
	c.ctrl = AppendRSTStream(c.ctrl, id, code)
}

// Ping queues a PING with data; OnPingAck reports its acknowledgement.
func (c *Conn) Ping(data [8]byte) error {
	if c.err != nil {
		return ErrConnClosed
	}
	c.ctrl = AppendPing(c.ctrl, false, data)
	return nil
}

// Shutdown starts a graceful shutdown (RFC 9113 §6.8). A server sends
// GOAWAY with the last stream ID 2^31-1 and a PING; when the PING is
// acknowledged, a second GOAWAY with the last stream it accepted, so that
// no request in flight is lost. A client sends GOAWAY at once. Streams
// already open finish; Done reports when none is left. A peer that never
// acknowledges the PING keeps the shutdown in its first phase: the owner's
// shutdown deadline then ends the connection (Abort).
func (c *Conn) Shutdown() {
	if c.err != nil || c.goAwaySent || c.shutdownPhase != 0 {
		return
	}
	if c.role == Client {
		c.ctrl = AppendGoAway(c.ctrl, c.lastPeerID, ErrCodeNo, nil)
		c.goAwaySent, c.goAwayLast = true, c.lastPeerID
		return
	}
	c.ctrl = AppendGoAway(c.ctrl, MaxStreamID, ErrCodeNo, nil)
	c.shutPing = [8]byte{'s', 'h', 'u', 't', 'd', 'o', 'w', 'n'}
	c.ctrl = AppendPing(c.ctrl, false, c.shutPing)
	c.shutdownPhase = 1
}

// finishShutdown sends the final GOAWAY of a graceful shutdown.
func (c *Conn) finishShutdown() {
	c.shutdownPhase = 0
	c.ctrl = AppendGoAway(c.ctrl, c.lastPeerID, ErrCodeNo, nil)
	c.goAwaySent, c.goAwayLast = true, c.lastPeerID
}

// Abort ends the connection at once with GOAWAY(code) and returns the
// ConnError that Feed will return from now on; the owner flushes and
// closes. (Use it for INADEQUATE_SECURITY, see BadCipherSuite, or an idle
// timeout with NO_ERROR.)
func (c *Conn) Abort(code ErrCode, reason string) error {
	return c.fail(connError(code, reason))
}

// OutputPending returns the bytes queued for AppendOutput. While a Write
// of the previous output is blocked, the owner should stop calling Feed
// once this passes its budget: that, with the per-stream queue limit, is
// what bounds the memory a peer that does not read can make the
// connection hold. An empty DATA frame owed (END_STREAM after all data
// was taken, WriteData with no data) counts as its frame header, so that
// an owner flushing while OutputPending is positive never leaves it
// behind.
func (c *Conn) OutputPending() int {
	n := len(c.ctrl) + len(c.hdrs) + len(c.final) + c.queued
	if n == 0 && len(c.sendq) > 0 {
		n = FrameHeaderLen
	}
	return n
}

// AppendOutput appends everything queued to dst and returns it, in order
// of urgency: control frames (acks, RST_STREAM, WINDOW_UPDATE, GOAWAY),
// then HEADERS, then DATA, one frame per stream in turn while any has
// some. The owner writes the result with one Write. It must not be called
// from a Handler method.
func (c *Conn) AppendOutput(dst []byte) []byte {
	dst = append(dst, c.ctrl...)
	dst = append(dst, c.hdrs...)
	c.ctrl, c.hdrs = c.ctrl[:0], c.hdrs[:0]
	c.epoch++
	if len(c.sendq) > 0 {
		c.progress()
	}
	maxFrame := int(c.peer.MaxFrameSize)
	for len(c.sendq) > 0 {
		kept := c.sendq[:0]
		for _, s := range c.sendq {
			dst = c.appendQueued(dst, s, maxFrame)
			if s.inSendq {
				kept = append(kept, s)
			}
		}
		clear(c.sendq[len(kept):])
		c.sendq = kept
	}
	dst = append(dst, c.final...)
	c.final = c.final[:0]
	if !c.dispatch {
		c.recycle()
	}
	return dst
}

// appendQueued appends DATA frames of up to maxFrame bytes carrying up to
// max bytes of the queue of s; when the queue is drained it adds the
// END_STREAM (and RST_STREAM) owed and marks s out of the send queue.
func (c *Conn) appendQueued(dst []byte, s *stream, limit int) []byte {
	maxFrame := int(c.peer.MaxFrameSize)
	for limit > 0 {
		n := min(len(s.q)-s.qoff, limit, maxFrame)
		last := s.qoff+n == len(s.q)
		if n == 0 && !(last && s.qEnd) {
			break
		}
		dst = AppendData(dst, s.id, last && s.qEnd, s.q[s.qoff:s.qoff+n])
		s.qoff += n
		c.queued -= n
		limit -= n
		if last {
			break
		}
	}
	if s.qoff == len(s.q) {
		if s.rstAfter {
			dst = AppendRSTStream(dst, s.id, s.rstCode)
		}
		s.q, s.qoff, s.qEnd, s.rstAfter = s.q[:0], 0, false, false
		s.inSendq = false
		if s.released {
			c.dead = append(c.dead, s)
		}
	}
	return dst
}

// unqueue removes s from the send queue (its queue was written).
func (c *Conn) unqueue(s *stream) {
	for i, q := range c.sendq {
		if q == s {
			n := copy(c.sendq[i:], c.sendq[i+1:])
			c.sendq[i+n] = nil
			c.sendq = c.sendq[:i+n]
			break
		}
	}
}
