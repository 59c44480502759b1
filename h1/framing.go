package h1

import (
	"turbohttp/internal/ascii"
)

// BodyKind says how a message body is delimited (RFC 9112 §6.3).
type BodyKind uint8

const (
	// BodyNone: no body follows the head.
	BodyNone BodyKind = iota
	// BodyLength: exactly ContentLength bytes follow.
	BodyLength
	// BodyChunked: a chunked body follows (RFC 9112 §7.1).
	BodyChunked
	// BodyClose: the body runs until the connection closes (responses
	// only).
	BodyClose
)

func (k BodyKind) String() string {
	switch k {
	case BodyNone:
		return "none"
	case BodyLength:
		return "content-length"
	case BodyChunked:
		return "chunked"
	case BodyClose:
		return "close-delimited"
	}
	return "invalid"
}

// Framing is the summary of a head that the connection needs: how to read
// the body and whether the connection survives the exchange.
type Framing struct {
	// Body is how the body is delimited.
	Body BodyKind
	// ContentLength is the body length when Body is BodyLength and -1
	// when it is BodyChunked or BodyClose. When Body is BodyNone it is 0,
	// except on a response that has no body by rule (to HEAD, 1xx, 204,
	// 304) but carries a Content-Length: then it is that field's value,
	// for information.
	ContentLength int64
	// Close reports that the connection must be closed after this
	// exchange: "Connection: close", HTTP/1.0 without "keep-alive", a
	// close-delimited body, or a response with both Content-Length and
	// Transfer-Encoding.
	Close bool
	// Tunnel reports, on a response, that the connection carries another
	// protocol after the head: 101 Switching Protocols, or a 2xx answer to
	// CONNECT. Body is then BodyNone.
	Tunnel bool
}

// fieldID names the fields the framing rules look at.
type fieldID uint8

const (
	fieldOther fieldID = iota
	fieldHost
	fieldContentLength
	fieldTransferEncoding
	fieldConnection
	fieldExpect
	fieldUpgrade
)

// identify tells the framing fields apart from the others with one length
// switch and one comparison.
func identify(name []byte) fieldID {
	switch len(name) {
	case 4:
		if ascii.EqualFold(name, "host") {
			return fieldHost
		}
	case 6:
		if ascii.EqualFold(name, "expect") {
			return fieldExpect
		}
	case 7:
		if ascii.EqualFold(name, "upgrade") {
			return fieldUpgrade
		}
	case 10:
		if ascii.EqualFold(name, "connection") {
			return fieldConnection
		}
	case 14:
		if ascii.EqualFold(name, "content-length") {
			return fieldContentLength
		}
	case 17:
		if ascii.EqualFold(name, "transfer-encoding") {
			return fieldTransferEncoding
		}
	}
	return fieldOther
}

// headSummary collects the framing fields of a head in one pass.
type headSummary struct {
	hosts     int
	host      []byte
	cl        contentLength
	te        transferCoding
	close     bool // Connection: close
	keepAlive bool // Connection: keep-alive
	connUpg   bool // Connection: upgrade
	upgrade   []byte
	expect    int // number of Expect fields
	expect100 bool
	expectBad bool
}

func (s *headSummary) collect(fs Fields) {
	for i := range fs {
		f := &fs[i]
		switch identify(f.Name) {
		case fieldHost:
			s.hosts++
			s.host = f.Value
		case fieldContentLength:
			s.cl.add(f.Value)
		case fieldTransferEncoding:
			s.te.add(f.Value)
		case fieldConnection:
			s.connection(f.Value)
		case fieldExpect:
			s.expect++
			if ascii.EqualFold(f.Value, "100-continue") {
				s.expect100 = true
			} else {
				s.expectBad = true
			}
		case fieldUpgrade:
			s.upgrade = f.Value
		}
	}
}

// connection records the options of one Connection field.
func (s *headSummary) connection(v []byte) {
	for len(v) > 0 {
		var elem []byte
		elem, v = nextListElem(v)
		switch {
		case ascii.EqualFold(elem, "close"):
			s.close = true
		case ascii.EqualFold(elem, "keep-alive"):
			s.keepAlive = true
		case ascii.EqualFold(elem, "upgrade"):
			s.connUpg = true
		}
	}
}

