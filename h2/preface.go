package h2

import "io"

// ClientPreface is the connection preface a client sends before its first
// frame, a SETTINGS frame (RFC 9113 §3.4).
const ClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// ReadClientPreface reads the client connection preface, as a server does
// before its first ReadFrame. Bytes that do not match are a connection
// error of type PROTOCOL_ERROR, reported as soon as they arrive; a
// connection that ends early gives io.EOF or io.ErrUnexpectedEOF. Errors
// are sticky, as for ReadFrame.
func (fr *Framer) ReadClientPreface() error {
	if fr.err != nil {
		return fr.err
	}
	if fr.rpos == fr.wpos {
		fr.rpos, fr.wpos = 0, 0
	}
	var err error
	for {
		got := fr.buf[fr.rpos:min(fr.wpos, fr.rpos+len(ClientPreface))]
		if string(got) != ClientPreface[:len(got)] {
			err = connError(ErrCodeProtocol, "invalid client connection preface")
			break
		}
		if len(got) == len(ClientPreface) {
			fr.rpos += len(got)
			return nil
		}
		if err = fr.fill(len(got) + 1); err != nil {
			if err == io.EOF && len(got) > 0 {
				err = io.ErrUnexpectedEOF
			}
			break
		}
	}
	fr.err = err
	return err
}
