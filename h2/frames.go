package h2

// This file holds the parsed frame types, one per frame type of RFC 9113 §6
// and RFC 9218 §7.1, and the checks each one's payload must pass.
//
// A frame returned by Framer.ReadFrame is owned by the Framer: it, and every
// byte slice its methods return, is valid only until the next call to
// ReadFrame. Copy what must outlive that. The connection engine (Conn)
// parses with the same functions, through its own frameSlots.

// frameSlots holds one parsed frame of each type, reused from frame to
// frame, and the parse functions that fill them: the read side shared by
// the pull-based Framer and the push-based Conn.
type frameSlots struct {
	data           DataFrame
	headers        HeadersFrame
	priority       PriorityFrame
	rstStream      RSTStreamFrame
	settings       SettingsFrame
	pushPromise    PushPromiseFrame
	ping           PingFrame
	goAway         GoAwayFrame
	windowUpdate   WindowUpdateFrame
	priorityUpdate PriorityUpdateFrame
	unknown        UnknownFrame
}

// Frame is a frame returned by Framer.ReadFrame: one of *DataFrame,
// *HeadersFrame, *PriorityFrame, *RSTStreamFrame, *SettingsFrame,
// *PushPromiseFrame, *PingFrame, *GoAwayFrame, *WindowUpdateFrame,
// *PriorityUpdateFrame or *UnknownFrame. It is valid until the next
// ReadFrame.
type Frame interface {
	Header() FrameHeader
}

// DataFrame is a DATA frame (RFC 9113 §6.1). The whole payload length,
// Header().Length, padding included, counts against flow control.
type DataFrame struct {
	FrameHeader
	data   []byte
	padLen uint8
}

// Data returns the frame's data without padding. The slice points into the
// Framer's read buffer and is valid until the next ReadFrame.
func (f *DataFrame) Data() []byte { return f.data }

// EndStream reports whether the END_STREAM flag is set.
func (f *DataFrame) EndStream() bool { return f.Flags.Has(FlagDataEndStream) }

// Padded reports whether the PADDED flag is set.
func (f *DataFrame) Padded() bool { return f.Flags.Has(FlagDataPadded) }

// PadLength returns the number of padding octets (0 if not Padded).
func (f *DataFrame) PadLength() uint8 { return f.padLen }

func (fr *frameSlots) parseData(h FrameHeader, p []byte) (Frame, error) {
	if h.StreamID == 0 {
		return nil, connError(ErrCodeProtocol, "DATA frame on stream 0")
	}
	_, data, padLen, err := splitPadded(h, p, h.Flags.Has(FlagDataPadded), 0)
	if err != nil {
		return nil, err
	}
	fr.data = DataFrame{FrameHeader: h, data: data, padLen: padLen}
	return &fr.data, nil
}

// PriorityParam is the stream dependency and weight of a PRIORITY frame or
// of a HEADERS frame with the PRIORITY flag (RFC 9113 §5.3.2, §6.3).
// Priorities are parsed and checked but not acted upon.
type PriorityParam struct {
	StreamDep uint32 // the stream depended on, 31 bits
	Exclusive bool   // the E flag
	Weight    uint8  // the weight minus one, as on the wire (0 to 255)
}

func parsePriority(b []byte) PriorityParam {
	v := be32(b)
	return PriorityParam{StreamDep: v & MaxStreamID, Exclusive: v>>31 == 1, Weight: b[4]}
}

// HeadersFrame is a HEADERS frame (RFC 9113 §6.2) together with the
// CONTINUATION frames that completed its header block, if any. Its
// FrameHeader is that of the HEADERS frame alone.
type HeadersFrame struct {
	FrameHeader
	// Priority is valid when HasPriority reports true.
	Priority PriorityParam
	block    []byte
	padLen   uint8
}

// HeaderBlock returns the complete header block: the HEADERS fragment and
// those of any CONTINUATION frames, joined. It is valid until the next
// ReadFrame.
func (f *HeadersFrame) HeaderBlock() []byte { return f.block }

// EndStream reports whether the END_STREAM flag is set.
func (f *HeadersFrame) EndStream() bool { return f.Flags.Has(FlagHeadersEndStream) }

