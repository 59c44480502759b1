package turbohttp

import (
	"bufio"
	"compress/gzip"
	"io"

	"turbohttp/internal/ascii"
)

// Transparent compression. Unless DisableCompression is set, the Transport
// asks for gzip ("Accept-Encoding: gzip") when the caller set no
// Accept-Encoding (nor Range, whose byte offsets would refer to the
// compressed form) and the method is not HEAD; a response with
// "Content-Encoding: gzip" then reads decoded, with Content-Encoding and
// Content-Length removed, ContentLength -1 and Uncompressed set. A caller
// that sets Accept-Encoding itself gets the body as sent.

// wantGzip reports whether the transport asks for gzip on its own.
func (t *Transport) wantGzip(req *Request, m string) bool {
	return !t.DisableCompression && m != MethodHead &&
		!req.Header.Has("Accept-Encoding") && !req.Header.Has("Range")
}

// gzipSource is the body a gzipBody decodes: an HTTP/1 body reader, or an
// HTTP/2 stream's. Done reports that the body was read to its end.
type gzipSource interface {
	io.Reader
	Done() bool
}

// gzipBody decodes a gzip response body. It belongs to the connection (or
// the HTTP/2 stream) and is reused: the decoder and its buffer are made
// once.
type gzipBody struct {
	src     gzipSource
	br      *bufio.Reader
	zr      *gzip.Reader
	started bool
	err     error
}

// applies reports whether resp's content is gzip-coded, the only coding
// it lists.
func (g *gzipBody) applies(resp *Response) bool {
	v := resp.Header.Peek("Content-Encoding")
	return v != nil && ascii.EqualFold(v, "gzip") && resp.Header.Count("Content-Encoding") == 1
}

// start makes g decode src, the body of resp, and rewrites resp's head.
func (g *gzipBody) start(src gzipSource, resp *Response) {
	g.src, g.started, g.err = src, false, nil
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	resp.Uncompressed = true
}

// Read reads decoded bytes. The gzip header is read on the first call, so
// that setting up a response never blocks.
func (g *gzipBody) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if !g.started {
		g.started = true
		if err := g.reset(); err != nil {
			g.err = noEOF(err)
			return 0, g.err
		}
	}
	n, err := g.zr.Read(p)
	if err == io.EOF && !g.src.Done() {
		// The gzip stream ended before the body: what follows is junk.
		err = errGzipTrailingData
	}
	if err != nil {
		g.err = err
	}
	return n, err
}

var errGzipTrailingData = &MalformedResponseError{Err: gzip.ErrHeader}

func (g *gzipBody) reset() error {
	if g.br == nil {
		g.br = bufio.NewReaderSize(g.src, 4<<10)
	} else {
		g.br.Reset(g.src)
	}
	if g.zr == nil {
		zr, err := gzip.NewReader(g.br)
		g.zr = zr
		return err
	}
	return g.zr.Reset(g.br)
}

// noEOF turns an end of stream inside a gzip body into
// io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