// nextListElem splits the first element off a comma-separated list
// (RFC 9110 §5.6.1) and returns it without surrounding whitespace.
func nextListElem(v []byte) (elem, rest []byte) {
	for i, c := range v {
		if c == ',' {
			return ascii.TrimOWS(v[:i]), v[i+1:]
		}
	}
	return ascii.TrimOWS(v), nil
}

// endsList reports a list value that is empty or ends in a comma: a list
// with an empty last member, refused in the framing fields.
func endsList(v []byte) bool {
	v = ascii.TrimOWS(v)
	return len(v) == 0 || v[len(v)-1] == ','
}

// persistent applies RFC 9112 §9.3: HTTP/1.1 persists unless "close" is
// listed; HTTP/1.0 only with "keep-alive".
func (s *headSummary) persistent(minor uint8) bool {
	if s.close {
		return false
	}
	return minor >= 1 || s.keepAlive
}

// frame applies the message framing rules to a parsed request head (RFC
// 9112 §3.2, §6.1-§6.3, §9.3 and RFC 9110 §10.1.1), filling in Framing,
// Host, Expect100, ExpectUnsupported and Upgrade. It is strict where a
// lenient choice could let two parsers disagree on where the body ends:
//
//   - Host: HTTP/1.1 needs exactly one Host field, HTTP/1.0 at most one;
//     its value must be a valid authority (or empty). With an absolute-form
//     or authority-form target, the target's authority is the Host and a
//     differing Host field is ignored, as RFC 9112 §3.2.2 requires.
//   - Transfer-Encoding with Content-Length: 400. Transfer-Encoding on
//     HTTP/1.0: 400. chunked missing, not last, repeated or with parameters,
//     or a malformed coding list: 400. A valid list ending in chunked but
//     holding another coding ("gzip, chunked"): 501, as this package decodes
//     only chunked.
//   - Content-Length must be 1*DIGIT without sign, space or overflow. A
//     field repeated, or a list ("5, 5"), is accepted only if every member
//     is byte-for-byte identical, as RFC 9110 §8.6 allows; otherwise 400.
func (h *RequestHead) frame() error {
	var s headSummary
	s.collect(h.Fields)
	if err := h.frameHost(&s); err != nil {
		return err
	}
	h.Expect100 = s.expect100 && !s.expectBad && s.expect == 1 && h.Minor >= 1
	h.ExpectUnsupported = s.expectBad || s.expect > 1
	h.Upgrade = nil
	if s.connUpg && s.upgrade != nil && h.Minor >= 1 { // RFC 9110 §7.8: ignored on 1.0
		h.Upgrade = s.upgrade
	}
	h.Framing = Framing{Close: !s.persistent(h.Minor)}
	if s.cl.err != nil {
		return s.cl.err
	}
	switch {
	case s.te.seen && h.Minor == 0:
		return ErrTransferEncodingHTTP10
	case s.te.seen && s.cl.seen:
		return ErrContentLengthAndTE
	case s.te.seen:
		if err := s.te.check(); err != nil {
			return err
		}
		h.Body, h.ContentLength = BodyChunked, -1
	case s.cl.seen && s.cl.n > 0:
		h.Body, h.ContentLength = BodyLength, s.cl.n
	}
	return nil
}

// frameHost checks the Host field and sets h.Host.
func (h *RequestHead) frameHost(s *headSummary) error {
	switch {
	case s.hosts > 1:
		return ErrDuplicateHost
	case s.hosts == 0 && h.Minor >= 1:
		return ErrMissingHost
	case !validHost(s.host):
		return ErrBadHost
	}
	h.Host = s.host
	switch h.Form {
	case AuthorityForm:
		h.Host = h.Target
	case AbsoluteForm:
		h.Host = absoluteAuthority(h.Target)
	}
	return nil
}