// HasPriority reports whether the PRIORITY flag is set.
func (f *HeadersFrame) HasPriority() bool { return f.Flags.Has(FlagHeadersPriority) }

// Padded reports whether the PADDED flag is set.
func (f *HeadersFrame) Padded() bool { return f.Flags.Has(FlagHeadersPadded) }

// PadLength returns the number of padding octets (0 if not Padded).
func (f *HeadersFrame) PadLength() uint8 { return f.padLen }

// parseHeaders parses a HEADERS frame; its header block fragment is
// completed by the caller. A self-dependency is reported by checkHeaders.
func (fr *frameSlots) parseHeaders(h FrameHeader, p []byte) (*HeadersFrame, error) {
	if h.StreamID == 0 {
		return nil, connError(ErrCodeProtocol, "HEADERS frame on stream 0")
	}
	fixed := 0
	if h.Flags.Has(FlagHeadersPriority) {
		fixed = 5
	}
	prio, block, padLen, err := splitPadded(h, p, h.Flags.Has(FlagHeadersPadded), fixed)
	if err != nil {
		return nil, err
	}
	fr.headers = HeadersFrame{FrameHeader: h, block: block, padLen: padLen}
	if fixed > 0 {
		fr.headers.Priority = parsePriority(prio)
	}
	return &fr.headers, nil
}

// checkHeaders returns the stream error of a HEADERS frame whose stream
// depends on itself (RFC 9113 §5.3.1).
func checkHeaders(f *HeadersFrame) error {
	if f.HasPriority() && f.Priority.StreamDep == f.StreamID {
		return streamError(f.StreamID, ErrCodeProtocol, "HEADERS frame makes the stream depend on itself")
	}
	return nil
}

// PriorityFrame is a PRIORITY frame (RFC 9113 §6.3).
type PriorityFrame struct {
	FrameHeader
	PriorityParam
}

func (fr *frameSlots) parsePriority(h FrameHeader, p []byte) (Frame, error) {
	switch {
	case h.StreamID == 0:
		return nil, connError(ErrCodeProtocol, "PRIORITY frame on stream 0")
	case len(p) != 5:
		return nil, streamError(h.StreamID, ErrCodeFrameSize, "PRIORITY frame length is not 5")
	}
	fr.priority = PriorityFrame{FrameHeader: h, PriorityParam: parsePriority(p)}
	if fr.priority.StreamDep == h.StreamID {
		return nil, streamError(h.StreamID, ErrCodeProtocol, "PRIORITY frame makes the stream depend on itself")
	}
	return &fr.priority, nil
}

// RSTStreamFrame is a RST_STREAM frame (RFC 9113 §6.4).
type RSTStreamFrame struct {
	FrameHeader
	ErrCode ErrCode
}

func (fr *frameSlots) parseRSTStream(h FrameHeader, p []byte) (Frame, error) {
	switch {
	case h.StreamID == 0:
		return nil, connError(ErrCodeProtocol, "RST_STREAM frame on stream 0")
	case len(p) != 4:
		return nil, connError(ErrCodeFrameSize, "RST_STREAM frame length is not 4")
	}
	fr.rstStream = RSTStreamFrame{FrameHeader: h, ErrCode: ErrCode(be32(p))}
	return &fr.rstStream, nil
}

// SettingsFrame is a SETTINGS frame (RFC 9113 §6.5). Every setting it
// carries has passed Setting.Valid; unknown settings are kept, for the
// receiver to ignore.
type SettingsFrame struct {
	FrameHeader
	p []byte
}

// IsAck reports whether the ACK flag is set; an ACK carries no settings.
func (f *SettingsFrame) IsAck() bool { return f.Flags.Has(FlagSettingsAck) }

// NumSettings returns the number of settings in the frame.
func (f *SettingsFrame) NumSettings() int { return len(f.p) / 6 }

// Setting returns the i-th setting, in frame order, for 0 <= i < NumSettings.
func (f *SettingsFrame) Setting(i int) Setting {
	b := f.p[6*i : 6*i+6]
	return Setting{ID: SettingID(b[0])<<8 | SettingID(b[1]), Val: be32(b[2:])}
}

