package turbohttp

import (
	"bytes"
	"errors"
	"strconv"

	"turbohttp/internal/ascii"
)

// URL is a request target split into the parts HTTP uses, as byte views.
// Its slices belong to the Request that holds it and are valid as long as
// that request's current message (see Request).
type URL struct {
	// Scheme is "http" or "https" in a client request, and in a server
	// request that arrived in absolute form; empty otherwise.
	Scheme []byte
	// Host is the authority, host[:port], without userinfo.
	Host []byte
	// Path is the path as on the wire, still percent-encoded; "*" for an
	// asterisk-form target (OPTIONS *).
	Path []byte
	// RawQuery is the query without its '?', still encoded.
	RawQuery []byte
}

// ErrBadURL is returned (wrapped) for a URL a client cannot send.
var ErrBadURL = errors.New("turbohttp: bad URL")

// parseURL splits an absolute http or https URL held in s into u's views.
// The fragment is dropped; userinfo is refused, since sending it in clear
// text leaks credentials (use the Authorization header).
func parseURL(u *URL, s []byte) error {
	*u = URL{}
	i := bytes.Index(s, []byte("://"))
	if i <= 0 {
		return urlError("missing scheme", s)
	}
	u.Scheme = s[:i]
	if !ascii.EqualFold(u.Scheme, "http") && !ascii.EqualFold(u.Scheme, "https") {
		return urlError("unsupported scheme", s)
	}
	for k := range u.Scheme {
		u.Scheme[k] = ascii.ToLower(u.Scheme[k])
	}
	rest := s[i+3:]
	if f := bytes.IndexByte(rest, '#'); f >= 0 {
		rest = rest[:f]
	}
	end := len(rest)
	for k, c := range rest {
		if c == '/' || c == '?' {
			end = k
			break
		}
	}
	u.Host, rest = rest[:end], rest[end:]
	if err := checkAuthority(u.Host); err != nil {
		return urlError(err.Error(), s)
	}
	if q := bytes.IndexByte(rest, '?'); q >= 0 {
		u.Path, u.RawQuery = rest[:q], rest[q+1:]
	} else {
		u.Path = rest
	}
	for _, c := range rest {
		if c <= ' ' || c == 0x7f {
			return urlError("control byte or space in path or query", s)
		}
	}
	return nil
}

// checkAuthority validates host[:port] for a client request.
func checkAuthority(a []byte) error {
	if len(a) == 0 {
		return errors.New("missing host")
	}
	if bytes.IndexByte(a, '@') >= 0 {
		return errors.New("userinfo in URL")
	}
	host, port := a, []byte(nil)
	if a[0] == '[' {
		end := bytes.IndexByte(a, ']')
		if end < 0 {
			return errors.New("unclosed IPv6 literal")
		}
		host, port = a[:end+1], a[end+1:]
		if len(port) > 0 && port[0] != ':' {
			return errors.New("garbage after IPv6 literal")
		}
	} else if c := bytes.LastIndexByte(a, ':'); c >= 0 {
		host, port = a[:c], a[c:]
	}
	if len(port) > 0 {
		n, err := strconv.Atoi(string(port[1:]))
		if err != nil || n < 0 || n > 65535 || len(port) == 1 {
			return errors.New("bad port")
		}
	}
	for _, c := range host {
		if c <= ' ' || c == 0x7f || c == '/' || c == '\\' || c == '?' || c == '#' || c == '%' && host[0] != '[' {
			return errors.New("invalid byte in host")
		}
	}
	return nil
}

func urlError(what string, s []byte) error {
	const max = 64
	if len(s) > max {
		s = append(s[:max:max], "…"...)
	}
	return &urlErr{what: what, url: string(s)}
}

type urlErr struct{ what, url string }

func (e *urlErr) Error() string { return "turbohttp: bad URL " + strconv.Quote(e.url) + ": " + e.what }
func (e *urlErr) Unwrap() error { return ErrBadURL }

// String returns the URL as text, for logs and errors; it allocates.
func (u *URL) String() string {
	b := make([]byte, 0, len(u.Scheme)+len(u.Host)+len(u.Path)+len(u.RawQuery)+5)
	b = u.appendTo(b)
	return string(b)
}

func (u *URL) appendTo(b []byte) []byte {
	if len(u.Scheme) > 0 {
		b = append(append(b, u.Scheme...), "://"...)
	}
	b = append(b, u.Host...)
	b = u.appendRequestURI(b)
	return b
}

// appendRequestURI appends the origin-form target: path and query.
func (u *URL) appendRequestURI(b []byte) []byte {
	if len(u.Path) == 0 {
		b = append(b, '/')
	} else {
		b = append(b, u.Path...)
	}
	if len(u.RawQuery) > 0 {
		b = append(append(b, '?'), u.RawQuery...)
	}
	return b
}
