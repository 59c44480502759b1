package turbohttp

import (
	"errors"
	"strings"

	"turbohttp/internal/ascii"
)

// MaxRequestCookies bounds the cookies parsed from a request's Cookie
// fields, as net/http does (3000): a request with more has none, and
// Cookie reports ErrTooManyCookies. The header size limits bound the
// parse anyway; this bounds the work a handler does per lookup.
const MaxRequestCookies = 3000

var (
	// ErrNoCookie is returned by Request.Cookie when there is no such
	// cookie.
	ErrNoCookie = errors.New("turbohttp: named cookie not present")
	// ErrTooManyCookies is returned by Request.Cookie when the request
	// has more than MaxRequestCookies cookies.
	ErrTooManyCookies = errors.New("turbohttp: number of cookies exceeded limit")
)

// cookieCache holds the cookies parsed from a request's Cookie fields. The
// strings of one field share one allocation (its value made a string
// once); the slice is kept across requests. It is valid while the Cookie
// fields hold what it was parsed from, which every lookup checks (a
// comparison of bytes, no allocation), so that a handler changing the
// header sees its change.
type cookieCache struct {
	parsed  bool
	tooMany bool
	list    []Cookie
	sources []string // the Cookie field values parsed
}

func (cc *cookieCache) reset() {
	clear(cc.list)
	cc.list = cc.list[:0]
	clear(cc.sources)
	cc.sources = cc.sources[:0]
	cc.parsed, cc.tooMany = false, false
}

// fresh reports whether the cache was parsed from the Cookie fields h
// holds now.
func (cc *cookieCache) fresh(h *Header) bool {
	if !cc.parsed {
		return false
	}
	n := 0
	for i := h.index("Cookie", 0); i >= 0; i = h.index("Cookie", i+1) {
		if n >= len(cc.sources) || string(h.fields[i].Value) != cc.sources[n] {
			return false
		}
		n++
	}
	return n == len(cc.sources)
}

// load parses h's Cookie fields into the cache, unless it is fresh.
func (cc *cookieCache) load(h *Header) {
	if cc.fresh(h) {
		return
	}
	cc.reset()
	cc.parsed = true
	count := 0
	for i := h.index("Cookie", 0); i >= 0; i = h.index("Cookie", i+1) {
		v := string(h.fields[i].Value)
		cc.sources = append(cc.sources, v)
		count += strings.Count(v, ";") + 1
	}
	if count > MaxRequestCookies {
		cc.tooMany = true
		return
	}
	for _, v := range cc.sources {
		cc.list = parseCookieField(cc.list, v)
	}
}

// parseCookieField appends the cookies of one Cookie field value to dst,
// as net/http reads them: pairs separated by ";", whitespace around them
// trimmed, a pair whose name is not a token or whose value holds a byte
// net/http refuses (a control byte, '"', ';' or '\') skipped; one pair of
// surrounding double quotes is removed.
func parseCookieField(dst []Cookie, line string) []Cookie {
	for line != "" {
		var part string
		part, line, _ = strings.Cut(line, ";")
		part = trimSpace(part)
		if part == "" {
			continue
		}
		name, val, _ := strings.Cut(part, "=")
		name = trimSpace(name)
		if !ascii.IsToken(name) {
			continue
		}
		if len(val) > 1 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		if !validRequestCookieValue(val) {
			continue
		}
		dst = append(dst, Cookie{Name: name, Value: val})
	}
	return dst
}

// trimSpace trims ASCII spaces, tabs, CRs and LFs at both ends of s, as
// net/http's cookie reading does (a field from the wire holds no CR or
// LF, but one set by a handler may).
func trimSpace(s string) string {
	for s != "" && isCookieSpace(s[0]) {
		s = s[1:]
	}
	for s != "" && isCookieSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isCookieSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

// validRequestCookieValue reports whether v may be a cookie value in a
// Cookie field. It admits what net/http admits (space and comma too,
// which browsers send though RFC 6265 §4.1.1 leaves them out).
func validRequestCookieValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c >= 0x7f || c == '"' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// Cookie returns the first cookie named name that the request's Cookie
// fields carry, or ErrNoCookie. The cookie, like the request, is valid
// until the handler returns, and must not be modified. The fields are
// parsed on the first call (one string per Cookie field); later lookups
// allocate nothing.
func (r *Request) Cookie(name string) (*Cookie, error) {
	cc := &r.cookies
	cc.load(&r.Header)
	if cc.tooMany {
		return nil, ErrTooManyCookies
	}
	for i := range cc.list {
		if cc.list[i].Name == name {
			return &cc.list[i], nil
		}
	}
	return nil, ErrNoCookie
}

// Cookies returns every cookie of the request's Cookie fields, in order;
// none when there are more than MaxRequestCookies. The cookies are valid
// until the handler returns, and must not be modified.
func (r *Request) Cookies() []*Cookie { return r.CookiesNamed("") }

// CookiesNamed is Cookies for the cookies named name only; "" means all.
func (r *Request) CookiesNamed(name string) []*Cookie {
	cc := &r.cookies
	cc.load(&r.Header)
	var out []*Cookie
	for i := range cc.list {
		if name == "" || cc.list[i].Name == name {
			out = append(out, &cc.list[i])
		}
	}
	return out
}

// AddCookie adds c to the request's Cookie field, for a client request:
// "name=value", joined with "; " to a Cookie field already present (an
// HTTP/1 request carries one). Attributes are not sent. A cookie whose
// name is not a token, or whose value is not valid in a Cookie field, is
// not added and the error says why.
func (r *Request) AddCookie(c *Cookie) error {
	if !ascii.IsToken(c.Name) {
		return errBadCookieName
	}
	val := c.Value
	if !validCookieValue(val) {
		return errBadCookieValue
	}
	pair := c.Name + "=" + val
	if old := r.Header.Peek("Cookie"); old != nil {
		pair = string(old) + "; " + pair
	}
	r.Header.Set("Cookie", pair)
	return nil
}
