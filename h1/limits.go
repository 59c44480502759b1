package h1

// Limits bounds what the parsers and body readers accept from a peer. A zero
// field means its default (see DefaultLimits); a nil *Limits means all
// defaults. The zero Limits is therefore ready to use.
type Limits struct {
	// MaxHeaderBytes bounds the whole head: start line, field lines and
	// the final empty line. Default 64 KiB; beyond it a request is answered
	// with 431, even before the end of the head has arrived.
	MaxHeaderBytes int

	// MaxFields bounds the number of field lines in a head. Default 1000;
	// beyond it a request is answered with 431.
	MaxFields int

	// MaxTargetBytes bounds the request target. Default 8 KiB; beyond it a
	// request is answered with 414, even before the request line has ended.
	MaxTargetBytes int

	// MaxChunkExtBytes bounds the chunk extensions of one chunk (the bytes
	// between the chunk size and the CRLF). Default 4 KiB.
	MaxChunkExtBytes int

	// MaxChunkExtTotal bounds the chunk extensions of a whole body, summed
	// over all its chunks. Default 64 KiB.
	MaxChunkExtTotal int

	// MaxTrailerBytes bounds the trailer section of a chunked body,
	// including its final empty line. Default 16 KiB.
	MaxTrailerBytes int

	// MaxTrailerFields bounds the number of trailer fields. Default 100.
	MaxTrailerFields int
}

// DefaultLimits holds the default of every limit.
var DefaultLimits = Limits{
	MaxHeaderBytes:   64 << 10,
	MaxFields:        1000,
	MaxTargetBytes:   8 << 10,
	MaxChunkExtBytes: 4 << 10,
	MaxChunkExtTotal: 64 << 10,
	MaxTrailerBytes:  16 << 10,
	MaxTrailerFields: 100,
}

// MaxLeadingEmptyLines is how many empty lines (CRLF) may precede a request
// line. RFC 9112 §2.2 lets a server skip them, since some old clients send a
// CRLF after a POST body; more than this many is answered with 400.
const MaxLeadingEmptyLines = 1

func pick(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func (l *Limits) headerBytes() int {
	if l == nil {
		return DefaultLimits.MaxHeaderBytes
	}
	return pick(l.MaxHeaderBytes, DefaultLimits.MaxHeaderBytes)
}

func (l *Limits) fields() int {
	if l == nil {
		return DefaultLimits.MaxFields
	}
	return pick(l.MaxFields, DefaultLimits.MaxFields)
}

func (l *Limits) targetBytes() int {
	if l == nil {
		return DefaultLimits.MaxTargetBytes
	}
	return pick(l.MaxTargetBytes, DefaultLimits.MaxTargetBytes)
}

func (l *Limits) chunkExtBytes() int {
	if l == nil {
		return DefaultLimits.MaxChunkExtBytes
	}
	return pick(l.MaxChunkExtBytes, DefaultLimits.MaxChunkExtBytes)
}

func (l *Limits) chunkExtTotal() int {
	if l == nil {
		return DefaultLimits.MaxChunkExtTotal
	}
	return pick(l.MaxChunkExtTotal, DefaultLimits.MaxChunkExtTotal)
}

func (l *Limits) trailerBytes() int {
	if l == nil {
		return DefaultLimits.MaxTrailerBytes
	}
	return pick(l.MaxTrailerBytes, DefaultLimits.MaxTrailerBytes)
}

func (l *Limits) trailerFields() int {
	if l == nil {
		return DefaultLimits.MaxTrailerFields
	}
	return pick(l.MaxTrailerFields, DefaultLimits.MaxTrailerFields)
}