// Value returns the value of the last occurrence of setting id, which is the
// one in force once the frame is applied, and whether the frame carries id.
func (f *SettingsFrame) Value(id SettingID) (v uint32, ok bool) {
	for i := range f.NumSettings() {
		if s := f.Setting(i); s.ID == id {
			v, ok = s.Val, true
		}
	}
	return v, ok
}

func (fr *frameSlots) parseSettings(h FrameHeader, p []byte) (Frame, error) {
	switch {
	case h.StreamID != 0:
		return nil, connError(ErrCodeProtocol, "SETTINGS frame on a stream")
	case h.Flags.Has(FlagSettingsAck) && len(p) != 0:
		return nil, connError(ErrCodeFrameSize, "SETTINGS ACK with a payload")
	case len(p)%6 != 0:
		return nil, connError(ErrCodeFrameSize, "SETTINGS frame length is not a multiple of 6")
	}
	fr.settings = SettingsFrame{FrameHeader: h, p: p}
	for i := range fr.settings.NumSettings() {
		if err := fr.settings.Setting(i).Valid(); err != nil {
			return nil, err
		}
	}
	return &fr.settings, nil
}

// PushPromiseFrame is a PUSH_PROMISE frame (RFC 9113 §6.6) together with the
// CONTINUATION frames that completed its header block, if any. Its
// FrameHeader is that of the PUSH_PROMISE frame alone.
type PushPromiseFrame struct {
	FrameHeader
	PromiseID uint32 // the promised stream, 31 bits
	block     []byte
	padLen    uint8
}

// HeaderBlock returns the complete header block, valid until the next ReadFrame.
func (f *PushPromiseFrame) HeaderBlock() []byte { return f.block }

// Padded reports whether the PADDED flag is set.
func (f *PushPromiseFrame) Padded() bool { return f.Flags.Has(FlagPushPromisePadded) }

// PadLength returns the number of padding octets (0 if not Padded).
func (f *PushPromiseFrame) PadLength() uint8 { return f.padLen }

func (fr *frameSlots) parsePushPromise(h FrameHeader, p []byte) (*PushPromiseFrame, error) {
	if h.StreamID == 0 {
		return nil, connError(ErrCodeProtocol, "PUSH_PROMISE frame on stream 0")
	}
	id, block, padLen, err := splitPadded(h, p, h.Flags.Has(FlagPushPromisePadded), 4)
	if err != nil {
		return nil, err
	}
	fr.pushPromise = PushPromiseFrame{FrameHeader: h, PromiseID: be32(id) & MaxStreamID, block: block, padLen: padLen}
	if fr.pushPromise.PromiseID == 0 {
		return nil, connError(ErrCodeProtocol, "PUSH_PROMISE frame promises stream 0")
	}
	return &fr.pushPromise, nil
}

// PingFrame is a PING frame (RFC 9113 §6.7).
type PingFrame struct {
	FrameHeader
	Data [8]byte
}

// IsAck reports whether the ACK flag is set.
func (f *PingFrame) IsAck() bool { return f.Flags.Has(FlagPingAck) }

func (fr *frameSlots) parsePing(h FrameHeader, p []byte) (Frame, error) {
	switch {
	case h.StreamID != 0:
		return nil, connError(ErrCodeProtocol, "PING frame on a stream")
	case len(p) != 8:
		return nil, connError(ErrCodeFrameSize, "PING frame length is not 8")
	}
	fr.ping = PingFrame{FrameHeader: h, Data: [8]byte(p)}
	return &fr.ping, nil
}

// GoAwayFrame is a GOAWAY frame (RFC 9113 §6.8).
type GoAwayFrame struct {
	FrameHeader
	LastStreamID uint32 // 31 bits
	ErrCode      ErrCode
	debug        []byte
}

// DebugData returns the additional debug data, valid until the next ReadFrame.
func (f *GoAwayFrame) DebugData() []byte { return f.debug }

