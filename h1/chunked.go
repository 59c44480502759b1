package h1

import (
	"bufio"
	"bytes"
	"io"

	"turbohttp/internal/ascii"
)

// ChunkedReader decodes a chunked body (RFC 9112 §7.1) from a bufio.Reader.
// It is strict: chunk sizes are 1 to 16 hex digits without prefix or sign
// and must fit in an int64; every line ends in CRLF (a bare LF or bare CR
// after a size, an extension or chunk data is an error); chunk extensions
// must follow the grammar and are bounded per chunk and per body (the
// grammar's BWS is accepted around "=" and after ";", but not between the
// size and the first ";", which net/http and other parsers refuse); the
// trailer section is bounded and may not carry the fields that frame,
// route or authenticate a message (see forbiddenTrailer).
//
// Errors are sticky. A body cut short reads as io.ErrUnexpectedEOF, never as
// io.EOF. A ChunkedReader is reusable: Reset it for each body; the zero
// value must be Reset before use.
type ChunkedReader struct {
	r *bufio.Reader

	maxExt, maxExtTotal int
	maxTrailerBytes     int
	maxTrailerFields    int
	extTotal            int   // extension bytes seen in this body
	left                int64 // data bytes left in the current chunk
	inData              bool  // a chunk's data (and its CRLF) is being read
	done                bool  // the last chunk and the trailers were read
	n                   int64 // data bytes returned
	err                 error
	trailerBuf          []byte
	trailers            Fields
}

// Reset makes c read a new body from r with the given limits (nil means
// DefaultLimits). The trailers of the previous body are dropped; their
// views become invalid.
func (c *ChunkedReader) Reset(r *bufio.Reader, lim *Limits) {
	*c = ChunkedReader{
		r:                r,
		maxExt:           lim.chunkExtBytes(),
		maxExtTotal:      lim.chunkExtTotal(),
		maxTrailerBytes:  lim.trailerBytes(),
		maxTrailerFields: lim.trailerFields(),
		trailerBuf:       c.trailerBuf[:0],
		trailers:         c.trailers[:0],
	}
}

// N returns the number of body (data) bytes returned so far.
func (c *ChunkedReader) N() int64 { return c.n }

// Done reports whether the whole body, last chunk and trailers included,
// has been read without error: the connection is positioned at the next
// message.
func (c *ChunkedReader) Done() bool { return c.done }

// Trailers returns the trailer fields, once Done. The fields are copies
// owned by c, valid until the next Reset.
func (c *ChunkedReader) Trailers() Fields { return c.trailers }

// Read reads body data. It returns io.EOF after the last chunk and the
// trailer section have been consumed.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	if len(p) == 0 && c.err == nil && !c.done {
		return 0, nil
	}
	if err := c.advance(); err != nil {
		return 0, err
	}
	n := 0
	for {
		q := p[n:]
		if int64(len(q)) > c.left {
			q = q[:c.left]
		}
		m, err := c.r.Read(q)
		c.consumed(m)
		n += m
		if err != nil {
			return n, c.fail(noEOF(err))
		}
		if n == len(p) || c.left > 0 || !c.nextBufferedChunk() {
			return n, nil
		}
	}
}

// nextBufferedChunk moves to the next chunk's data when the end of the
// current chunk and the next size line (without extensions) are already
// buffered, so that one Read can return several small chunks without
// blocking. It reports false, having consumed nothing, otherwise; the last
// chunk is left to advance, which reads the trailers.
func (c *ChunkedReader) nextBufferedChunk() bool {
	b, _ := c.r.Peek(min(c.r.Buffered(), 2+maxChunkSizeDigits+1))
	if len(b) < 5 || b[0] != '\r' || b[1] != '\n' {
		return false
	}
	size, k := plainSizeLine(b[2:])
	if k == 0 || size == 0 {
		return false
	}
	c.r.Discard(2 + k)
	c.left = size
	return true
}

// Discard reads and drops at most max bytes of body data. It reports
// whether the body then ended cleanly (Done); when the body has more than
// max bytes left it stops and returns false with a nil error.
func (c *ChunkedReader) Discard(max int64) (bool, error) {
	for {
		if err := c.advance(); err == io.EOF {
			return true, nil
		} else if err != nil {
			return false, err
		}
		if max == 0 {
			return false, nil
		}
		n, err := c.r.Discard(int(min(c.left, max, 1<<30)))
		c.consumed(n)
		max -= int64(n)
		if err != nil {
			return false, c.fail(noEOF(err))
		}
	}
}

func (c *ChunkedReader) consumed(n int) {
	c.left -= int64(n)
	c.n += int64(n)
}

// advance moves to data that can be read: it returns nil when c.left > 0,
// io.EOF when the body is over, or the error that ended it.
func (c *ChunkedReader) advance() error {
	if c.err != nil {
		return c.err
	}
	for c.left == 0 {
		if c.done {
			return io.EOF
		}
		if c.inData {
			if err := c.readDataEnd(); err != nil {
				return c.fail(err)
			}
			c.inData = false
		}
		size, err := c.readSizeLine()
		if err != nil {
			return c.fail(err)
		}
		if size == 0 {
			if err := c.readTrailers(); err != nil {
				return c.fail(err)
			}
			c.done = true
			return io.EOF
		}
		c.left, c.inData = size, true
	}
	return nil
}

