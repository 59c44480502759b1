package h2

// This file holds the writing half of the codec: one Append function per
// frame type, the counterpart of the frame's parser. Each appends one whole
// frame to dst, growing dst at most once, and returns the extended buffer,
// so that a connection can gather many frames and send them with one Write
// (see Framer.WBuf).
//
// The functions write what they are asked to, legal or not, so that tests
// can play a misbehaving peer: it is the caller's responsibility to follow
// the protocol, in particular not to exceed the peer's
// SETTINGS_MAX_FRAME_SIZE. They panic only when asked for what no frame can
// encode: a payload longer than MaxFrameSizeLimit, or a stream identifier,
// or another 31-bit field, above MaxStreamID.

// AppendData appends a DATA frame (RFC 9113 §6.1) carrying data. It is the
// caller's responsibility not to exceed the peer's maximum frame size and
// flow-control windows.
func AppendData(dst []byte, streamID uint32, endStream bool, data []byte) []byte {
	var flags Flags
	if endStream {
		flags = FlagDataEndStream
	}
	dst, b := grow(dst, FrameHeaderLen+len(data))
	putHeader(b, FrameData, flags, streamID, len(data))
	copy(b[FrameHeaderLen:], data)
	return dst
}

// AppendDataPadded appends a DATA frame with the PADDED flag, data and
// padLen zero octets of padding.
func AppendDataPadded(dst []byte, streamID uint32, endStream bool, data []byte, padLen uint8) []byte {
	flags := FlagDataPadded
	if endStream {
		flags |= FlagDataEndStream
	}
	n := 1 + len(data) + int(padLen)
	dst, b := grow(dst, FrameHeaderLen+n)
	putHeader(b, FrameData, flags, streamID, n)
	b[FrameHeaderLen] = padLen
	putPadding(b[FrameHeaderLen+1+copy(b[FrameHeaderLen+1:], data):])
	return dst
}

// HeadersParams describes a HEADERS frame to append.
type HeadersParams struct {
	StreamID      uint32
	BlockFragment []byte // the header block, or its first fragment
	EndStream     bool
	EndHeaders    bool // the fragment is the whole block: no CONTINUATION follows
	Padded        bool
	PadLength     uint8 // padding octets when Padded
	HasPriority   bool
	Priority      PriorityParam // written when HasPriority
}

// AppendHeaders appends one HEADERS frame (RFC 9113 §6.2). Without
// EndHeaders the caller must append the rest of the block with
// AppendContinuation before any other frame; AppendHeaderBlock does both.
// It is the caller's responsibility not to exceed the peer's maximum frame
// size.
func AppendHeaders(dst []byte, p HeadersParams) []byte {
	flags := p.flags()
	if p.EndHeaders {
		flags |= FlagHeadersEndHeaders
	}
	n := p.overhead() + len(p.BlockFragment)
	dst, b := grow(dst, FrameHeaderLen+n)
	p.put(b, flags, p.BlockFragment)
	return dst
}

// AppendHeaderBlock appends a HEADERS frame carrying as much of the header
// block p.BlockFragment as fits in maxFrameSize, then CONTINUATION frames
// with the rest, the last one with END_HEADERS (p.EndHeaders is ignored).
// maxFrameSize is the peer's SETTINGS_MAX_FRAME_SIZE; it must leave room
// for the padding and priority fields p asks for.
func AppendHeaderBlock(dst []byte, p HeadersParams, maxFrameSize uint32) []byte {
	size := int(min(maxFrameSize, MaxFrameSizeLimit))
	block := p.BlockFragment
	size = max(size, 1)
	first := min(len(block), max(size-p.overhead(), 0))
	rest := len(block) - first
	frames := 0
	if rest > 0 {
		frames = (rest + size - 1) / size
	}
	dst, b := grow(dst, FrameHeaderLen+p.overhead()+first+frames*FrameHeaderLen+rest)
	flags := p.flags()
	if rest == 0 {
		flags |= FlagHeadersEndHeaders
	}
	b = b[p.put(b, flags, block[:first]):]
	for block = block[first:]; len(block) > 0; {
		n := min(len(block), size)
		flags = 0
		if n == len(block) {
			flags = FlagContinuationEndHeaders
		}
		putHeader(b, FrameContinuation, flags, p.StreamID, n)
		b = b[FrameHeaderLen+copy(b[FrameHeaderLen:], block[:n]):]
		block = block[n:]
	}
	return dst
}

