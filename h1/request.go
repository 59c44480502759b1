package h1

import "bytes"

// TargetForm is the form of a request target (RFC 9112 §3.2).
type TargetForm uint8

const (
	OriginForm    TargetForm = iota // "/path?query", the usual form
	AbsoluteForm                    // "http://host/path", sent to proxies
	AuthorityForm                   // "host:port", CONNECT only
	AsteriskForm                    // "*", OPTIONS only
)

// RequestHead is a parsed request head. Every []byte in it is a view into
// the buffer given to ParseRequest, valid while that buffer is unchanged.
// A RequestHead is meant to be reused: ParseRequest overwrites every field
// and appends to Fields[:0], so a warm RequestHead parses without
// allocating.
type RequestHead struct {
	Method []byte
	Target []byte
	Form   TargetForm
	// Major and Minor are the HTTP version: 1.0 or 1.1.
	Major, Minor uint8
	// Fields are the header fields in wire order, Host included.
	Fields Fields

	// The rest is derived from the fields by the message framing rules
	// (see framing.go).

	// Framing says whether a body follows and how it is delimited.
	Framing
	// Host is the authority of the request: the authority of an
	// absolute-form or authority-form target if there is one (RFC 9112
	// §3.2.2: it wins over a differing Host field), else the Host field's
	// value; empty when neither says.
	Host []byte
	// Expect100 reports "Expect: 100-continue" on an HTTP/1.1 request: the
	// server should answer 100 Continue before reading the body.
	Expect100 bool
	// ExpectUnsupported reports an Expect field with any other expectation:
	// the server should answer 417 Expectation Failed.
	ExpectUnsupported bool
	// Upgrade is the value of the Upgrade field when the Connection field
	// also lists "upgrade" (RFC 9110 §7.8), else nil.
	Upgrade []byte
}

// ParseRequest parses a request head (RFC 9112 §2-§5) at the start of buf
// into h, applies the message framing rules to it, and returns the number of
// bytes the head occupies, final empty line included; the body or the next
// request starts at buf[n:].
//
// If buf holds only part of a head, ParseRequest returns ErrIncomplete: read
// more, append, and call again with the whole buffer. Limits hold for
// incomplete input as well: a buffer longer than lim's header limit without
// the end of the head yields ErrHeaderTooLarge (431), an unfinished target
// already longer than the target limit ErrTargetTooLong (414).
//
// Any other error is an *Error telling the status to answer; the connection
// must then be closed. One empty line (CRLF) before the request line is
// skipped (RFC 9112 §2.2). A lim of nil means DefaultLimits.
func ParseRequest(buf []byte, h *RequestHead, lim *Limits) (int, error) {
	n, err := parseRequestHead(buf, h, lim)
	max := lim.headerBytes()
	if err == ErrIncomplete && len(buf) > max || err == nil && n > max {
		return 0, ErrHeaderTooLarge
	}
	if err != nil {
		return 0, err
	}
	if err := h.frame(); err != nil {
		return 0, err
	}
	return n, nil
}

// parseRequestHead parses the request line and the field lines.
func parseRequestHead(buf []byte, h *RequestHead, lim *Limits) (int, error) {
	i := 0
	for empty := 0; len(buf)-i >= 1 && buf[i] == '\r'; empty++ {
		if len(buf)-i < 2 {
			return 0, ErrIncomplete
		}
		if buf[i+1] != '\n' {
			return 0, ErrBareCR
		}
		if empty == MaxLeadingEmptyLines {
			return 0, ErrLeadingEmptyLine
		}
		i += 2
	}
	n, err := h.parseRequestLine(buf[i:], lim)
	if err != nil {
		return 0, err
	}
	i += n
	h.Fields, n, err = parseFields(buf[i:], h.Fields[:0], lim.fields(), ErrTooManyFields)
	if err != nil {
		return 0, err
	}
	return i + n, nil
}

// parseRequestLine parses "method SP request-target SP HTTP-version CRLF"
// (RFC 9112 §3) and returns the bytes consumed.
func (h *RequestHead) parseRequestLine(b []byte, lim *Limits) (int, error) {
	i := 0
	for i < len(b) && tokenChar[b[i]] {
		i++
	}
	switch {
	case i == len(b):
		return 0, ErrIncomplete
	case b[i] != ' ':
		if b[i] == '\n' {
			return 0, ErrBareLF
		}
		return 0, ErrBadMethod
	case i == 0:
		return 0, ErrBadRequestLine
	}
	h.Method = b[:i:i]
	i++
	start, max := i, lim.targetBytes()
	for i < len(b) && b[i] > ' ' && b[i] < 0x7f {
		if i-start >= max {
			return 0, ErrTargetTooLong
		}
		i++
	}
	switch {
	case i == len(b):
		return 0, ErrIncomplete
	case i == start:
		return 0, ErrBadRequestLine
	case b[i] == '\r':
		// "GET /" CRLF: an HTTP/0.9 simple request.
		if i+1 == len(b) {
			return 0, ErrIncomplete
		}
		if b[i+1] == '\n' {
			return 0, ErrVersion
		}
		return 0, ErrBadTarget
	case b[i] != ' ':
		return 0, ErrBadTarget
	}
	h.Target = b[start:i:i]
	i++
	n, err := parseVersion(b[i:], &h.Major, &h.Minor)
	if err != nil {
		return 0, err
	}
	if len(b)-i-n < 2 {
		return 0, ErrIncomplete
	}
	if err := lineEnd(b[i+n:]); err != nil {
		return 0, err
	}
	if h.Major != 1 || h.Minor > 1 {
		return 0, ErrVersion
	}
	return i + n + 2, h.classifyTarget()
}

