package h2

// Field is one header field as name and value bytes. Names are lowercase
// (RFC 9113 §8.2.1); pseudo-header fields start with ':'.
type Field struct {
	Name, Value []byte
}

// Headers is a decoded and validated header section delivered by
// Handler.OnHeaders. It and every slice it holds are views into the Conn's
// buffers, valid only until OnHeaders returns: copy what must outlive it.
type Headers struct {
	StreamID  uint32
	EndStream bool // the peer's side of the stream ends with this section
	// Trailers marks a trailer section (RFC 9113 §8.1): no pseudo-header
	// fields, EndStream always set.
	Trailers bool

	// Request pseudo-header fields (server role); nil when absent. The
	// owner uses Authority as the Host (RFC 9113 §8.3.1).
	Method, Scheme, Authority, Path []byte

	// Status is the :status of a response (client role), 100 to 599.
	// Informational (1xx) responses may precede the final one; they never
	// end the stream.
	Status int

	// ContentLength is the value of the content-length field, or -1. The
	// engine has checked it against the DATA received (§8.1.1).
	ContentLength int64

	// Fields are the regular fields in order. In the server role, several
	// cookie fields are joined into one with "; " (§8.2.3).
	Fields []Field
}

// Informational reports whether h is a 1xx response.
func (h *Headers) Informational() bool { return h.Status >= 100 && h.Status < 200 }

// Handler receives the events Feed decodes, synchronously, from within
// Feed. A method may call the Conn's write methods (WriteHeaders,
// WriteData, Reset, Consumed…) but not Feed. Every slice an event carries
// is valid only until the method returns, and is read-only (the fields of
// a header section may be handed out again for the same block). No method
// is called after Feed has returned an error.
type Handler interface {
	// OnHeaders reports a request (server role), a response or an
	// informational response (client role), or trailers.
	OnHeaders(h *Headers)

	// OnData reports request or response body bytes. len(data) bytes now
	// count against both receive windows until the owner hands them back
	// with Consumed(streamID, len(data)) — when the application has read
	// them, or at once if it discards them. Padding is credited back by the
	// engine. endStream marks the end of the body; data may then be empty.
	OnData(streamID uint32, data []byte, endStream bool)

	// OnReset reports that a stream ended abnormally: reset by the peer
	// (RST_STREAM with code), reset by the engine because the peer broke a
	// stream rule (the RST_STREAM is already queued), or, in the client
	// role, not processed by the peer per its GOAWAY (code
	// ErrCodeRefusedStream: safe to retry). No event follows for the
	// stream.
	OnReset(streamID uint32, code ErrCode)

	// OnSettings reports that the peer's SETTINGS were applied (and their
	// acknowledgement queued): for a client, MaxConcurrentStreams may have
	// changed what CanOpenStream reports.
	OnSettings(peer *Settings)

	// OnSettingsAck reports that the peer acknowledged our SETTINGS.
	OnSettingsAck()

	// OnGoAway reports a GOAWAY from the peer: no stream above
	// lastStreamID was or will be processed (in the client role those
	// streams get OnReset with ErrCodeRefusedStream first). debug is valid
	// until the method returns.
	OnGoAway(lastStreamID uint32, code ErrCode, debug []byte)

	// OnPingAck reports the acknowledgement of a PING sent with Ping.
	OnPingAck(data [8]byte)

	// OnWindowOpened reports that a stream's send window grew
	// (streamID != 0), or the connection's (streamID == 0: any stream
	// blocked on it may proceed). WriteData may now accept more.
	OnWindowOpened(streamID uint32)
}