// frame applies the message framing rules of RFC 9112 §6.3 to a parsed
// response head answering a request with the given method:
//
//   - a response to HEAD, and 1xx, 204 and 304, have no body; 101 and a 2xx
//     to CONNECT turn the connection into a tunnel;
//   - otherwise Transfer-Encoding means chunked; together with
//     Content-Length the body is still chunked, but the connection must
//     close afterwards (RFC 9112 §6.3 item 3). The coding must be exactly
//     chunked (anything else is an error, as for requests), and
//     Transfer-Encoding on an HTTP/1.0 response is an error (§6.1);
//   - otherwise Content-Length gives the length (same syntax rules as for
//     requests: malformed or differing values are errors);
//   - otherwise the body runs until the connection closes.
//
// Content-Length and Transfer-Encoding are checked even on responses that
// have no body, so a malformed one is always reported.
func (h *ResponseHead) frame(method string) error {
	var s headSummary
	s.collect(h.Fields)
	h.Framing = Framing{Close: !s.persistent(h.Minor)}
	if s.cl.err != nil {
		return s.cl.err
	}
	if s.te.seen {
		if h.Minor == 0 {
			return ErrTransferEncodingHTTP10
		}
		if err := s.te.check(); err != nil {
			return err
		}
	}
	switch {
	case h.Status == 101 || method == "CONNECT" && h.Status/100 == 2:
		h.Tunnel = true
	case method == "HEAD" || h.Status < 200 || h.Status == 204 || h.Status == 304:
		if s.cl.seen && !s.te.seen {
			h.ContentLength = s.cl.n
		}
	case s.te.seen:
		h.Body, h.ContentLength = BodyChunked, -1
		h.Close = h.Close || s.cl.seen
	case s.cl.seen && s.cl.n > 0:
		h.Body, h.ContentLength = BodyLength, s.cl.n
	case !s.cl.seen:
		h.Body, h.ContentLength, h.Close = BodyClose, -1, true
	}
	return nil
}

// contentLength accumulates the Content-Length fields of a head.
type contentLength struct {
	seen  bool
	first []byte // the first member, against which all others are compared
	n     int64
	err   error
}

// add takes one Content-Length field value, a list of one or more members.
func (c *contentLength) add(v []byte) {
	if c.err != nil {
		return
	}
	if endsList(v) {
		c.err = ErrBadContentLength
		return
	}
	for len(v) > 0 {
		var elem []byte
		elem, v = nextListElem(v)
		n, ok := parseDecimal(elem)
		switch {
		case !ok:
			c.err = ErrBadContentLength
			return
		case c.seen && string(elem) != string(c.first):
			c.err = ErrDuplicateContentLength
			return
		}
		c.seen, c.first, c.n = true, elem, n
	}
}

// parseDecimal parses 1*DIGIT into a non-negative int64, refusing signs,
// spaces, empty input and overflow.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		d := int64(c - '0')
		if n > (1<<63-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// transferCoding accumulates the Transfer-Encoding fields of a head, read
// as one list in field order (RFC 9110 §5.3).
type transferCoding struct {
	seen        bool
	malformed   bool // empty member, not a token, or chunked with parameters
	chunked     int  // how many times chunked is listed
	chunkedLast bool
	other       bool // a coding other than chunked
}

func (t *transferCoding) add(v []byte) {
	t.seen = true
	if endsList(v) {
		t.malformed = true
	}
	for len(v) > 0 {
		var elem []byte
		elem, v = nextListElem(v)
		coding, params := elem, []byte(nil)
		for i, c := range elem {
			if c == ';' {
				coding, params = ascii.TrimOWS(elem[:i]), elem[i:]
				break
			}
		}
		switch {
		case !ascii.IsToken(coding):
			t.malformed = true
		case ascii.EqualFold(coding, "chunked"):
			t.chunked++
			t.chunkedLast = true
			t.malformed = t.malformed || params != nil
		default:
			t.chunkedLast = false
			t.other = true
		}
	}
}

// check returns the error for a Transfer-Encoding that is not exactly a
// final, single chunked.
func (t *transferCoding) check() error {
	switch {
	case t.malformed || !t.chunkedLast || t.chunked > 1:
		return ErrBadTransferEncoding
	case t.other:
		return ErrUnsupportedTransferCode
	}
	return nil
}
