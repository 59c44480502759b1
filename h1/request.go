package h1

import (
	"turbohttp/internal/ascii"
)

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
	// Upgrade is the value of the Upgrade field of an HTTP/1.1 request
	// whose Connection field also lists "upgrade" (RFC 9110 §7.8), else
	// nil.
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
	h.Fields, n, err = parseFields(buf[i:], h.Fields[:0], lim.fields(), ErrTooManyFields, false)
	if err != nil {
		return 0, err
	}
	return i + n, nil
}

// parseRequestLine parses "method SP request-target SP HTTP-version CRLF"
// (RFC 9112 §3) and returns the bytes consumed.
func (h *RequestHead) parseRequestLine(b []byte, lim *Limits) (int, error) {
	i, err := h.parseMethod(b)
	if err != nil {
		return 0, err
	}
	n, err := h.parseTarget(b[i:], lim.targetBytes())
	if err != nil {
		return 0, err
	}
	i += n
	n, err = parseVersion(b[i:], &h.Major, &h.Minor)
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

// parseMethod parses the method and the space after it.
func (h *RequestHead) parseMethod(b []byte) (int, error) {
	i := 0
	for i < len(b) && tokenChar[b[i]] {
		i++
	}
	switch {
	case i == len(b):
		return 0, ErrIncomplete
	case b[i] == '\n':
		return 0, ErrBareLF
	case b[i] != ' ':
		return 0, ErrBadMethod
	case i == 0:
		return 0, ErrBadRequestLine
	}
	h.Method = b[:i:i]
	return i + 1, nil
}

// parseTarget parses the request target, at most max bytes of visible
// ASCII, and the space after it. Its form is checked by classifyTarget
// once the line is complete.
func (h *RequestHead) parseTarget(b []byte, max int) (int, error) {
	i := skipTargetBytes(b[:min(len(b), max)], 0)
	for i < len(b) && b[i] > ' ' && b[i] < 0x7f {
		if i >= max {
			return 0, ErrTargetTooLong
		}
		i++
	}
	switch {
	case i == len(b):
		return 0, ErrIncomplete
	case i == 0:
		return 0, ErrBadRequestLine
	case b[i] == '\r':
		// "GET /" CRLF: an HTTP/0.9 simple request.
		if i+1 == len(b) {
			return 0, ErrIncomplete
		}
		if b[i+1] == '\n' {
			return 0, ErrNoVersion
		}
		return 0, ErrBadTarget
	case b[i] != ' ':
		return 0, ErrBadTarget
	}
	h.Target = b[:i:i]
	return i + 1, nil
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
		if !validPercent(t) {
			return ErrBadTarget
		}
	case len(t) == 1 && t[0] == '*':
		h.Form = AsteriskForm
		if string(h.Method) != "OPTIONS" {
			return ErrTargetForm
		}
	default:
		h.Form = AbsoluteForm
		if absoluteAuthority(t) == nil || !validPercent(t) {
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

// regNameChar is the set of bytes of a reg-name (RFC 3986 §3.2.2) as this
// package accepts it: unreserved and sub-delims. Percent-encoding is not
// accepted in a host name: no HTTP client sends it, and decoding it would
// give two spellings of one host.
var regNameChar = func() (t [256]bool) {
	for c := range 256 {
		b := byte(c)
		t[c] = 'a' <= b|0x20 && b|0x20 <= 'z' || isDigit(b)
	}
	for _, c := range []byte("-._~!$&'()*+,;=") {
		t[c] = true
	}
	return t
}()

// validAuthority reports whether a is uri-host [":" port] (RFC 3986
// §3.2.2-§3.2.3): a non-empty reg-name or an IP literal in brackets, then an
// optional port of digits. With needPort the port must be present and
// non-empty (authority-form, RFC 9112 §3.2.3). Userinfo is refused.
func validAuthority[S ~string | ~[]byte](a S, needPort bool) bool {
	i := 0
	if len(a) > 0 && a[0] == '[' {
		for i = 1; i < len(a) && a[i] != ']'; i++ {
		}
		if i == len(a) || !validIPv6(a[1:i]) {
			return false
		}
		i++
	} else {
		for i < len(a) && regNameChar[a[i]] {
			i++
		}
		if i == 0 {
			return false
		}
	}
	if i == len(a) {
		return !needPort
	}
	if a[i] != ':' || needPort && i+1 == len(a) {
		return false
	}
	for i++; i < len(a); i++ {
		if !isDigit(a[i]) {
			return false
		}
	}
	return true
}

// validIPv6 reports whether s is an IPv6address (RFC 3986 §3.2.2): eight
// groups of one to four hex digits, or fewer with one "::", the last two
// possibly written as an IPv4 address. Zones and IPvFuture are refused.
func validIPv6[S ~string | ~[]byte](s S) bool {
	groups, ellipsis, i := 0, false, 0
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis, i = true, 2
	}
	for i < len(s) {
		j := i
		for j < len(s) && j-i < 5 && ascii.IsHex(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '.' {
			if !validIPv4(s[i:]) {
				return false
			}
			groups += 2
			break
		}
		if j == i || j-i > 4 {
			return false
		}
		groups++
		if i = j; i == len(s) {
			break
		}
		if s[i] != ':' || i+1 == len(s) {
			return false
		}
		if i++; s[i] == ':' {
			if ellipsis {
				return false
			}
			ellipsis = true
			i++
		}
	}
	if ellipsis {
		return groups <= 7
	}
	return groups == 8
}

// validIPv4 reports whether s is a dotted-decimal IPv4 address: four
// numbers of 0 to 255 without leading zeros.
func validIPv4[S ~string | ~[]byte](s S) bool {
	parts, v, digits := 0, 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 || parts == 4 {
				return false
			}
			parts, v, digits = parts+1, 0, 0
			continue
		}
		if !isDigit(s[i]) || digits > 0 && v == 0 {
			return false
		}
		v, digits = v*10+int(s[i]-'0'), digits+1
		if v > 255 {
			return false
		}
	}
	return parts == 4
}

// validHost reports whether v is a valid Host field value: an authority
// without userinfo, or empty (RFC 9112 §3.2).
func validHost(v []byte) bool {
	return len(v) == 0 || validAuthority(v, false)
}

// validPercent reports whether every "%" in t starts a pct-encoded triplet,
// and t holds no "#": a request target has no fragment (RFC 9112 §3.2).
func validPercent(t []byte) bool {
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '#':
			return false
		case '%':
			if i+2 >= len(t) || !ascii.IsHex(t[i+1]) || !ascii.IsHex(t[i+2]) {
				return false
			}
		}
	}
	return true
}
