package h1

// ResponseHead is a parsed response head. Every []byte in it is a view into
// the buffer given to ParseResponse, valid while that buffer is unchanged.
// Like RequestHead it is meant to be reused without allocating.
type ResponseHead struct {
	// Major and Minor are the HTTP version; Major is always 1.
	Major, Minor uint8
	// Status is the three-digit status code, 100 to 599 (RFC 9110 §15).
	Status int
	// Reason is the reason phrase, possibly empty.
	Reason []byte
	// Fields are the header fields in wire order.
	Fields Fields

	// Framing, derived from the fields, the status and the request method
	// (see framing.go), says whether a body follows and how it ends.
	Framing
}

// ParseResponse parses a response head (RFC 9112 §4, §5) at the start of
// buf into h, applies the message framing rules for a response to a request
// with the given method ("HEAD" and "CONNECT" matter; "" stands for any
// other), and returns the number of bytes the head occupies. The body starts
// at buf[n:].
//
// As with ParseRequest, ErrIncomplete asks for more bytes, limits hold for
// incomplete input (ErrHeaderTooLarge), and any other error is an *Error
// after which the connection must be closed. A 1xx response other than 101
// is followed by the final response: parse again at buf[n:]. The status
// line may have an empty reason ("HTTP/1.1 200 \r\n") or, leniently, none
// at all ("HTTP/1.1 200\r\n"). A status code outside 100-599 is
// ErrBadStatusCode. obs-fold in a field value is replaced with spaces in
// buf itself (RFC 9112 §5.2, see the package doc), so buf must be writable.
// A lim of nil means DefaultLimits.
func ParseResponse(buf []byte, method string, h *ResponseHead, lim *Limits) (int, error) {
	n, err := h.parseStatusLine(buf)
	if err == nil {
		var m int
		h.Fields, m, err = parseFields(buf[n:], h.Fields[:0], lim.fields(), ErrTooManyFields, true)
		n += m
	}
	max := lim.headerBytes()
	if err == ErrIncomplete && len(buf) > max || err == nil && n > max {
		return 0, ErrHeaderTooLarge
	}
	if err != nil {
		return 0, err
	}
	if err := h.frame(method); err != nil {
		return 0, err
	}
	return n, nil
}

// parseStatusLine parses "HTTP-version SP 3DIGIT SP reason-phrase CRLF" and
// returns the bytes consumed.
func (h *ResponseHead) parseStatusLine(b []byte) (int, error) {
	n, err := parseVersion(b, &h.Major, &h.Minor)
	if err != nil {
		if err == ErrBadVersion {
			return 0, ErrBadStatusLine
		}
		return 0, err
	}
	if len(b) < n+5 {
		return 0, ErrIncomplete
	}
	if h.Major != 1 {
		return 0, ErrVersion
	}
	s := b[n:]
	if s[0] != ' ' || !isDigit(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) {
		return 0, ErrBadStatusLine
	}
	if s[1] == '0' || s[1] > '5' {
		return 0, ErrBadStatusCode
	}
	h.Status = int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	i := n + 4
	if b[i] == ' ' {
		i++
	}
	start := i
	for i < len(b) && valueChar[b[i]] {
		i++
	}
	switch {
	case i == len(b):
		return 0, ErrIncomplete
	case b[i] == '\n':
		return 0, ErrBareLF
	case b[i] != '\r' || start == n+4 && i > start: // a control byte, or "200OK"
		return 0, ErrBadStatusLine
	case i+1 == len(b):
		return 0, ErrIncomplete
	case b[i+1] != '\n':
		return 0, ErrBareCR
	}
	h.Reason = b[start:i:i]
	return i + 2, nil
}
