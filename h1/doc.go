// Package h1 is the HTTP/1.x wire codec (RFC 9112): it parses request and
// response heads from bytes, writes heads, frames message bodies and applies
// the message-length rules. It does no I/O of its own beyond the readers and
// writers it is handed, starts no goroutines and takes no locks.
//
// # Parsing
//
// ParseRequest and ParseResponse parse a head at the start of a buffer into
// a reusable RequestHead or ResponseHead whose []byte fields are views into
// that buffer, valid while it is unchanged. ErrIncomplete asks for more
// bytes; limits (Limits) are enforced on incomplete input too. Every other
// error is an *Error carrying the status a server answers and telling it to
// close the connection. The parsers also derive the Framing of the message
// (how the body is delimited, whether the connection survives), so a caller
// never re-reads Content-Length or Transfer-Encoding itself.
//
// BodyReader (Content-Length, chunked, close-delimited) and ChunkedReader
// read bodies from the connection's bufio.Reader; they are reusable values
// that do not allocate once warm.
//
// # Strictness
//
// Where RFC 9112 leaves a recipient a choice and leniency could let two
// parsers disagree on message boundaries, this package refuses:
//
//   - Line ends are CRLF only: a bare LF or a bare CR is refused anywhere in a
//     head, at line ends as well (RFC 9112 §2.2 allows accepting a bare LF;
//     we do not), and in chunk-size lines, after chunk data and in trailers.
//   - One empty line before a request line is skipped (MaxLeadingEmptyLines).
//   - obs-fold in a request or in trailers, whitespace between the start
//     line and the first field, whitespace before a colon, a field line
//     without a colon, names that are not tokens, and values with NUL, CR,
//     LF, DEL or other controls (HTAB aside) are 400.
//   - obs-fold in a response head is unfolded, not refused: RFC 9112 §5.2
//     requires a user agent to replace each obs-fold with SP before
//     interpreting the value, and net/http does the same, so a client
//     reading an old server's folded field gets one value. ParseResponse
//     overwrites the fold's CRLF in the caller's buffer with two spaces;
//     framing rules then apply to the unfolded value, so a folded
//     Content-Length such as "5\r\n 5" is still malformed. (A proxy built
//     on this package must accept this or answer 502, as §5.2 allows.)
//   - A response status code outside 100-599 is refused (ErrBadStatusCode):
//     RFC 9110 §15 defines no other class, and net/http refuses it too.
//   - The request line has single spaces; the target is visible ASCII with
//     valid percent-encoding and no fragment; CONNECT takes authority-form
//     (with a port) and only it; "*" only with OPTIONS; absolute-form needs
//     "scheme://authority", whose authority then wins over the Host field.
//     HTTP/1.0 and 1.1 are served; any other well-formed version is 505;
//     an HTTP/0.9 request line without version is not a request line: 400.
//   - HTTP/1.1 requests need exactly one valid Host; HTTP/1.0 at most one.
//   - Content-Length is digits only, without overflow; repeated fields and
//     lists are accepted only when every member is byte-identical.
//   - Transfer-Encoding must end in a single chunked (else 400) and hold
//     nothing else (else 501); with Content-Length, or on HTTP/1.0, a
//     request is 400. A response with both is read as chunked and the
//     connection closed.
//   - Chunk sizes are 1-16 hex digits fitting an int64; extensions follow
//     the grammar and are bounded; trailers are bounded and may not carry
//     framing, routing, authentication or content metadata fields.
//
// # Writing
//
// The Append… functions append heads, fields, chunks and dates to a
// caller's []byte without allocating; ChunkedWriter streams a chunked body.
// Every name, value, method and target is checked, so no caller input can
// inject a field or a message.
package h1
