package h2

import (
	"errors"
	"io"
)

// DefaultReadBufferSize is the initial size of a Framer's read buffer: room
// for many small frames, so that they arrive with one Read. The buffer grows
// when a frame larger than it arrives, to twice that frame's size (so at
// most twice the maximum read frame size plus FrameHeaderLen), and does not
// shrink.
const DefaultReadBufferSize = 16 << 10

// maxEmptyReads bounds the number of consecutive Reads returning no data and
// no error the Framer tolerates before giving up with io.ErrNoProgress.
const maxEmptyReads = 100

// Framer reads frames from an io.Reader and collects frames to write in a
// buffer the caller appends to. It is a codec only: connection and stream
// state live above it. Create one with NewFramer. The read side and the
// write side may be used by two different goroutines; each side must be used
// by one goroutine at a time.
type Framer struct {
	// Everything up to the write side is owned by the goroutine that reads.

	// MaxHeaderBlockBytes bounds the size of a header block assembled from
	// HEADERS or PUSH_PROMISE and CONTINUATION frames; NewFramer sets it to
	// DefaultMaxHeaderBlockBytes.
	MaxHeaderBlockBytes int
	// MaxContinuationFrames bounds the number of CONTINUATION frames in one
	// header block; NewFramer sets it to DefaultMaxContinuationFrames.
	MaxContinuationFrames int

	r           io.Reader
	buf         []byte // read buffer; buf[rpos:wpos] is read but not parsed
	rpos, wpos  int
	rerr        error  // error returned by r along with data, reported once the data is used
	err         error  // sticky: a ConnError or an error of r
	maxReadSize uint32 // SETTINGS_MAX_FRAME_SIZE this endpoint announced
	hb          []byte // header block assembled across CONTINUATION frames

	// The frames ReadFrame returns, one of each type, reused.
	frameSlots

	// The write side is owned by whoever holds the connection's write lock.

	// WBuf holds frames waiting to be written: append whole frames to it
	// with the Append functions (fr.WBuf = h2.AppendPing(fr.WBuf, …)), then
	// Flush sends them with one Write.
	WBuf []byte
	w    io.Writer
}

// NewFramer returns a Framer that reads frames from r and flushes WBuf to w,
// with the default limits and a maximum read frame size of
// DefaultMaxFrameSize. Either may be nil for a Framer that only writes or
// only reads.
func NewFramer(r io.Reader, w io.Writer) *Framer {
	return &Framer{
		MaxHeaderBlockBytes:   DefaultMaxHeaderBlockBytes,
		MaxContinuationFrames: DefaultMaxContinuationFrames,
		r:                     r,
		w:                     w,
		maxReadSize:           DefaultMaxFrameSize,
	}
}

// SetMaxReadFrameSize sets the largest frame payload ReadFrame accepts: the
// SETTINGS_MAX_FRAME_SIZE this endpoint announced, once the peer has
// acknowledged it (until then the peer may still use the previous value, so
// use the larger of the two). Values outside MinMaxFrameSize to
// MaxFrameSizeLimit are clamped into that range.
func (fr *Framer) SetMaxReadFrameSize(n uint32) {
	fr.maxReadSize = min(max(n, MinMaxFrameSize), MaxFrameSizeLimit)
}

// MaxReadFrameSize returns the largest frame payload ReadFrame accepts.
func (fr *Framer) MaxReadFrameSize() uint32 { return fr.maxReadSize }

// Flush writes WBuf with one Write and empties it, keeping its capacity.
func (fr *Framer) Flush() error {
	if len(fr.WBuf) == 0 {
		return nil
	}
	_, err := fr.w.Write(fr.WBuf)
	fr.WBuf = fr.WBuf[:0]
	return err
}