// flags returns the HEADERS flags p asks for, END_HEADERS aside.
func (p *HeadersParams) flags() Flags {
	var f Flags
	if p.EndStream {
		f |= FlagHeadersEndStream
	}
	if p.Padded {
		f |= FlagHeadersPadded
	}
	if p.HasPriority {
		f |= FlagHeadersPriority
	}
	return f
}

// overhead returns the payload octets of a HEADERS frame besides its fragment.
func (p *HeadersParams) overhead() int {
	n := 0
	if p.Padded {
		n += 1 + int(p.PadLength)
	}
	if p.HasPriority {
		n += 5
	}
	return n
}

// put writes a HEADERS frame carrying frag into b and returns its length.
func (p *HeadersParams) put(b []byte, flags Flags, frag []byte) int {
	n := p.overhead() + len(frag)
	putHeader(b, FrameHeaders, flags, p.StreamID, n)
	i := FrameHeaderLen
	if p.Padded {
		b[i] = p.PadLength
		i++
	}
	if p.HasPriority {
		putPriority(b[i:], p.Priority)
		i += 5
	}
	i += copy(b[i:], frag)
	putPadding(b[i : FrameHeaderLen+n])
	return FrameHeaderLen + n
}

// AppendPriority appends a PRIORITY frame (RFC 9113 §6.3).
func AppendPriority(dst []byte, streamID uint32, p PriorityParam) []byte {
	dst, b := grow(dst, FrameHeaderLen+5)
	putHeader(b, FramePriority, 0, streamID, 5)
	putPriority(b[FrameHeaderLen:], p)
	return dst
}

func putPriority(b []byte, p PriorityParam) {
	v := check31(p.StreamDep)
	if p.Exclusive {
		v |= 1 << 31
	}
	put32(b, v)
	b[4] = p.Weight
}

// AppendRSTStream appends a RST_STREAM frame (RFC 9113 §6.4).
func AppendRSTStream(dst []byte, streamID uint32, code ErrCode) []byte {
	dst, b := grow(dst, FrameHeaderLen+4)
	putHeader(b, FrameRSTStream, 0, streamID, 4)
	put32(b[FrameHeaderLen:], uint32(code))
	return dst
}

// AppendSettings appends a SETTINGS frame (RFC 9113 §6.5) carrying settings
// in order.
func AppendSettings(dst []byte, settings ...Setting) []byte {
	n := 6 * len(settings)
	dst, b := grow(dst, FrameHeaderLen+n)
	putHeader(b, FrameSettings, 0, 0, n)
	b = b[FrameHeaderLen:]
	for i, s := range settings {
		e := b[6*i : 6*i+6]
		e[0], e[1] = byte(s.ID>>8), byte(s.ID)
		put32(e[2:], s.Val)
	}
	return dst
}

// AppendSettingsAck appends a SETTINGS frame with the ACK flag.
func AppendSettingsAck(dst []byte) []byte {
	dst, b := grow(dst, FrameHeaderLen)
	putHeader(b, FrameSettings, FlagSettingsAck, 0, 0)
	return dst
}

// PushPromiseParams describes a PUSH_PROMISE frame to append.
type PushPromiseParams struct {
	StreamID      uint32 // the stream the promise is made on
	PromiseID     uint32 // the promised stream
	BlockFragment []byte
	EndHeaders    bool
	Padded        bool
	PadLength     uint8 // padding octets when Padded
}

