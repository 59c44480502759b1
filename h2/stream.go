package h2

// Stream states (RFC 9113 §5.1). Push is never used (we announce
// SETTINGS_ENABLE_PUSH 0 as a client and never push as a server), so the
// reserved states never occur:
//
//	                         +--------+
//	                 send PP |        | recv PP
//	                ,--------+  idle  +--------.
//	               /         |        |         \
//	              v          +--------+          v
//	       +----------+          |           +----------+
//	       |          |          | send H /  |          |
//	,------+ reserved |          | recv H    | reserved +------.
//	|      | (local)  |          |           | (remote) |      |
//	|      +---+------+          v           +------+---+      |
//	|          |             +--------+             |          |
//	|          |     recv ES |        | send ES     |          |
//	|   send H |     ,-------+  open  +-------.     | recv H   |
//	|          |    /        |        |        \    |          |
//	|          v   v         +---+----+         v   v          |
//	|      +----------+          |           +----------+      |
//	|      |   half-  |          |           |   half-  |      |
//	|      |  closed  |          | send R /  |  closed  |      |
//	|      | (remote) |          | recv R    | (local)  |      |
//	|      +----+-----+          |           +-----+----+      |
//	|           |                |                 |           |
//	|           | send ES /      |       recv ES / |           |
//	|           |  send R /      v        send R / |           |
//	|           |  recv R    +--------+   recv R   |           |
//	| send R /  `----------->|        |<-----------'  send R / |
//	| recv R                 | closed |               recv R   |
//	`----------------------->|        |<-----------------------'
//	                         +--------+
//
//	send: endpoint sends this frame; recv: endpoint receives this frame
//	H: HEADERS (with CONTINUATION), ES: END_STREAM flag, R: RST_STREAM,
//	PP: PUSH_PROMISE
//
// An idle stream has no entry: a stream ID the peer may open and above the
// highest it opened is idle, one at or below it that has no entry is
// closed. Closed streams are forgotten but for the last MaxClosedStreams,
// remembered with how they closed, so that a late frame on a stream we
// reset is ignored (§5.1 "closed") while one on a stream that ended or
// that the peer reset is a STREAM_CLOSED error. A frame on a stream closed
// too long ago to be remembered is ignored too, and counted as an idle
// frame (budget.go), lest a busy connection be failed for a frame that was
// merely late.
type streamState uint8

const (
	stateIdle streamState = iota
	stateOpen
	stateHalfClosedLocal  // we sent END_STREAM
	stateHalfClosedRemote // the peer sent END_STREAM
	stateClosed
)

// closeKind is how a remembered closed stream ended.
type closeKind uint8

const (
	closedNormally  closeKind = iota + 1 // END_STREAM both ways
	closedByUs                           // we sent RST_STREAM: ignore late frames
	closedByPeer                         // the peer sent RST_STREAM
	closedNeverOpen                      // ignored after our GOAWAY: like closedByUs
	closedForgotten                      // closed long ago: late frames are ignored, but counted
)

// stream is the engine's state of one stream. It is owned by the Conn;
// released streams are recycled.
type stream struct {
	id    uint32
	state streamState

	sendWindow  int64 // what we may still send (the peer's window; may be negative)
	recvWindow  int64 // what the peer may still send
	recvUnacked int64 // consumed by the application, not yet returned by WINDOW_UPDATE
	owed        int64 // delivered by OnData, not yet Consumed

	contentLength int64 // of what we receive, -1 if unknown
	recvBody      int64 // DATA bytes received

	gotHeaders bool // the initial HEADERS was received (server) or the final response (client)
	noBody     bool // client: response to HEAD, or 304: content-length describes no body
	sentFinal  bool // server: the final (non-1xx) response HEADERS was written
	isHead     bool // client: the request was HEAD

	// Output not yet taken by AppendOutput. hdrEpoch is the output epoch in
	// which its HEADERS were queued, so that a RST_STREAM follows them.
	q        []byte
	qoff     int  // q[qoff:] is not yet written
	qEnd     bool // END_STREAM after q
	rstAfter bool // RST_STREAM(rstCode) after q and END_STREAM
	rstCode  ErrCode
	inSendq  bool
	released bool // gone from the table; recycle once out of the send queue
	hdrEpoch uint64
}

// active reports whether s counts against MAX_CONCURRENT_STREAMS (§5.1.2).
func (s *stream) active() bool {
	return s.state == stateOpen || s.state == stateHalfClosedLocal || s.state == stateHalfClosedRemote
}

