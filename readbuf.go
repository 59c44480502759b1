package turbohttp

import (
	"bufio"
	"io"
	"sync"

	"turbohttp/h1"
)

// readBufSize is the read buffer of a connection; a head that does not fit
// moves to a larger buffer (see readBuf.grow).
const readBufSize = 4 << 10

var readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readBufSize) }}

// readBuf is a connection's read buffer, server or client, and the only
// code that changes which buffer that is. It is always in one of three
// states:
//
//	released  no buffer (br == nil); bytes set aside wait in src.pending
//	pooled    br is a readBufSize reader borrowed from readerPool
//	grown     br is a larger reader, made for a head that did not fit
//
// borrow moves released → pooled; grow moves pooled or grown → grown,
// carrying the buffered bytes along; release moves any state → released,
// keeping the buffered bytes in src.pending, so that no transition loses
// input; settle returns a grown buffer that has been read empty. Callers
// read through reader() and ask buffered(), which answer in every state,
// and never keep a *bufio.Reader across a call that may change the state
// (readHead, settle, release).
type readBuf struct {
	src prefixReader // feeds br: bytes set aside first, then the connection
	br  *bufio.Reader
}

// init makes r read from conn; the buffer starts released.
func (b *readBuf) init(conn io.Reader) { b.src.r = conn }

// reader returns the current buffer, borrowing one if there is none. It
// stays valid until the next readHead, settle or release.
func (b *readBuf) reader() *bufio.Reader {
	b.borrow()
	return b.br
}

// buffered returns the number of unread bytes held, including those set
// aside while no buffer was held.
func (b *readBuf) buffered() int {
	n := len(b.src.pending)
	if b.br != nil {
		n += b.br.Buffered()
	}
	return n
}

// borrow takes a buffer from the pool unless one is held.
func (b *readBuf) borrow() {
	if b.br == nil {
		b.br = readerPool.Get().(*bufio.Reader)
		b.br.Reset(&b.src)
	}
}

// grow moves the buffered bytes into a buffer twice as large, but no
// larger than limit; it reports false if the buffer is already that large.
func (b *readBuf) grow(limit int) bool {
	size := min(2*b.br.Size(), limit)
	if b.br.Size() >= size {
		return false
	}
	b.release()
	b.br = bufio.NewReaderSize(&b.src, size)
	return true
}

// release gives the buffer back (a pooled one to the pool), setting its
// unread bytes aside in src.pending for the next buffer to read first.
func (b *readBuf) release() {
	if b.br == nil {
		return
	}
	if n := b.br.Buffered(); n > 0 {
		rest, _ := b.br.Peek(n)
		b.src.pending = append(b.src.pending[:0:0], rest...)
	}
	if b.br.Size() == readBufSize {
		b.br.Reset(nil)
		readerPool.Put(b.br)
	}
	b.br = nil
}

// drop releases the buffer and forgets every unread byte: the
// connection is closing.
func (b *readBuf) drop() {
	if b.br != nil {
		b.br.Reset(nil)
	}
	b.release()
	b.src.pending = nil
}

// settle releases a grown buffer once it has been read empty, so that a
// connection holds a large buffer only while a large head needs it.
func (b *readBuf) settle() {
	if b.br != nil && b.br.Size() > readBufSize && b.br.Buffered() == 0 {
		b.release()
	}
}

// handOff gives the buffer and its unread bytes to a new owner (a
// hijacking handler) and leaves the readBuf released and empty.
func (b *readBuf) handOff() *bufio.Reader {
	br := b.reader()
	b.br = nil
	return br
}

// unread sets p aside to be read before anything else; nothing may be
// buffered. p is read in place, so it must stay unchanged until then.
func (b *readBuf) unread(p []byte) { b.src.pending = p }

// readHead is the head-reading loop of both roles: it reads until parse
// accepts the buffered bytes as a complete head, and returns the head's
// length n, the head still buffered (a view valid until the caller
// discards it or calls readHead again). parse sees every buffered byte
// each time more arrive and returns h1.ErrIncomplete while it needs more;
// any other error ends the read. A head that fills the buffer grows it, up
// to limit bytes: the parser must refuse a head that reaches its own limit
// (limit is one byte more, so that it sees the excess). A connection that
// ends in the middle of a head gives io.ErrUnexpectedEOF.
func (b *readBuf) readHead(limit int, parse func(buf []byte) (int, error)) (int, error) {
	br := b.reader()
	for {
		buf, _ := br.Peek(br.Buffered())
		n, err := parse(buf)
		if err != h1.ErrIncomplete {
			return n, err
		}
		if len(buf) == br.Size() && b.grow(limit) {
			br = b.br
		}
		if _, err := br.Peek(len(buf) + 1); err != nil {
			if err == io.EOF && len(buf) > 0 {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, err
		}
	}
}

// prefixReader is the source of a readBuf's reader: bytes set aside (the
// byte of a one-byte read, the contents of a buffer that had to grow)
// first, then the connection.
type prefixReader struct {
	r       io.Reader
	pending []byte
}

func (p *prefixReader) Read(b []byte) (int, error) {
	if len(p.pending) > 0 {
		n := copy(b, p.pending)
		p.pending = p.pending[n:]
		return n, nil
	}
	return p.r.Read(b)
}
