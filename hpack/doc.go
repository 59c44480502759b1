// Package hpack implements HPACK (RFC 7541), the header compression of
// HTTP/2: integer and string coding, Huffman coding, the static and dynamic
// tables, an Encoder and a Decoder. It imports nothing else from turbohttp.
//
// An Encoder and a Decoder each hold one compression context: one per
// direction of an HTTP/2 connection. The Encoder appends representations
// to the caller's buffer (AppendField); the Decoder decodes a complete
// header block and emits its fields through a callback, as byte slices
// valid only during the call (Decode). Once warm, neither allocates.
//
// The Decoder enforces its limits (MaxHeaderListSize, MaxFields,
// MaxStringLength) while it decodes, so a block that would exceed them is
// never built. Such a block is still decoded to its end to keep the
// dynamic table in step with the peer, and the Decoder stays usable: the
// error (ErrHeaderListTooLarge, ErrTooManyFields, ErrStringTooLong) calls
// for failing the stream, with a 431 for a request. A *DecodingError means
// the block was malformed; the compression context is then lost and the
// connection must end with COMPRESSION_ERROR.
//
// Files: primitive.go (integers and strings), huffman.go, tables.go (static
// and dynamic tables), index.go (the Encoder's table lookup), encode.go,
// decode.go, errors.go.
package hpack