// closedRing remembers the last n closed streams and how they closed. It
// grows as streams close, up to n, so that an idle connection costs
// nothing. evicted holds the highest stream ID forgotten, per parity: a
// stream ID above it that is neither open nor remembered was never opened.
type closedRing struct {
	ids     []uint32
	kinds   []closeKind
	n, next int
	evicted [2]uint32
}

func (r *closedRing) init(n int) { r.n = n }

func (r *closedRing) add(id uint32, k closeKind) {
	if len(r.ids) < r.n {
		r.ids = append(r.ids, id)
		r.kinds = append(r.kinds, k)
		return
	}
	old := r.ids[r.next]
	r.evicted[old%2] = max(r.evicted[old%2], old)
	r.ids[r.next], r.kinds[r.next] = id, k
	r.next = (r.next + 1) % r.n
}

// lookup returns how stream id closed: closedForgotten if it may have been
// forgotten, 0 if it surely never was opened (nor is remembered).
func (r *closedRing) lookup(id uint32) closeKind {
	for i, v := range r.ids {
		if v == id {
			return r.kinds[i]
		}
	}
	if id <= r.evicted[id%2] {
		return closedForgotten
	}
	return 0
}

// peerInitiated reports whether id is of the parity the peer opens.
func (c *Conn) peerInitiated(id uint32) bool {
	return (id%2 == 1) == (c.role == Server)
}

// newStream takes a stream from the free list, enters it in the table and
// counts it.
func (c *Conn) newStream(id uint32, state streamState) *stream {
	var s *stream
	if n := len(c.free); n > 0 {
		s, c.free = c.free[n-1], c.free[:n-1]
	} else {
		s = new(stream)
	}
	q := s.q[:0]
	*s = stream{id: id, state: state, q: q, contentLength: -1}
	s.sendWindow = int64(c.peer.InitialWindowSize)
	s.recvWindow = int64(c.recvInitialWindow)
	c.streams.Put(id, s)
	if c.peerInitiated(id) {
		c.activePeer++
	} else {
		c.activeOwn++
	}
	return s
}

// stream returns the open stream id, or nil.
func (c *Conn) stream(id uint32) *stream { return c.streams.Get(id) }

// closeStream moves s to closed, remembering how, and releases it. Queued
// DATA is dropped unless the close is the normal end of a stream whose
// last frames are still queued.
func (c *Conn) closeStream(s *stream, k closeKind) {
	if s.state == stateClosed {
		return
	}
	if s.active() {
		if c.peerInitiated(s.id) {
			c.activePeer--
		} else {
			c.activeOwn--
		}
	}
	s.state = stateClosed
	if k != closedNormally && !s.rstAfter {
		c.dropQueue(s)
	}
	if k == closedNormally {
		c.resetBudget = min(c.resetBudget+1, c.cfg.MaxResets)
	}
	c.streams.Delete(s.id)
	c.closed.add(s.id, k)
	s.released = true
	if !s.inSendq {
		c.dead = append(c.dead, s)
	}
}

// dropQueue discards the DATA queued on s, giving its bytes back to the
// connection's send window (the peer never saw them).
func (c *Conn) dropQueue(s *stream) {
	c.sendWindow += int64(len(s.q) - s.qoff)
	c.queued -= len(s.q) - s.qoff
	s.q, s.qoff = s.q[:0], 0
	s.qEnd, s.rstAfter = false, false
}

// maxKeptQueue is the largest send queue a recycled stream keeps.
const maxKeptQueue = 4 << 10

// recycle returns released streams to the free list. It runs only where
// the engine holds no stream pointer across a Handler call.
func (c *Conn) recycle() {
	for _, s := range c.dead {
		if cap(s.q) > maxKeptQueue {
			s.q = nil // a stream that sent much keeps no large buffer
		}
		if len(c.free) < int(c.cfg.MaxConcurrentStreams) {
			c.free = append(c.free, s)
		}
	}
	clear(c.dead)
	c.dead = c.dead[:0]
}

// endRemote records the peer's END_STREAM on s.
func (c *Conn) endRemote(s *stream) {
	switch s.state {
	case stateOpen:
		s.state = stateHalfClosedRemote
	case stateHalfClosedLocal:
		c.closeStream(s, closedNormally)
	}
}

// endLocal records our END_STREAM on s.
func (c *Conn) endLocal(s *stream) {
	switch s.state {
	case stateOpen:
		s.state = stateHalfClosedLocal
	case stateHalfClosedRemote:
		c.closeStream(s, closedNormally)
	}
}