// ReadFrame reads the next frame. The frame, and every slice its methods
// return, is owned by the Framer and valid only until the next ReadFrame.
//
// A HEADERS or PUSH_PROMISE frame is returned with its complete header
// block: ReadFrame reads the CONTINUATION frames that follow it, so it never
// returns a CONTINUATION frame. Frames of unknown types are returned as
// *UnknownFrame, to be ignored.
//
// Errors: io.EOF at a frame boundary, io.ErrUnexpectedEOF inside a frame, or
// an error of the reader; a ConnError when the peer broke a rule that ends
// the connection; a StreamError when it broke a rule that ends one stream.
// After any error but a StreamError the Framer is unusable and ReadFrame
// returns the same error again. A StreamError comes with a nil Frame, except
// for a HEADERS frame, which is returned with its header block so that the
// caller can still decode it and keep its HPACK state in step.
func (fr *Framer) ReadFrame() (Frame, error) {
	if fr.err != nil {
		return nil, fr.err
	}
	f, err := fr.readFrame()
	if err != nil {
		if _, ok := err.(StreamError); !ok {
			fr.err = err
		}
	}
	return f, err
}

func (fr *Framer) readFrame() (Frame, error) {
	h, p, err := fr.next()
	if err != nil {
		return nil, err
	}
	switch h.Type {
	case FrameData:
		return fr.parseData(h, p)
	case FrameHeaders:
		return fr.readHeaders(h, p)
	case FramePriority:
		return fr.parsePriority(h, p)
	case FrameRSTStream:
		return fr.parseRSTStream(h, p)
	case FrameSettings:
		return fr.parseSettings(h, p)
	case FramePushPromise:
		return fr.readPushPromise(h, p)
	case FramePing:
		return fr.parsePing(h, p)
	case FrameGoAway:
		return fr.parseGoAway(h, p)
	case FrameWindowUpdate:
		return fr.parseWindowUpdate(h, p)
	case FrameContinuation:
		return nil, connError(ErrCodeProtocol, "CONTINUATION frame without HEADERS or PUSH_PROMISE")
	case FramePriorityUpdate:
		return fr.parsePriorityUpdate(h, p)
	}
	fr.unknown = UnknownFrame{FrameHeader: h, payload: p}
	return &fr.unknown, nil
}

// next reads one frame's header and payload into the read buffer and
// returns them; the payload is valid until the next call.
func (fr *Framer) next() (FrameHeader, []byte, error) {
	if fr.rpos == fr.wpos {
		fr.rpos, fr.wpos = 0, 0
	}
	if err := fr.fill(FrameHeaderLen); err != nil {
		if err == io.EOF && fr.wpos > fr.rpos {
			err = io.ErrUnexpectedEOF
		}
		return FrameHeader{}, nil, err
	}
	h, _ := ReadFrameHeader(fr.buf[fr.rpos:fr.wpos])
	if h.Length > fr.maxReadSize {
		return h, nil, connError(ErrCodeFrameSize, h.Type.String()+" frame larger than SETTINGS_MAX_FRAME_SIZE")
	}
	n := FrameHeaderLen + int(h.Length)
	if err := fr.fill(n); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return h, nil, err
	}
	p := fr.buf[fr.rpos+FrameHeaderLen : fr.rpos+n : fr.rpos+n]
	fr.rpos += n
	return h, p, nil
}

// fill reads until at least n bytes are buffered from rpos on, reading as
// much as the buffer holds so that later frames need no Read.
func (fr *Framer) fill(n int) error {
	if fr.wpos-fr.rpos >= n {
		return nil
	}
	if fr.rerr != nil {
		return fr.rerr
	}
	if len(fr.buf)-fr.rpos < n {
		fr.makeRoom(n)
	}
	for empty := 0; fr.wpos-fr.rpos < n; {
		m, err := fr.r.Read(fr.buf[fr.wpos:])
		if m < 0 || m > len(fr.buf)-fr.wpos {
			return errors.New("h2: reader returned an invalid count")
		}
		fr.wpos += m
		switch {
		case err != nil && fr.wpos-fr.rpos >= n:
			fr.rerr = err
		case err != nil:
			return err
		case m > 0:
			empty = 0
		default:
			if empty++; empty >= maxEmptyReads {
				return io.ErrNoProgress
			}
		}
	}
	return nil
}

// makeRoom moves the buffered bytes to the front of the buffer, growing it
// first if it cannot hold n bytes.
func (fr *Framer) makeRoom(n int) {
	buf := fr.buf
	if len(buf) < n {
		// Room for two frames of this size, so that they still come
		// with one Read.
		size := max(2*n, DefaultReadBufferSize)
		buf = make([]byte, size)
	}
	fr.wpos = copy(buf, fr.buf[fr.rpos:fr.wpos])
	fr.rpos = 0
	fr.buf = buf
}
