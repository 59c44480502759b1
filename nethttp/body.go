package nethttp

import (
	"errors"
	"io"
	"net/http"

	"turbohttp"
)

// requestBody is the http.Request Body over a turbohttp request's body. It
// fills the http.Request's Trailer when the body reaches EOF, and refuses
// reads after Close or once the handler has returned.
type requestBody struct {
	x      *exchange
	r      *turbohttp.Request // nil once the handler has returned
	closed bool
	eof    bool
}

// errBodyDone is returned by reads of a request body after the handler
// returned, which net/http does not allow.
var errBodyDone = errors.New("nethttp: read of request body after the handler returned")

// reset points b at r's body and returns the Body of the http.Request:
// http.NoBody when r has no body, as net/http's server gives.
func (b *requestBody) reset(r *turbohttp.Request) io.ReadCloser {
	b.r, b.closed, b.eof = r, false, false
	if r.ContentLength == 0 {
		return http.NoBody
	}
	return b
}

// done ends b's use for the request: reads fail from then on.
func (b *requestBody) done() { b.r = nil }

func (b *requestBody) Read(p []byte) (int, error) {
	switch {
	case b.r == nil:
		return 0, errBodyDone
	case b.closed:
		return 0, http.ErrBodyReadAfterClose
	case b.eof:
		return 0, io.EOF
	}
	n, err := b.r.Body.Read(p)
	if err == io.EOF {
		b.eof = true
		b.takeTrailer()
	}
	return n, err
}

// Close makes further reads fail; the server discards what was not read.
func (b *requestBody) Close() error {
	b.closed = true
	return nil
}

// takeTrailer copies the request's trailer fields, received with the end
// of the body, into the http.Request's Trailer.
func (b *requestBody) takeTrailer() {
	t := &b.r.Trailer
	if t.Len() == 0 {
		return
	}
	req := &b.x.req
	if req.Trailer == nil {
		req.Trailer = b.x.trailer
	}
	for i := range t.Len() {
		name, value := t.At(i)
		k := canonicalKey(string(name))
		req.Trailer[k] = append(req.Trailer[k], string(value))
	}
}
