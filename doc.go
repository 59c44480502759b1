// Package turbohttp is an HTTP/1.1 and HTTP/2 server and client for Go,
// rebuilt from the wire up: the message model (Request, Response, Header),
// the Server with its ServeMux, and the Client with its Transport.
//
// The wire formats live in sub-packages that know nothing of this one:
// h1 (HTTP/1.x, RFC 9112), h2 (HTTP/2 frames and connection state, RFC 9113)
// and hpack (RFC 7541). Package nethttp adapts net/http's Handler and
// RoundTripper to this package; turbotest holds the test helpers (what
// net/http/httptest is to net/http) and cookiejar a cookie jar for the
// Client. docs/migrating.md sets net/http's names beside this package's.
//
// Types in this package favour views over copies: a []byte handed out by a
// Request, Response or Header is valid until that value is next modified,
// reset or released, as each method's comment says. Callers who must keep
// one longer copy it (or use Clone).
package turbohttp