// AppendPushPromise appends one PUSH_PROMISE frame (RFC 9113 §6.6). Without
// EndHeaders the caller must append the rest of the block with
// AppendContinuation before any other frame. It is the caller's
// responsibility not to exceed the peer's maximum frame size.
func AppendPushPromise(dst []byte, p PushPromiseParams) []byte {
	var flags Flags
	n := 4 + len(p.BlockFragment)
	if p.EndHeaders {
		flags |= FlagPushPromiseEndHeaders
	}
	if p.Padded {
		flags |= FlagPushPromisePadded
		n += 1 + int(p.PadLength)
	}
	dst, b := grow(dst, FrameHeaderLen+n)
	putHeader(b, FramePushPromise, flags, p.StreamID, n)
	i := FrameHeaderLen
	if p.Padded {
		b[i] = p.PadLength
		i++
	}
	put32(b[i:], check31(p.PromiseID))
	i += 4 + copy(b[i+4:], p.BlockFragment)
	putPadding(b[i:])
	return dst
}

// AppendPing appends a PING frame (RFC 9113 §6.7).
func AppendPing(dst []byte, ack bool, data [8]byte) []byte {
	var flags Flags
	if ack {
		flags = FlagPingAck
	}
	dst, b := grow(dst, FrameHeaderLen+8)
	putHeader(b, FramePing, flags, 0, 8)
	copy(b[FrameHeaderLen:], data[:])
	return dst
}

// AppendGoAway appends a GOAWAY frame (RFC 9113 §6.8) with optional debug
// data. It is the caller's responsibility to keep the debug data within the
// peer's maximum frame size (less 8 octets).
func AppendGoAway(dst []byte, lastStreamID uint32, code ErrCode, debug []byte) []byte {
	n := 8 + len(debug)
	dst, b := grow(dst, FrameHeaderLen+n)
	putHeader(b, FrameGoAway, 0, 0, n)
	put32(b[FrameHeaderLen:], check31(lastStreamID))
	put32(b[FrameHeaderLen+4:], uint32(code))
	copy(b[FrameHeaderLen+8:], debug)
	return dst
}

// AppendWindowUpdate appends a WINDOW_UPDATE frame (RFC 9113 §6.9); stream 0
// updates the connection's window. A legal increment is 1 to MaxWindowSize.
func AppendWindowUpdate(dst []byte, streamID, increment uint32) []byte {
	dst, b := grow(dst, FrameHeaderLen+4)
	putHeader(b, FrameWindowUpdate, 0, streamID, 4)
	put32(b[FrameHeaderLen:], check31(increment))
	return dst
}

// AppendContinuation appends a CONTINUATION frame (RFC 9113 §6.10). It is
// the caller's responsibility not to exceed the peer's maximum frame size.
func AppendContinuation(dst []byte, streamID uint32, endHeaders bool, fragment []byte) []byte {
	var flags Flags
	if endHeaders {
		flags = FlagContinuationEndHeaders
	}
	dst, b := grow(dst, FrameHeaderLen+len(fragment))
	putHeader(b, FrameContinuation, flags, streamID, len(fragment))
	copy(b[FrameHeaderLen:], fragment)
	return dst
}

// AppendPriorityUpdate appends a PRIORITY_UPDATE frame (RFC 9218 §7.1) on
// stream 0 for stream prioritizedStreamID, with a Priority Field Value such
// as "u=1, i".
func AppendPriorityUpdate(dst []byte, prioritizedStreamID uint32, fieldValue []byte) []byte {
	n := 4 + len(fieldValue)
	dst, b := grow(dst, FrameHeaderLen+n)
	putHeader(b, FramePriorityUpdate, 0, 0, n)
	put32(b[FrameHeaderLen:], check31(prioritizedStreamID))
	copy(b[FrameHeaderLen+4:], fieldValue)
	return dst
}

// AppendFrame appends a frame of any type with the given flags and payload,
// for extension frames and for tests. It is the caller's responsibility not
// to exceed the peer's maximum frame size.
func AppendFrame(dst []byte, t FrameType, flags Flags, streamID uint32, payload []byte) []byte {
	dst, b := grow(dst, FrameHeaderLen+len(payload))
	putHeader(b, t, flags, streamID, len(payload))
	copy(b[FrameHeaderLen:], payload)
	return dst
}

// putPadding zeroes b: padding octets must be zero (RFC 9113 §6.1).
func putPadding(b []byte) { clear(b) }

// check31 returns v, which must fit a 31-bit field.
func check31(v uint32) uint32 {
	if v > MaxStreamID {
		panic("h2: value of a 31-bit field exceeds 2^31-1")
	}
	return v
}
