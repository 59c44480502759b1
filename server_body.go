package turbohttp

import (
	"errors"
	"io"

	"turbohttp/h1"
)

// continueLine is the interim response that lets a client waiting on
// "Expect: 100-continue" send its body.
const continueLine = "HTTP/1.1 100 Continue\r\n\r\n"

// requestBody is the Body of a server request: it reads the request's body
// from the connection's buffer, sends 100 Continue before the first read
// when the client asked for it, and fills the request's Trailer at the end.
// It belongs to the connection and is reused for every request.
type requestBody struct {
	c       *conn
	kind    h1.BodyKind
	left    int64 // bytes left of a Content-Length body
	chunked h1.ChunkedReader
	// expect100 is set while a 100 Continue is owed before the first read;
	// sentContinue once one went out.
	expect100, sentContinue bool
	err                     error // sticky
}

// errBodyClosed is returned by reads of a request body after the handler
// returned.
var errBodyClosed = errors.New("turbohttp: read of request body after the handler returned")

func (b *requestBody) reset(h *h1.RequestHead) {
	b.kind = h.Body
	b.left = h.ContentLength
	b.expect100 = h.Expect100 && h.Body != h1.BodyNone
	b.sentContinue = false
	b.err = nil
	if b.kind == h1.BodyChunked {
		b.chunked.Reset(b.c.br, &b.c.lim)
	}
}

func (b *requestBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.expect100 {
		b.expect100 = false
		if !b.sentContinue && !b.c.resp.committed {
			b.sentContinue = true
			b.c.wbuf = append(b.c.wbuf, continueLine...)
			if !b.c.flush() {
				b.err = b.c.resp.err
				return 0, b.err
			}
		}
	}
	var n int
	var err error
	switch b.kind {
	case h1.BodyNone:
		err = io.EOF
	case h1.BodyLength:
		if b.left == 0 {
			err = io.EOF
			break
		}
		if int64(len(p)) > b.left {
			p = p[:b.left]
		}
		n, err = b.c.br.Read(p)
		b.left -= int64(n)
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err == nil && b.left == 0 {
			err = io.EOF
		}
	case h1.BodyChunked:
		n, err = b.chunked.Read(p)
		if err == io.EOF {
			for _, f := range b.chunked.Trailers() {
				b.c.req.Trailer.AddBytes(f.Name, f.Value)
			}
		}
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

// finish runs after the handler: it drains what the handler left unread,
// up to MaxDrainBytes, and reports whether the connection can read the
// next request. A client that still waits for 100 Continue is not sent it:
// its body is never read and the connection closes.
func (b *requestBody) finish() bool {
	defer func() {
		if b.err == nil || b.err == io.EOF {
			b.err = errBodyClosed
		}
	}()
	if b.err == io.EOF || b.kind == h1.BodyNone {
		return true
	}
	if b.err != nil || b.expect100 && !b.sentContinue {
		return false
	}
	limit := b.c.srv.MaxDrainBytes
	if limit == 0 {
		limit = DefaultMaxDrainBytes
	}
	if limit < 0 {
		return false
	}
	switch b.kind {
	case h1.BodyLength:
		if b.left > limit {
			return false
		}
		n, err := b.c.br.Discard(int(b.left))
		b.left -= int64(n)
		return err == nil
	case h1.BodyChunked:
		done, err := b.chunked.Discard(limit)
		return done && err == nil
	}
	return false
}
