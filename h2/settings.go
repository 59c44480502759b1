package h2

import "strconv"

// SettingID identifies a setting carried by a SETTINGS frame (RFC 9113 §6.5.2).
type SettingID uint16

// The settings of RFC 9113 §6.5.2, RFC 8441 §3 and RFC 9218 §2.1.
const (
	SettingHeaderTableSize       SettingID = 0x1
	SettingEnablePush            SettingID = 0x2
	SettingMaxConcurrentStreams  SettingID = 0x3
	SettingInitialWindowSize     SettingID = 0x4
	SettingMaxFrameSize          SettingID = 0x5
	SettingMaxHeaderListSize     SettingID = 0x6
	SettingEnableConnectProtocol SettingID = 0x8
	SettingNoRFC7540Priorities   SettingID = 0x9
)

var settingNames = [...]string{
	SettingHeaderTableSize:       "SETTINGS_HEADER_TABLE_SIZE",
	SettingEnablePush:            "SETTINGS_ENABLE_PUSH",
	SettingMaxConcurrentStreams:  "SETTINGS_MAX_CONCURRENT_STREAMS",
	SettingInitialWindowSize:     "SETTINGS_INITIAL_WINDOW_SIZE",
	SettingMaxFrameSize:          "SETTINGS_MAX_FRAME_SIZE",
	SettingMaxHeaderListSize:     "SETTINGS_MAX_HEADER_LIST_SIZE",
	SettingEnableConnectProtocol: "SETTINGS_ENABLE_CONNECT_PROTOCOL",
	SettingNoRFC7540Priorities:   "SETTINGS_NO_RFC7540_PRIORITIES",
}

// String returns the setting's name as written in the RFCs, such as
// "SETTINGS_MAX_FRAME_SIZE", or "SETTINGS_UNKNOWN_0xNN".
func (id SettingID) String() string {
	if int(id) < len(settingNames) && settingNames[id] != "" {
		return settingNames[id]
	}
	return "SETTINGS_UNKNOWN_0x" + strconv.FormatUint(uint64(id), 16)
}

// Setting is one identifier/value pair of a SETTINGS frame.
type Setting struct {
	ID  SettingID
	Val uint32
}

// Initial values of the settings before any SETTINGS frame (RFC 9113 §6.5.2)
// and the bounds a value must respect.
const (
	DefaultHeaderTableSize   = 4096
	DefaultInitialWindowSize = 65535
	DefaultMaxFrameSize      = 1 << 14

	// MinMaxFrameSize is the smallest valid SETTINGS_MAX_FRAME_SIZE; the
	// largest is MaxFrameSizeLimit.
	MinMaxFrameSize = 1 << 14

	// MaxWindowSize is the largest flow-control window and
	// SETTINGS_INITIAL_WINDOW_SIZE (RFC 9113 §6.9.1).
	MaxWindowSize = 1<<31 - 1
)

// Valid reports whether s carries a value its setting allows, as a
// ConnError with the code RFC 9113 §6.5.2 prescribes: SETTINGS_ENABLE_PUSH
// (and the boolean settings of RFC 8441 and RFC 9218) other than 0 or 1 is a
// PROTOCOL_ERROR, SETTINGS_INITIAL_WINDOW_SIZE above MaxWindowSize a
// FLOW_CONTROL_ERROR, SETTINGS_MAX_FRAME_SIZE outside MinMaxFrameSize to
// MaxFrameSizeLimit a PROTOCOL_ERROR. Unknown settings are always valid: a
// receiver ignores them.
func (s Setting) Valid() error {
	switch s.ID {
	case SettingEnablePush, SettingEnableConnectProtocol, SettingNoRFC7540Priorities:
		if s.Val > 1 {
			return connError(ErrCodeProtocol, s.ID.String()+" is neither 0 nor 1")
		}
	case SettingInitialWindowSize:
		if s.Val > MaxWindowSize {
			return connError(ErrCodeFlowControl, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1")
		}
	case SettingMaxFrameSize:
		if s.Val < MinMaxFrameSize || s.Val > MaxFrameSizeLimit {
			return connError(ErrCodeProtocol, "SETTINGS_MAX_FRAME_SIZE outside 2^14 to 2^24-1")
		}
	}
	return nil
}

// Settings is the set of values one endpoint has announced, as the peer
// sees them after applying its SETTINGS frames in order.
type Settings struct {
	HeaderTableSize       uint32
	EnablePush            bool
	MaxConcurrentStreams  uint32 // math.MaxUint32 when unlimited
	InitialWindowSize     uint32
	MaxFrameSize          uint32
	MaxHeaderListSize     uint32 // math.MaxUint32 when unlimited
	EnableConnectProtocol bool
	NoRFC7540Priorities   bool
}

// InitialSettings returns the values in force before the first SETTINGS
// frame (RFC 9113 §6.5.2): unlimited where the RFC sets no initial limit.
func InitialSettings() Settings {
	return Settings{
		HeaderTableSize:      DefaultHeaderTableSize,
		EnablePush:           true,
		MaxConcurrentStreams: 1<<32 - 1,
		InitialWindowSize:    DefaultInitialWindowSize,
		MaxFrameSize:         DefaultMaxFrameSize,
		MaxHeaderListSize:    1<<32 - 1,
	}
}

// Apply validates st as Setting.Valid does and records its value. Unknown
// settings are ignored.
func (s *Settings) Apply(st Setting) error {
	if err := st.Valid(); err != nil {
		return err
	}
	switch st.ID {
	case SettingHeaderTableSize:
		s.HeaderTableSize = st.Val
	case SettingEnablePush:
		s.EnablePush = st.Val == 1
	case SettingMaxConcurrentStreams:
		s.MaxConcurrentStreams = st.Val
	case SettingInitialWindowSize:
		s.InitialWindowSize = st.Val
	case SettingMaxFrameSize:
		s.MaxFrameSize = st.Val
	case SettingMaxHeaderListSize:
		s.MaxHeaderListSize = st.Val
	case SettingEnableConnectProtocol:
		s.EnableConnectProtocol = st.Val == 1
	case SettingNoRFC7540Priorities:
		s.NoRFC7540Priorities = st.Val == 1
	}
	return nil
}
