package h2

import "io"

// Limits on a header block (RFC 9113 §4.3) assembled from a HEADERS or
// PUSH_PROMISE frame and the CONTINUATION frames that follow it. They bound
// the memory and work a peer can demand before a single field is decoded
// (the "CONTINUATION flood"). Exceeding either is a connection error of type
// ENHANCE_YOUR_CALM: the block cannot be decoded, so the HPACK state of the
// connection would be lost anyway.
const (
	// DefaultMaxHeaderBlockBytes is the default Framer.MaxHeaderBlockBytes:
	// the largest encoded header block, matching the 64 KiB bound on a
	// decoded header section (encoding does not make a block larger).
	DefaultMaxHeaderBlockBytes = 64 << 10

	// DefaultMaxContinuationFrames is the default
	// Framer.MaxContinuationFrames: the most CONTINUATION frames one header
	// block may use, enough for a full block in 1 KiB fragments.
	DefaultMaxContinuationFrames = 64
)

// readHeaders parses a HEADERS frame and completes its header block.
func (fr *Framer) readHeaders(h FrameHeader, p []byte) (Frame, error) {
	f, err := fr.parseHeaders(h, p)
	if err != nil {
		return nil, err
	}
	f.block, err = fr.headerBlock(h, f.block, FlagHeadersEndHeaders)
	if err != nil {
		return nil, err
	}
	if err := checkHeaders(f); err != nil {
		return f, err
	}
	return f, nil
}

// readPushPromise parses a PUSH_PROMISE frame and completes its header block.
func (fr *Framer) readPushPromise(h FrameHeader, p []byte) (Frame, error) {
	f, err := fr.parsePushPromise(h, p)
	if err != nil {
		return nil, err
	}
	f.block, err = fr.headerBlock(h, f.block, FlagPushPromiseEndHeaders)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// headerBlock returns the complete header block that starts with the
// fragment frag of the frame with header h. When h has the END_HEADERS flag
// that is frag itself, a view into the read buffer; otherwise the fragments
// of the CONTINUATION frames that must follow, on the same stream and with
// no other frame between them (RFC 9113 §6.10), are joined in fr.hb, which
// is reused by the next block.
func (fr *Framer) headerBlock(h FrameHeader, frag []byte, endHeaders Flags) ([]byte, error) {
	if len(frag) > fr.MaxHeaderBlockBytes {
		return nil, errHeaderBlockTooLarge
	}
	if h.Flags.Has(endHeaders) {
		return frag, nil
	}
	fr.hb = append(fr.hb[:0], frag...) // frag is only valid until fr.next
	for n := 1; ; n++ {
		c, p, err := fr.next()
		switch {
		case err == io.EOF:
			return nil, io.ErrUnexpectedEOF
		case err != nil:
			return nil, err
		case c.Type != FrameContinuation:
			return nil, connError(ErrCodeProtocol, c.Type.String()+" frame inside a header block")
		case c.StreamID != h.StreamID:
			return nil, connError(ErrCodeProtocol, "CONTINUATION frame on another stream than its header block")
		case n > fr.MaxContinuationFrames:
			return nil, connError(ErrCodeEnhanceYourCalm, "header block in too many CONTINUATION frames")
		case len(p) > fr.MaxHeaderBlockBytes-len(fr.hb):
			return nil, errHeaderBlockTooLarge
		}
		fr.hb = append(fr.hb, p...)
		if c.Flags.Has(FlagContinuationEndHeaders) {
			return fr.hb, nil
		}
	}
}

var errHeaderBlockTooLarge = ConnError{Code: ErrCodeEnhanceYourCalm, Reason: "header block larger than MaxHeaderBlockBytes"}