func (c *ChunkedReader) fail(err error) error {
	c.err = err
	return err
}

// noEOF turns the end of the stream inside a body into
// io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (c *ChunkedReader) readByte() (byte, error) {
	b, err := c.r.ReadByte()
	return b, noEOF(err)
}

// readDataEnd reads the CRLF that ends a chunk's data.
func (c *ChunkedReader) readDataEnd() error {
	if c.r.Buffered() >= 2 {
		if b, _ := c.r.Peek(2); b[0] == '\r' && b[1] == '\n' {
			c.r.Discard(2)
			return nil
		}
	}
	for _, want := range [2]byte{'\r', '\n'} {
		b, err := c.readByte()
		if err != nil {
			return err
		}
		if b != want {
			return ErrBadChunkEnd
		}
	}
	return nil
}

// maxChunkSizeDigits bounds a chunk size: 16 hex digits, the most that can
// hold an int64 (with a first digit below 8).
const maxChunkSizeDigits = 16

// readSizeLine reads chunk-size [chunk-ext] CRLF and returns the size.
func (c *ChunkedReader) readSizeLine() (int64, error) {
	if c.r.Buffered() == 0 {
		c.r.Peek(1) // fill the buffer, so that the fast path can see the line
	}
	if size, n := c.peekPlainSizeLine(); n > 0 {
		c.r.Discard(n)
		return size, nil
	}
	var size int64
	digits := 0
	for {
		b, err := c.readByte()
		if err != nil {
			return 0, err
		}
		v, ok := ascii.HexValue(b)
		if !ok {
			if digits == 0 || b != ';' && b != '\r' && b != '\n' {
				return 0, ErrBadChunkSize
			}
			return size, c.readExtensions(b)
		}
		if digits == maxChunkSizeDigits || size > (1<<63-1)>>4 {
			return 0, ErrChunkSizeOverflow
		}
		size = size<<4 | int64(v)
		digits++
	}
}

// peekPlainSizeLine is the fast path of readSizeLine: if the buffer holds a
// whole size line without extensions, 1 to 15 hex digits and CRLF, it
// returns the size and the line's length; otherwise n is 0 and the line is
// left to the byte-by-byte parser, which gives the same result.
func (c *ChunkedReader) peekPlainSizeLine() (size int64, n int) {
	b, _ := c.r.Peek(min(c.r.Buffered(), maxChunkSizeDigits+1))
	return plainSizeLine(b)
}

// plainSizeLine parses a size line without extensions at the start of b: 1
// to 15 hex digits and CRLF. n is 0 if b does not start with a whole one.
func plainSizeLine(b []byte) (size int64, n int) {
	for i, ch := range b {
		v, ok := ascii.HexValue(ch)
		if ok {
			size = size<<4 | int64(v)
			continue
		}
		if i == 0 || ch != '\r' || i+1 == len(b) || b[i+1] != '\n' {
			return 0, 0
		}
		return size, i + 2
	}
	return 0, 0
}

// States of the chunk-extension grammar (RFC 9112 §7.1.1):
//
//	chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//	chunk-ext-val = token / quoted-string
const (
	extBeforeSemi  = iota // before ";" or the end of the line
	extBeforeName         // after ";"
	extName               // in a name
	extAfterName          // after a name: "=", ";" or the end
	extBeforeValue        // after "="
	extToken              // in a token value
	extQuoted             // in a quoted-string value
	extQuotedPair         // after a backslash in a quoted-string
)

// readExtensions reads the rest of a chunk-size line, starting with b, the
// first byte after the size, through the final LF.
func (c *ChunkedReader) readExtensions(b byte) error {
	state, n, ws := extBeforeSemi, 0, false
	for {
		if b == '\r' {
			if ws || state == extBeforeName || state == extBeforeValue ||
				state == extQuoted || state == extQuotedPair {
				return ErrBadChunkExtension
			}
			return c.readLF()
		}
		var ok bool
		if state, ok = extStep(state, b); !ok {
			if b == '\n' {
				return ErrBareLF
			}
			return ErrBadChunkExtension
		}
		ws = (b == ' ' || b == '\t') && state != extQuoted
		n++
		c.extTotal++
		if n > c.maxExt || c.extTotal > c.maxExtTotal {
			return ErrChunkExtTooLong
		}
		var err error
		if b, err = c.readByte(); err != nil {
			return err
		}
	}
}