// lineEnd checks that b, at least two bytes long, starts with CRLF.
func lineEnd(b []byte) error {
	switch {
	case b[0] == '\r' && b[1] == '\n':
		return nil
	case b[0] == '\r':
		return ErrBareCR
	case b[0] == '\n':
		return ErrBareLF
	}
	return ErrBadVersion
}

// parseVersion parses "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3) at the start
// of b and returns the bytes consumed.
func parseVersion(b []byte, major, minor *uint8) (int, error) {
	const prefix = "HTTP/"
	if len(b) < len(prefix)+3 {
		if k := min(len(b), len(prefix)); string(b[:k]) != prefix[:k] {
			return 0, ErrBadVersion
		}
		return 0, ErrIncomplete
	}
	if string(b[:len(prefix)]) != prefix || !isDigit(b[5]) || b[6] != '.' || !isDigit(b[7]) {
		return 0, ErrBadVersion
	}
	*major, *minor = b[5]-'0', b[7]-'0'
	return len(prefix) + 3, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// classifyTarget sets h.Form from h.Target and checks that the form fits the
// method (RFC 9112 §3.2): authority-form for CONNECT and only there,
// asterisk-form for OPTIONS only.
func (h *RequestHead) classifyTarget() error {
	t := h.Target
	connect := string(h.Method) == "CONNECT"
	switch {
	case connect:
		h.Form = AuthorityForm
		if !validAuthority(t, true) {
			return ErrTargetForm
		}
	case t[0] == '/':
		h.Form = OriginForm
	case len(t) == 1 && t[0] == '*':
		h.Form = AsteriskForm
		if string(h.Method) != "OPTIONS" {
			return ErrTargetForm
		}
	default:
		h.Form = AbsoluteForm
		if absoluteAuthority(t) == nil {
			return ErrBadTarget
		}
	}
	return nil
}

// absoluteAuthority returns the authority of an absolute-form target,
// scheme "://" authority [path-abempty] ["?" query], or nil if t is not one
// or its authority is empty or invalid. RFC 9112 §3.2.2 allows any
// absolute-URI; this package accepts only those with an authority, the only
// kind an HTTP proxy can forward.
func absoluteAuthority(t []byte) []byte {
	i := 0
	for i < len(t) && isSchemeChar(t[i], i == 0) {
		i++
	}
	rest := t[i:]
	if i == 0 || len(rest) < 3 || string(rest[:3]) != "://" {
		return nil
	}
	rest = rest[3:]
	end := 0
	for end < len(rest) && rest[end] != '/' && rest[end] != '?' && rest[end] != '#' {
		end++
	}
	auth := rest[:end:end]
	if !validAuthority(auth, false) {
		return nil
	}
	return auth
}

func isSchemeChar(c byte, first bool) bool {
	if 'a' <= c|0x20 && c|0x20 <= 'z' {
		return true
	}
	return !first && (isDigit(c) || c == '+' || c == '-' || c == '.')
}

// hostChar is the set of bytes of uri-host [":" port] (RFC 3986 §3.2.2):
// unreserved, sub-delims, pct-encoded, ":" and the brackets of IP literals.
// "@" (userinfo) is not among them.
var hostChar = func() (t [256]bool) {
	for c := range 256 {
		b := byte(c)
		t[c] = 'a' <= b|0x20 && b|0x20 <= 'z' || isDigit(b)
	}
	for _, c := range []byte("-._~!$&'()*+,;=:[]%") {
		t[c] = true
	}
	return t
}()

// validAuthority reports whether a is a non-empty uri-host [":" port]; with
// needPort, the port must be present (authority-form, RFC 9112 §3.2.3).
func validAuthority(a []byte, needPort bool) bool {
	if len(a) == 0 || !validHost(a) {
		return false
	}
	colon := bytes.LastIndexByte(a, ':')
	if colon < 0 || bytes.IndexByte(a[colon:], ']') >= 0 {
		return !needPort
	}
	port := a[colon+1:]
	if needPort && (len(port) == 0 || colon == 0) {
		return false
	}
	for _, c := range port {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// validHost reports whether every byte of a Host field value may appear in
// an authority.
func validHost(v []byte) bool {
	for _, c := range v {
		if !hostChar[c] {
			return false
		}
	}
	return true
}
