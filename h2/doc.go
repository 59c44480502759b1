// Package h2 is HTTP/2 (RFC 9113): the frame codec and, above it, the
// connection engine shared by clients and servers. Header fields and data
// go in and out as bytes; it knows nothing of request or response types.
//
// # Frame layer
//
// The frame layer (RFC 9113 §4, §6; RFC 9218 §7.1) is a codec only; it keeps
// no stream or connection state beyond the header block being assembled.
//
// Reading: a Framer reads frames from an io.Reader into a buffer of its own,
// so that many small frames come with one Read. ReadFrame returns one of the
// frame types (*DataFrame, *HeadersFrame, …) owned by the Framer: the frame
// and every slice it returns are valid until the next ReadFrame, and reading
// does not allocate once the buffers have grown. HEADERS and PUSH_PROMISE
// frames come with their complete header block, assembled from the
// CONTINUATION frames that follow within the limits MaxHeaderBlockBytes and
// MaxContinuationFrames. Every rule a single frame can break is checked;
// breaking one gives a ConnError or a StreamError carrying the RFC's error
// code (ErrCode).
//
// Writing: AppendData, AppendHeaders, AppendSettings and the other Append
// functions append one whole frame to a []byte the caller owns, such as
// Framer.WBuf, so that a connection gathers many frames and sends them with
// one Write (Framer.Flush).
//
// # Connection engine
//
// Conn is the state of one HTTP/2 connection, for either Role, with no I/O
// (the nghttp2 and hyper/h2 model): it never touches a socket, starts no
// goroutine and reads no clock. Its owner (the server's or the client's
// connection code) drives it:
//
//   - NewConn queues the connection preface (a client's preface string, our
//     SETTINGS, a WINDOW_UPDATE opening the connection window).
//   - Feed takes the bytes each Read returned, split anywhere, even one byte
//     at a time: parsing is an explicit resumable state (preface, frame
//     header, payload, expected CONTINUATION). Feed checks every rule of
//     RFC 9113 and calls the Handler for what the peer sent: OnHeaders
//     (request, response, 1xx, trailers), OnData, OnReset, OnSettings,
//     OnSettingsAck, OnGoAway, OnPingAck, OnWindowOpened. Answers the
//     protocol owes (SETTINGS and PING acknowledgements, WINDOW_UPDATE,
//     RST_STREAM for stream errors) are queued by the engine itself.
//   - The application acts through the write methods: OpenStream (client),
//     WriteHeaders (server responses, 1xx included), WriteData (which
//     returns how much the peer's windows and the send queue allowed),
//     WriteTrailers, Reset, Consumed (returns flow-control credit), Ping,
//     Shutdown (graceful GOAWAY), Abort. Headers are encoded with HPACK at
//     once; fields are checked against the same rules as received ones, so
//     the engine never writes a malformed message.
//   - AppendOutput appends everything queued to the owner's buffer, which it
//     sends with one Write: control frames first (acks, RST_STREAM,
//     WINDOW_UPDATE, GOAWAY — so PING is answered ahead of other output),
//     then HEADERS, then DATA one frame per stream in turn. OutputPending
//     tells how much is waiting; an owner whose Write is blocked stops
//     feeding past its budget, which bounds what a peer that does not read
//     can make the connection hold.
//   - Tick(now) enforces the SETTINGS acknowledgement timeout; time enters
//     only there. Done reports when the connection is over (a connection
//     error, or GOAWAY with no stream left).
//
// Threading: a Conn is not safe for concurrent use. The owner serializes
// every call, typically under one lock: the reader goroutine holds it for
// Feed, handler goroutines for their write methods between Feeds, the
// writer for AppendOutput. Handler methods run inside Feed, under that same
// lock, and may call the write methods (but not Feed or AppendOutput).
//
// Lifetimes: the Headers passed to OnHeaders, its Fields, and every byte
// slice of an event (data, debug data) are views into the Conn's buffers,
// valid only until the Handler method returns; copy what must outlive it.
// Feed keeps no reference to its argument after it returns; write methods
// copy what they are given. With these rules an exchange allocates nothing
// in steady state, in either role. Event slices are read-only: the Fields
// of a header section may be handed out again for the same block.
//
// Repeats: a connection's header sections often repeat (a client's
// requests to one backend, a server's responses), and once HPACK has
// indexed them they repeat byte for byte. A header block equal to the last
// one decoded, of the same kind, at the same hpack.Decoder.Generation,
// gives the same fields without being decoded and checked again; a header
// list equal to the last one written, at the same hpack.Encoder.Generation,
// is sent as the same block. The result is exactly what decoding or
// encoding anew would give (FuzzHeaderMemo compares the two).
//
// Errors: a stream error (a malformed message, a frame on a closed stream,
// a stream window overflow…) queues RST_STREAM with the RFC's code, reports
// OnReset if the application knew the stream, and Feed goes on. A
// connection error queues GOAWAY with its code, after whatever output was
// already queued, and Feed returns it as a ConnError, now and on every
// later call; the write methods then return ErrConnClosed. The owner
// flushes AppendOutput and closes the transport.
//
// Limits: every buffer and table is bounded by a named Config limit with a
// default, and the denial-of-service budgets of budget.go (rapid reset,
// MadeYouReset, CONTINUATION flood, HPACK bomb, control-frame and
// empty-frame floods) end an abusive connection with ENHANCE_YOUR_CALM.
//
// Files: config.go (Role, Config, limits), conn.go (the Conn), conn_read.go
// (the resumable parser), conn_frames.go and conn_headers.go (frame by
// frame), headers.go (field validation, RFC 9113 §8.2–8.3), stream.go
// (stream states), flow.go (flow control and SETTINGS), conn_write.go and
// fields_out.go (writing and scheduling), budget.go, tls.go (§9.2).
package h2