// extStep is the transition function of the chunk-extension grammar.
func extStep(state int, b byte) (int, bool) {
	bws := b == ' ' || b == '\t'
	switch state {
	case extBeforeSemi:
		if bws {
			return extBeforeSemi, true
		}
		return extBeforeName, b == ';'
	case extBeforeName:
		if bws {
			return extBeforeName, true
		}
		return extName, tokenChar[b]
	case extName, extAfterName, extToken:
		switch {
		case tokenChar[b] && state != extAfterName:
			return state, true
		case bws:
			if state == extToken {
				return extBeforeSemi, true
			}
			return extAfterName, true
		case b == ';':
			return extBeforeName, true
		case b == '=' && state != extToken:
			return extBeforeValue, true
		}
		return state, false
	case extBeforeValue:
		switch {
		case bws:
			return extBeforeValue, true
		case b == '"':
			return extQuoted, true
		}
		return extToken, tokenChar[b]
	case extQuoted:
		switch {
		case b == '"':
			return extBeforeSemi, true
		case b == '\\':
			return extQuotedPair, true
		}
		return extQuoted, valueChar[b]
	case extQuotedPair:
		return extQuoted, valueChar[b]
	}
	return state, false
}

// readLF reads the LF that must follow a CR.
func (c *ChunkedReader) readLF() error {
	b, err := c.readByte()
	if err != nil {
		return err
	}
	if b != '\n' {
		return ErrBareCR
	}
	return nil
}

// readTrailers reads the trailer section after the last chunk (RFC 9112
// §7.1.2) into c.trailerBuf and parses it into c.trailers.
func (c *ChunkedReader) readTrailers() error {
	if c.r.Buffered() >= 2 {
		if b, _ := c.r.Peek(2); b[0] == '\r' && b[1] == '\n' {
			c.r.Discard(2)
			return nil
		}
	}
	buf, err := c.readTrailerSection(c.trailerBuf[:0])
	c.trailerBuf = buf
	if err != nil {
		return err
	}
	fs, _, err := parseFields(buf, c.trailers[:0], c.maxTrailerFields, ErrTooManyTrailers, false)
	c.trailers = fs
	if err != nil {
		return err
	}
	for i := range fs {
		if forbiddenTrailer(fs[i].Name) {
			return ErrForbiddenTrailer
		}
	}
	return nil
}

// readTrailerSection appends the trailer section, through the empty line
// that ends it, to buf. It refuses a bare CR or LF as soon as it sees one,
// so it never reads past the section.
func (c *ChunkedReader) readTrailerSection(buf []byte) ([]byte, error) {
	// Fast path: the whole section is in the buffer, with no bare CR or LF
	// before its end (the byte-by-byte path below finds those, and reports
	// them the same way whatever the buffering).
	if b, _ := c.r.Peek(min(c.r.Buffered(), c.maxTrailerBytes)); len(b) >= 4 {
		if i := bytes.Index(b, crlfcrlf); i >= 0 && crlfOnly(b[:i+4]) {
			buf = append(buf, b[:i+4]...)
			c.r.Discard(i + 4)
			return buf, nil
		}
	}
	lineStart := 0
	for {
		b, err := c.readByte()
		if err != nil {
			return buf, err
		}
		if len(buf) >= c.maxTrailerBytes {
			return buf, ErrTrailerTooLarge
		}
		switch {
		case b == '\n' && (len(buf) == 0 || buf[len(buf)-1] != '\r'):
			return buf, ErrBareLF
		case b != '\n' && len(buf) > 0 && buf[len(buf)-1] == '\r':
			return buf, ErrBareCR
		}
		buf = append(buf, b)
		if b != '\n' {
			continue
		}
		if len(buf)-lineStart == 2 {
			return buf, nil
		}
		lineStart = len(buf)
	}
}

var crlfcrlf = []byte("\r\n\r\n")

// crlfOnly reports whether every CR in b is followed by LF and every LF
// preceded by CR.
func crlfOnly(b []byte) bool {
	for i, ch := range b {
		switch {
		case ch == '\n' && (i == 0 || b[i-1] != '\r'):
			return false
		case ch == '\r' && (i+1 == len(b) || b[i+1] != '\n'):
			return false
		}
	}
	return true
}

// trailerForbidden lists the fields a trailer must not carry (RFC 9110
// §6.5.1): those that frame the message, route it, control the connection
// or the request, authenticate, or say how to process the content — a
// recipient could act on them before the trailer arrives, or a later
// hop could merge them into the head.
var trailerForbidden = []string{
	"Content-Length", "Transfer-Encoding", "Trailer", "Host", "Connection",
	"Keep-Alive", "Proxy-Connection", "Upgrade", "TE", "Expect",
	"Max-Forwards", "Cache-Control", "Content-Encoding", "Content-Type",
	"Content-Range", "Authorization", "Proxy-Authorization",
	"Proxy-Authenticate", "WWW-Authenticate", "Cookie", "Set-Cookie",
	"Range", "If-Match", "If-None-Match", "If-Modified-Since",
	"If-Unmodified-Since", "If-Range", "Age", "Expires", "Date", "Location",
	"Retry-After", "Vary", "Warning",
}

// forbiddenTrailer reports whether name may not appear in a trailer.
func forbiddenTrailer[S ~string | ~[]byte](name S) bool {
	for _, f := range trailerForbidden {
		if ascii.EqualFold(name, f) {
			return true
		}
	}
	return false
}
