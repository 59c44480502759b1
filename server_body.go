package turbohttp

import (
	"errors"
	"io"

	"turbohttp/h1"
)

// requestBody is the Body of a server request: it reads the request's body
// from the connection's buffer, sends 100 Continue before the first read
// when the client asked for it, and fills the request's Trailer at the end.
// It belongs to the connection and is reused for every request.
type requestBody struct {
	c  *conn
	br h1.BodyReader
	// expect100 is set while a 100 Continue is owed before the first read;
	// sentContinue once one went out.
	expect100, sentContinue bool
	// closed is set when the handler returned: reads fail from then on.
	closed bool
	// trailed is set once the trailers went into the request.
	trailed bool
}

// errBodyClosed is returned by reads of a request body after the handler
// returned.
var errBodyClosed = errors.New("turbohttp: read of request body after the handler returned")

func (b *requestBody) reset(h *h1.RequestHead) {
	b.br.Reset(b.c.in.reader(), h.Framing, &b.c.lim)
	b.expect100 = h.Expect100 && h.Body != h1.BodyNone
	b.sentContinue = false
	b.closed, b.trailed = false, false
}

func (b *requestBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, errBodyClosed
	}
	if b.expect100 {
		b.expect100 = false
		if !b.sentContinue && !b.c.resp.committed {
			b.sentContinue = true
			// the interim response that lets the client send its body
			b.c.wbuf, _ = h1.AppendResponseHead(b.c.wbuf, StatusContinue, nil, nil, h1.NoBody)
			if !b.c.flush() {
				return 0, b.c.resp.err
			}
		}
	}
	n, err := b.br.Read(p)
	if err == io.EOF && !b.trailed && b.br.Done() {
		b.trailed = true
		b.c.watch.bodyRead()
		for _, f := range b.br.Trailers() {
			b.c.req.Trailer.AddBytes(f.Name, f.Value)
		}
	}
	return n, err
}

// finish runs after the handler: it drains what the handler left unread,
// up to MaxDrainBytes, and reports whether the connection can read the
// next request. A client still waiting for 100 Continue is not sent it:
// its body was never wanted, and the connection closes.
func (b *requestBody) finish() bool {
	b.closed = true
	if b.br.Done() {
		return true
	}
	limit := b.c.srv.MaxDrainBytes
	if limit == 0 {
		limit = DefaultMaxDrainBytes
	}
	if limit < 0 || b.expect100 {
		return false
	}
	done, err := b.br.Discard(limit)
	return done && err == nil
}
