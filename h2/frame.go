package h2

import (
	"io"
	"strconv"
)

// FrameHeaderLen is the length of the frame header that starts every frame
// (RFC 9113 §4.1).
const FrameHeaderLen = 9

// MaxFrameSizeLimit is the largest payload length the 24-bit length field of
// a frame header can carry, and the largest SETTINGS_MAX_FRAME_SIZE
// (RFC 9113 §6.5.2).
const MaxFrameSizeLimit = 1<<24 - 1

// MaxStreamID is the largest stream identifier: identifiers are 31 bits,
// after a reserved bit (RFC 9113 §4.1, §5.1.1).
const MaxStreamID = 1<<31 - 1

// FrameType is the type of a frame (RFC 9113 §6, RFC 9218 §7.1).
type FrameType uint8

// The frame types this package parses. Other types are extension frames the
// Framer returns as *UnknownFrame, to be ignored (RFC 9113 §5.5).
const (
	FrameData           FrameType = 0x0
	FrameHeaders        FrameType = 0x1
	FramePriority       FrameType = 0x2
	FrameRSTStream      FrameType = 0x3
	FrameSettings       FrameType = 0x4
	FramePushPromise    FrameType = 0x5
	FramePing           FrameType = 0x6
	FrameGoAway         FrameType = 0x7
	FrameWindowUpdate   FrameType = 0x8
	FrameContinuation   FrameType = 0x9
	FramePriorityUpdate FrameType = 0x10
)

var frameTypeNames = [...]string{
	FrameData:           "DATA",
	FrameHeaders:        "HEADERS",
	FramePriority:       "PRIORITY",
	FrameRSTStream:      "RST_STREAM",
	FrameSettings:       "SETTINGS",
	FramePushPromise:    "PUSH_PROMISE",
	FramePing:           "PING",
	FrameGoAway:         "GOAWAY",
	FrameWindowUpdate:   "WINDOW_UPDATE",
	FrameContinuation:   "CONTINUATION",
	FramePriorityUpdate: "PRIORITY_UPDATE",
}

// String returns the type's name as written in the RFCs, such as
// "WINDOW_UPDATE", or "UNKNOWN_FRAME_TYPE_0xNN".
func (t FrameType) String() string {
	if int(t) < len(frameTypeNames) && frameTypeNames[t] != "" {
		return frameTypeNames[t]
	}
	return "UNKNOWN_FRAME_TYPE_0x" + strconv.FormatUint(uint64(t), 16)
}

// Flags are the 8 flag bits of a frame header. Their meaning depends on the
// frame type; flags a type does not define must be ignored on receipt and
// left unset when sending (RFC 9113 §4.1).
type Flags uint8

// Has reports whether all of the bits of v are set in f.
func (f Flags) Has(v Flags) bool { return f&v == v }

// The flags defined by RFC 9113 §6, per frame type.
const (
	FlagDataEndStream Flags = 0x1
	FlagDataPadded    Flags = 0x8

	FlagHeadersEndStream  Flags = 0x1
	FlagHeadersEndHeaders Flags = 0x4
	FlagHeadersPadded     Flags = 0x8
	FlagHeadersPriority   Flags = 0x20

	FlagSettingsAck Flags = 0x1

	FlagPushPromiseEndHeaders Flags = 0x4
	FlagPushPromisePadded     Flags = 0x8

	FlagPingAck Flags = 0x1

	FlagContinuationEndHeaders Flags = 0x4
)

// FrameHeader is the 9-octet header that starts every frame (RFC 9113 §4.1).
type FrameHeader struct {
	Length   uint32    // payload length, 24 bits
	Type     FrameType // frame type
	Flags    Flags     // type-specific flags
	StreamID uint32    // stream identifier, 31 bits; 0 for the connection
}

// Header returns h itself, so that every frame type, which embeds its
// FrameHeader, satisfies Frame.
func (h FrameHeader) Header() FrameHeader { return h }

// String returns a short description such as "HEADERS flags=0x4 stream=1 len=12".
func (h FrameHeader) String() string {
	return h.Type.String() + " flags=0x" + strconv.FormatUint(uint64(h.Flags), 16) +
		" stream=" + strconv.FormatUint(uint64(h.StreamID), 10) +
		" len=" + strconv.FormatUint(uint64(h.Length), 10)
}

// ReadFrameHeader decodes the frame header at the start of b. It returns
// io.ErrUnexpectedEOF if b holds fewer than FrameHeaderLen bytes. The
// reserved bit of the stream identifier is ignored, as RFC 9113 §4.1 requires.
func ReadFrameHeader(b []byte) (FrameHeader, error) {
	if len(b) < FrameHeaderLen {
		return FrameHeader{}, io.ErrUnexpectedEOF
	}
	return FrameHeader{
		Length:   uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]),
		Type:     FrameType(b[3]),
		Flags:    Flags(b[4]),
		StreamID: be32(b[5:]) & MaxStreamID,
	}, nil
}

// AppendFrameHeader appends the 9-octet encoding of h to dst and returns the
// extended buffer. It panics if h.Length exceeds MaxFrameSizeLimit or
// h.StreamID exceeds MaxStreamID, which no frame can encode.
func AppendFrameHeader(dst []byte, h FrameHeader) []byte {
	dst, b := grow(dst, FrameHeaderLen)
	putHeader(b, h.Type, h.Flags, h.StreamID, int(h.Length))
	return dst
}

// putHeader writes a frame header into b[:FrameHeaderLen].
func putHeader(b []byte, t FrameType, f Flags, streamID uint32, length int) {
	if length < 0 || length > MaxFrameSizeLimit {
		panic("h2: frame payload of " + strconv.Itoa(length) + " bytes exceeds 2^24-1")
	}
	if streamID > MaxStreamID {
		panic("h2: stream identifier " + strconv.FormatUint(uint64(streamID), 10) + " exceeds 2^31-1")
	}
	_ = b[8]
	b[0], b[1], b[2] = byte(length>>16), byte(length>>8), byte(length)
	b[3] = byte(t)
	b[4] = byte(f)
	put32(b[5:], streamID)
}

// grow extends dst by n bytes with at most one allocation and returns the
// extended slice and its last n bytes, to be filled in.
func grow(dst []byte, n int) (all, tail []byte) {
	l := len(dst)
	if cap(dst)-l < n {
		bigger := make([]byte, l, 2*cap(dst)+n)
		copy(bigger, dst)
		dst = bigger
	}
	all = dst[:l+n]
	return all, all[l:]
}

func be32(b []byte) uint32 {
	_ = b[3]
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func put32(b []byte, v uint32) {
	_ = b[3]
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}
