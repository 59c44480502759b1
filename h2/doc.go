// Package h2 is HTTP/2 (RFC 9113): the frame codec and, above it, the
// connection state machine shared by clients and servers. Header fields and
// data go in and out as bytes; it knows nothing of request or response types.
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
package h2
