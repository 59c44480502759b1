package turbohttp

import "io"

// prefixReader is the source of a connection's bufio.Reader, server or
// client: bytes set aside (the byte of a one-byte read, the contents of a
// buffer that had to grow) first, then the connection.
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
