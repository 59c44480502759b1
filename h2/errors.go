package h2

import "strconv"

// ErrCode is an HTTP/2 error code (RFC 9113 §7), carried by RST_STREAM and
// GOAWAY frames.
type ErrCode uint32

// The error codes of RFC 9113 §7.
const (
	ErrCodeNo                 ErrCode = 0x0
	ErrCodeProtocol           ErrCode = 0x1
	ErrCodeInternal           ErrCode = 0x2
	ErrCodeFlowControl        ErrCode = 0x3
	ErrCodeSettingsTimeout    ErrCode = 0x4
	ErrCodeStreamClosed       ErrCode = 0x5
	ErrCodeFrameSize          ErrCode = 0x6
	ErrCodeRefusedStream      ErrCode = 0x7
	ErrCodeCancel             ErrCode = 0x8
	ErrCodeCompression        ErrCode = 0x9
	ErrCodeConnect            ErrCode = 0xa
	ErrCodeEnhanceYourCalm    ErrCode = 0xb
	ErrCodeInadequateSecurity ErrCode = 0xc
	ErrCodeHTTP11Required     ErrCode = 0xd
)

var errCodeNames = [...]string{
	ErrCodeNo:                 "NO_ERROR",
	ErrCodeProtocol:           "PROTOCOL_ERROR",
	ErrCodeInternal:           "INTERNAL_ERROR",
	ErrCodeFlowControl:        "FLOW_CONTROL_ERROR",
	ErrCodeSettingsTimeout:    "SETTINGS_TIMEOUT",
	ErrCodeStreamClosed:       "STREAM_CLOSED",
	ErrCodeFrameSize:          "FRAME_SIZE_ERROR",
	ErrCodeRefusedStream:      "REFUSED_STREAM",
	ErrCodeCancel:             "CANCEL",
	ErrCodeCompression:        "COMPRESSION_ERROR",
	ErrCodeConnect:            "CONNECT_ERROR",
	ErrCodeEnhanceYourCalm:    "ENHANCE_YOUR_CALM",
	ErrCodeInadequateSecurity: "INADEQUATE_SECURITY",
	ErrCodeHTTP11Required:     "HTTP_1_1_REQUIRED",
}

// String returns the code's name as written in RFC 9113 §7, such as
// "PROTOCOL_ERROR", or "ERR_CODE_0x1f" for a code the RFC does not define
// (which a receiver must treat like INTERNAL_ERROR, but not rename).
func (c ErrCode) String() string {
	if int(c) < len(errCodeNames) {
		return errCodeNames[c]
	}
	return "ERR_CODE_0x" + strconv.FormatUint(uint64(c), 16)
}

// ConnError is a connection error (RFC 9113 §5.4.1): the connection must be
// ended with a GOAWAY frame carrying Code. A Framer that returned a ConnError
// returns it again from every later read.
type ConnError struct {
	Code   ErrCode
	Reason string // what was wrong, for logs and GOAWAY debug data
}

func (e ConnError) Error() string {
	return "h2: connection error " + e.Code.String() + ": " + e.Reason
}

// StreamError is a stream error (RFC 9113 §5.4.2): stream StreamID must be
// reset with a RST_STREAM frame carrying Code; the connection stays usable.
type StreamError struct {
	StreamID uint32
	Code     ErrCode
	Reason   string // what was wrong, for logs
}

func (e StreamError) Error() string {
	return "h2: stream error on stream " + strconv.FormatUint(uint64(e.StreamID), 10) +
		" " + e.Code.String() + ": " + e.Reason
}

// connError returns a ConnError as an error.
func connError(code ErrCode, reason string) error {
	return ConnError{Code: code, Reason: reason}
}

// streamError returns a StreamError as an error.
func streamError(id uint32, code ErrCode, reason string) error {
	return StreamError{StreamID: id, Code: code, Reason: reason}
}
