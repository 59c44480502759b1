package h1

import (
	"bufio"
	"io"
)

// BodyReader reads one message body from the connection's bufio.Reader,
// delimited as its head's Framing says: by Content-Length, chunked, or by
// the end of the connection. It never reads past the body, so after Done
// the bufio.Reader is positioned at the next message.
//
// A body cut short reads as io.ErrUnexpectedEOF, never as io.EOF; errors
// are sticky. A BodyReader is a reusable value: a connection keeps one and
// Resets it for each message without allocating. The zero value reads an
// empty body.
type BodyReader struct {
	r       *bufio.Reader
	kind    BodyKind
	left    int64 // BodyLength: bytes left
	n       int64
	done    bool
	err     error
	chunked ChunkedReader
}

// Reset makes b read the body framed by f from r, with the given limits for
// chunked bodies (nil means DefaultLimits).
func (b *BodyReader) Reset(r *bufio.Reader, f Framing, lim *Limits) {
	b.r, b.kind, b.left, b.n, b.err = r, f.Body, f.ContentLength, 0, nil
	b.done = f.Body == BodyNone || f.Body == BodyLength && f.ContentLength <= 0
	if f.Body == BodyChunked {
		b.chunked.Reset(r, lim)
	}
}

// Read reads body data; it returns io.EOF once the body is over (together
// with the last bytes of a Content-Length body).
func (b *BodyReader) Read(p []byte) (int, error) {
	switch {
	case b.kind == BodyChunked:
		return b.chunked.Read(p)
	case b.err != nil:
		return 0, b.err
	case b.done:
		return 0, io.EOF
	case len(p) == 0:
		return 0, nil
	case b.kind == BodyLength && int64(len(p)) > b.left:
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, b.after(n, err)
}

// after updates the state after n bytes were read with err, and returns
// the error for the caller.
func (b *BodyReader) after(n int, err error) error {
	if b.kind == BodyLength {
		b.left -= int64(n)
		if b.left == 0 {
			b.done = true
			return io.EOF
		}
		err = noEOF(err)
	} else if err == io.EOF {
		b.done = true
		return io.EOF
	}
	b.err = err
	return err
}

// N returns the number of body bytes returned (or discarded) so far.
func (b *BodyReader) N() int64 {
	if b.kind == BodyChunked {
		return b.chunked.N()
	}
	return b.n
}

// Done reports whether the body has been read to its end without error.
// For a Content-Length or chunked body the connection is then positioned at
// the next message; a close-delimited body is done when the peer closed.
func (b *BodyReader) Done() bool {
	if b.kind == BodyChunked {
		return b.chunked.Done()
	}
	return b.done
}

// Remaining returns the bytes left in a Content-Length body, 0 once it is
// done, and -1 for a chunked or close-delimited body, whose rest is
// unknown.
func (b *BodyReader) Remaining() int64 {
	switch b.kind {
	case BodyLength:
		return max(b.left, 0)
	case BodyChunked, BodyClose:
		if !b.Done() {
			return -1
		}
	}
	return 0
}

// Trailers returns the trailer fields of a chunked body once Done (see
// ChunkedReader.Trailers); nil otherwise.
func (b *BodyReader) Trailers() Fields {
	if b.kind != BodyChunked {
		return nil
	}
	return b.chunked.Trailers()
}

// Discard reads and drops at most max bytes of the unread body, as a server
// does before reusing a connection whose handler left part of the request
// body unread. It reports whether the body then ended cleanly; false with a
// nil error means more than max bytes were left (a Content-Length body with
// more than max left is not read at all): close the connection.
func (b *BodyReader) Discard(max int64) (bool, error) {
	switch {
	case b.kind == BodyChunked:
		return b.chunked.Discard(max)
	case b.err != nil:
		return false, b.err
	case b.done:
		return true, nil
	case b.kind == BodyLength && b.left > max:
		return false, nil
	}
	for max > 0 {
		step := min(max, 1<<30)
		if b.kind == BodyLength {
			step = min(step, b.left)
		}
		n, err := b.r.Discard(int(step))
		max -= int64(n)
		b.n += int64(n)
		if err := b.after(n, err); err == io.EOF {
			return true, nil
		} else if err != nil {
			return false, err
		}
	}
	return false, nil
}
