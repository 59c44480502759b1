package turbohttp

import (
	"crypto/tls"
	"io"
)

// Response is the response a Client received.
//
// Lifetime: a Response filled by the native Transport.Do belongs to the
// caller, who may reuse it for another call; its views (Reason, Header,
// Trailer) stay valid until then, or until Reset. The Body must be read to
// its end or closed: only then can the connection serve another request.
type Response struct {
	// StatusCode is the final status, e.g. 200.
	StatusCode int

	// Reason is the reason phrase as sent by the server, possibly empty.
	Reason []byte

	// ProtoMajor and ProtoMinor are the protocol version of the response.
	ProtoMajor, ProtoMinor int

	// Header holds the response's header fields.
	Header Header

	// Body streams the content. It is never nil once a request succeeded;
	// it reads as empty for HEAD, 1xx, 204 and 304. When the transport
	// decompressed it, ContentLength is -1 and Uncompressed is true.
	Body io.ReadCloser

	// ContentLength is the length of the body: -1 when unknown.
	ContentLength int64

	// Trailer holds the trailer fields, filled once Body has been read to
	// its end.
	Trailer Header

	// Close reports that the connection closes after this response.
	Close bool

	// Uncompressed reports that the transport removed a gzip encoding it
	// had asked for on its own.
	Uncompressed bool

	// Request is the request that produced this response; after
	// redirects, the last one.
	Request *Request

	// TLS describes the connection's TLS state, nil for plain connections.
	TLS *tls.ConnectionState
}

// Reset clears resp for reuse, keeping its storage. The Body must have been
// closed.
func (resp *Response) Reset() {
	resp.StatusCode = 0
	resp.Reason = resp.Reason[:0]
	resp.ProtoMajor, resp.ProtoMinor = 0, 0
	resp.Header.Reset()
	resp.Body = nil
	resp.ContentLength = 0
	resp.Trailer.Reset()
	resp.Close = false
	resp.Uncompressed = false
	resp.Request = nil
	resp.TLS = nil
}
