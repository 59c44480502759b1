package turbohttp

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"turbohttp/internal/ascii"
)

// Cookie is an HTTP cookie: one set by a Set-Cookie field (RFC 6265
// §4.1, with SameSite from RFC 6265bis and Partitioned from CHIPS), or one
// a client sent in a Cookie field, which has only a Name and a Value.
type Cookie struct {
	Name, Value string
	Path        string
	Domain      string
	Expires     time.Time // zero when absent
	// MaxAge: 0 means absent, negative "Max-Age=0" or less (delete now).
	MaxAge   int
	Secure   bool
	HttpOnly bool
	SameSite string // "", "Strict", "Lax" or "None"
	// Partitioned keys the cookie to the top-level site (CHIPS); it
	// requires Secure.
	Partitioned bool
}

// ReadSetCookies parses every valid Set-Cookie field of h; invalid ones
// are skipped.
func ReadSetCookies(h *Header) []*Cookie {
	var out []*Cookie
	for v := range h.Values("Set-Cookie") {
		if c, err := ParseSetCookie(string(v)); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// ErrBadCookie is returned by ParseSetCookie for a malformed field.
var ErrBadCookie = errors.New("turbohttp: malformed Set-Cookie")

// ParseSetCookie parses one Set-Cookie value: name=value, then attributes
// separated by ";" (RFC 6265 §5.2). Unknown attributes are ignored, as the
// RFC says; a missing "=" or an empty or invalid name is an error.
func ParseSetCookie(line string) (*Cookie, error) {
	parts := strings.Split(line, ";")
	name, value, ok := strings.Cut(parts[0], "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || !ascii.IsToken(name) || !validCookieValue(value) {
		return nil, ErrBadCookie
	}
	if len(value) > 1 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	c := &Cookie{Name: name, Value: value}
	for _, attr := range parts[1:] {
		k, v, _ := strings.Cut(attr, "=")
		c.setAttr(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return c, nil
}

func (c *Cookie) setAttr(k, v string) {
	switch strings.ToLower(k) {
	case "path":
		if strings.HasPrefix(v, "/") {
			c.Path = v
		}
	case "domain":
		c.Domain = strings.ToLower(strings.TrimPrefix(v, "."))
	case "expires":
		if t, err := time.Parse(time.RFC1123, v); err == nil {
			c.Expires = t.UTC()
		} else if t, err := time.Parse("Mon, 02-Jan-2006 15:04:05 MST", v); err == nil {
			c.Expires = t.UTC()
		}
	case "max-age":
		if n, err := strconv.Atoi(v); err == nil {
			c.MaxAge = n
			if n <= 0 {
				c.MaxAge = -1
			}
		}
	case "secure":
		c.Secure = true
	case "partitioned":
		c.Partitioned = true
	case "httponly":
		c.HttpOnly = true
	case "samesite":
		switch strings.ToLower(v) {
		case "strict":
			c.SameSite = "Strict"
		case "lax":
			c.SameSite = "Lax"
		case "none":
			c.SameSite = "None"
		}
	}
}

// validCookieValue reports whether v holds only cookie-octets (RFC 6265
// §4.1.1), optionally in double quotes.
func validCookieValue(v string) bool {
	if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

var (
	errBadCookieName    = errors.New("turbohttp: invalid Cookie.Name")
	errBadCookieValue   = errors.New("turbohttp: invalid Cookie.Value")
	errBadCookiePath    = errors.New("turbohttp: invalid Cookie.Path")
	errBadCookieDomain  = errors.New("turbohttp: invalid Cookie.Domain")
	errBadCookieExpires = errors.New("turbohttp: invalid Cookie.Expires (before 1601)")
	errBadSameSite      = errors.New(`turbohttp: invalid Cookie.SameSite (want "", "Strict", "Lax" or "None")`)
	errPartitioned      = errors.New("turbohttp: partitioned cookies must be set with Secure")
)

// Valid reports whether c can be sent in a Set-Cookie field, and if not,
// why: its name must be a token, its value cookie-octets (RFC 6265
// §4.1.1, optionally in double quotes), its Path free of control bytes
// and ";", its Domain a host name or an IPv4 address, its Expires (when
// set) no earlier than 1601, its SameSite one of "", "Strict", "Lax" and
// "None", and a Partitioned cookie must be Secure. Unlike net/http,
// nothing is sanitized: an invalid cookie is refused whole.
func (c *Cookie) Valid() error {
	switch {
	case !ascii.IsToken(c.Name):
		return errBadCookieName
	case !validCookieValue(c.Value):
		return errBadCookieValue
	case !validCookiePath(c.Path):
		return errBadCookiePath
	case c.Domain != "" && !validCookieDomain(c.Domain):
		return errBadCookieDomain
	case !c.Expires.IsZero() && c.Expires.Year() < 1601:
		return errBadCookieExpires
	case c.SameSite != "" && c.SameSite != "Strict" && c.SameSite != "Lax" && c.SameSite != "None":
		return errBadSameSite
	case c.Partitioned && !c.Secure:
		return errPartitioned
	}
	return nil
}

func validCookiePath(p string) bool {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c >= 0x7f || c == ';' {
			return false
		}
	}
	return true
}

// validCookieDomain reports whether d, with an optional leading dot, is a
// host name of letters, digits, hyphens and dots in labels of 1 to 63
// bytes (RFC 1034 §3.5, as browsers accept it), or an IPv4 address.
func validCookieDomain(d string) bool {
	d = strings.TrimPrefix(d, ".")
	if d == "" || len(d) > 253 {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// String returns the cookie as a Set-Cookie field value, or "" if it is
// not Valid. A leading dot of Domain is dropped; Expires is written in
// IMF-fixdate; a negative MaxAge is written "Max-Age=0".
func (c *Cookie) String() string {
	if c == nil || c.Valid() != nil {
		return ""
	}
	return string(c.appendTo(make([]byte, 0, len(c.Name)+len(c.Value)+len(c.Path)+len(c.Domain)+100)))
}

// appendTo appends the Set-Cookie value of a valid c to b.
func (c *Cookie) appendTo(b []byte) []byte {
	b = append(append(append(b, c.Name...), '='), c.Value...)
	if c.Path != "" {
		b = append(append(b, "; Path="...), c.Path...)
	}
	if c.Domain != "" {
		b = append(append(b, "; Domain="...), strings.TrimPrefix(c.Domain, ".")...)
	}
	if !c.Expires.IsZero() {
		b = c.Expires.UTC().AppendFormat(append(b, "; Expires="...), TimeFormat)
	}
	if c.MaxAge > 0 {
		b = strconv.AppendInt(append(b, "; Max-Age="...), int64(c.MaxAge), 10)
	} else if c.MaxAge < 0 {
		b = append(b, "; Max-Age=0"...)
	}
	if c.HttpOnly {
		b = append(b, "; HttpOnly"...)
	}
	if c.Secure {
		b = append(b, "; Secure"...)
	}
	if c.SameSite != "" {
		b = append(append(b, "; SameSite="...), c.SameSite...)
	}
	if c.Partitioned {
		b = append(b, "; Partitioned"...)
	}
	return b
}

// SetCookie adds a Set-Cookie field for c to the response header. A cookie
// that is not Valid is not set, and the error says why (net/http sanitizes
// it and logs instead).
func SetCookie(w ResponseWriter, c *Cookie) error {
	if err := c.Valid(); err != nil {
		return err
	}
	var buf [256]byte
	w.Header().AddBytes([]byte("Set-Cookie"), c.appendTo(buf[:0]))
	return nil
}