func (fr *frameSlots) parseGoAway(h FrameHeader, p []byte) (Frame, error) {
	switch {
	case h.StreamID != 0:
		return nil, connError(ErrCodeProtocol, "GOAWAY frame on a stream")
	case len(p) < 8:
		return nil, connError(ErrCodeFrameSize, "GOAWAY frame shorter than 8")
	}
	fr.goAway = GoAwayFrame{FrameHeader: h, LastStreamID: be32(p) & MaxStreamID, ErrCode: ErrCode(be32(p[4:])), debug: p[8:]}
	return &fr.goAway, nil
}

// WindowUpdateFrame is a WINDOW_UPDATE frame (RFC 9113 §6.9); StreamID 0
// updates the connection's window.
type WindowUpdateFrame struct {
	FrameHeader
	Increment uint32 // 1 to 2^31-1
}

func (fr *frameSlots) parseWindowUpdate(h FrameHeader, p []byte) (Frame, error) {
	if len(p) != 4 {
		return nil, connError(ErrCodeFrameSize, "WINDOW_UPDATE frame length is not 4")
	}
	inc := be32(p) & MaxWindowSize
	if inc == 0 {
		if h.StreamID == 0 {
			return nil, connError(ErrCodeProtocol, "WINDOW_UPDATE increment of 0 on the connection")
		}
		return nil, streamError(h.StreamID, ErrCodeProtocol, "WINDOW_UPDATE increment of 0")
	}
	fr.windowUpdate = WindowUpdateFrame{FrameHeader: h, Increment: inc}
	return &fr.windowUpdate, nil
}

// PriorityUpdateFrame is a PRIORITY_UPDATE frame (RFC 9218 §7.1), sent by
// clients on stream 0.
type PriorityUpdateFrame struct {
	FrameHeader
	PrioritizedStreamID uint32 // 31 bits
	fieldValue          []byte
}

// FieldValue returns the Priority Field Value (an RFC 9218 structured
// field, such as "u=1, i"), valid until the next ReadFrame.
func (f *PriorityUpdateFrame) FieldValue() []byte { return f.fieldValue }

func (fr *frameSlots) parsePriorityUpdate(h FrameHeader, p []byte) (Frame, error) {
	switch {
	case h.StreamID != 0:
		return nil, connError(ErrCodeProtocol, "PRIORITY_UPDATE frame on a stream")
	case len(p) < 4:
		return nil, connError(ErrCodeFrameSize, "PRIORITY_UPDATE frame shorter than 4")
	}
	id := be32(p) & MaxStreamID
	if id == 0 {
		return nil, connError(ErrCodeProtocol, "PRIORITY_UPDATE frame for stream 0")
	}
	fr.priorityUpdate = PriorityUpdateFrame{FrameHeader: h, PrioritizedStreamID: id, fieldValue: p[4:]}
	return &fr.priorityUpdate, nil
}

// UnknownFrame is a frame of a type this package does not know. A receiver
// must ignore it (RFC 9113 §5.5); it is returned so that the caller may count
// it against a budget.
type UnknownFrame struct {
	FrameHeader
	payload []byte
}

// Payload returns the frame's payload, valid until the next ReadFrame.
func (f *UnknownFrame) Payload() []byte { return f.payload }

// splitPadded splits the payload of a frame that may be padded, laid out as
// [Pad Length (8)] fixed-length fields, content, Padding: it returns the
// fixed fields, the content and the padding length. A payload too short for
// its mandatory fields is a FRAME_SIZE_ERROR and padding that leaves no room
// for them a PROTOCOL_ERROR (RFC 9113 §6.1, §6.2, §6.6), both connection
// errors since such frames alter the state of the connection.
func splitPadded(h FrameHeader, p []byte, padded bool, fixed int) (fields, content []byte, padLen uint8, err error) {
	start := fixed
	if padded {
		start++
	}
	if len(p) < start {
		return nil, nil, 0, connError(ErrCodeFrameSize, h.Type.String()+" frame too short for its fields")
	}
	end := len(p)
	if padded {
		padLen = p[0]
		p = p[1:]
		end--
		if int(padLen) > end-fixed {
			return nil, nil, 0, connError(ErrCodeProtocol, h.Type.String()+" frame padding longer than the payload")
		}
		end -= int(padLen)
	}
	return p[:fixed], p[fixed:end], padLen, nil
}
