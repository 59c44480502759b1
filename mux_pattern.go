package turbohttp

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode"

	"turbohttp/internal/ascii"
)

// This file holds the syntax of ServeMux patterns, the cleaning of request
// paths and the unescaping of path segments.

// segKind is what a pattern segment matches.
type segKind uint8

const (
	// segLiteral matches one path segment equal, once unescaped, to s.
	segLiteral segKind = iota
	// segWild, written {s}, matches any one segment (not a trailing slash).
	segWild
	// segMulti, written {s...} or as a trailing slash (s == ""), matches
	// the rest of the path, the trailing slash alone included.
	segMulti
	// segEnd, written {$}, matches only the trailing slash ending a path.
	segEnd
)

// segment is one piece of a pattern's path.
type segment struct {
	kind segKind
	s    string // the unescaped literal or the wildcard name
}

// pattern is a parsed ServeMux pattern: [METHOD ][HOST]/[PATH].
type pattern struct {
	str    string // as registered
	method string // "" matches every method
	host   string // "" matches every host; lower case, IPv6 without brackets
	segs   []segment
	loc    string // where it was registered, for conflict messages
}

func (p *pattern) String() string { return p.str }

// patternError is the panic value of Handle for a pattern that does not
// parse.
type patternError struct {
	pattern string
	offset  int
	msg     string
}

func (e *patternError) Error() string {
	return fmt.Sprintf("turbohttp: ServeMux: bad pattern %q: at offset %d: %s", e.pattern, e.offset, e.msg)
}

// parsePattern parses s, whose syntax is [METHOD ][HOST]/[PATH] as in
// net/http since Go 1.22: METHOD is a token followed by spaces or tabs;
// HOST holds no '{'; PATH is made of '/'-separated segments, each a
// literal (percent-escapes are decoded), {name}, or, at the end only,
// {name...} or {$}. Names are Go identifiers, distinct within a pattern.
// A method other than CONNECT requires a clean path (see cleanPath), since
// requests are cleaned before matching.
func parsePattern(s string) (*pattern, error) {
	fail := func(off int, format string, args ...any) (*pattern, error) {
		return nil, &patternError{pattern: s, offset: off, msg: fmt.Sprintf(format, args...)}
	}
	if s == "" {
		return fail(0, "empty pattern")
	}
	p := &pattern{str: s}
	rest, off := s, 0
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		p.method = s[:i]
		rest = strings.TrimLeft(s[i+1:], " \t")
		off = len(s) - len(rest)
		if p.method != "" && !ascii.IsToken(p.method) { // " /x" has no method
			return fail(0, "invalid method %q", p.method)
		}
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return fail(off, "host/path missing /")
	}
	host := rest[:slash]
	if j := strings.IndexByte(host, '{'); j >= 0 {
		return fail(off+j, "host contains '{' (missing initial '/'?)")
	}
	p.host = normalizePatternHost(host)
	rest, off = rest[slash:], off+slash
	if p.method != "" && p.method != MethodConnect && rest != cleanPath(rest) {
		return fail(off, "non-CONNECT pattern with unclean path can never match")
	}
	if err := p.parsePath(rest, off); err != nil {
		return nil, err
	}
	return p, nil
}

// parsePath fills p.segs from path, which starts with '/' at offset off of
// the pattern.
func (p *pattern) parsePath(path string, off int) error {
	fail := func(msg string, args ...any) error {
		return &patternError{pattern: p.str, offset: off, msg: fmt.Sprintf(msg, args...)}
	}
	seen := map[string]bool{}
	for len(path) > 0 {
		path, off = path[1:], off+1 // drop the '/'
		if path == "" {
			p.segs = append(p.segs, segment{kind: segMulti})
			return nil
		}
		i := strings.IndexByte(path, '/')
		if i < 0 {
			i = len(path)
		}
		seg, after := path[:i], path[i:]
		if j := strings.IndexByte(seg, '{'); j < 0 {
			p.segs = append(p.segs, segment{kind: segLiteral, s: unescapeString(seg)})
		} else {
			wild, msg := parseWildcard(seg, j, after == "")
			if msg != "" {
				return fail("%s", msg)
			}
			if wild.kind != segEnd {
				if seen[wild.s] {
					return fail("duplicate wildcard name %q", wild.s)
				}
				seen[wild.s] = true
			}
			p.segs = append(p.segs, wild)
		}
		path, off = after, off+i
	}
	return nil
}

// parseWildcard parses seg, a segment holding a '{' at brace, as a
// wildcard; last tells whether it ends the pattern. It returns a non-empty
// message when seg is not a valid wildcard.
func parseWildcard(seg string, brace int, last bool) (segment, string) {
	if brace != 0 {
		return segment{}, "bad wildcard segment (must start with '{')"
	}
	if seg[len(seg)-1] != '}' {
		return segment{}, "bad wildcard segment (must end with '}')"
	}
	name := seg[1 : len(seg)-1]
	if name == "$" {
		if !last {
			return segment{}, "{$} not at end"
		}
		return segment{kind: segEnd}, ""
	}
	kind := segWild
	if n, ok := strings.CutSuffix(name, "..."); ok {
		if !last {
			return segment{}, "{...} wildcard not at end"
		}
		name, kind = n, segMulti
	}
	if name == "" {
		return segment{}, "empty wildcard"
	}
	if !isIdentifier(name) {
		return segment{}, fmt.Sprintf("bad wildcard name %q", name)
	}
	return segment{kind: kind, s: name}, ""
}

// isIdentifier reports whether s is a Go identifier.
func isIdentifier(s string) bool {
	for i, c := range s {
		if !unicode.IsLetter(c) && c != '_' && (i == 0 || !unicode.IsDigit(c)) {
			return false
		}
	}
	return s != ""
}

// normalizePatternHost returns the host of a pattern as requests are
// compared with it: ASCII lower case, an IPv6 literal without brackets.
func normalizePatternHost(h string) string {
	if len(h) > 2 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1]
	}
	return string(ascii.AppendLower(nil, h))
}

// requestHost returns the host of a request as patterns are compared with
// it: without port, an IPv6 literal without brackets ("[::1]:80" → "::1").
// A host that does not parse is returned unchanged. It is a view of h.
func requestHost(h []byte) []byte {
	if len(h) > 0 && h[0] == '[' {
		if end := bytes.IndexByte(h, ']'); end > 0 {
			if rest := h[end+1:]; len(rest) == 0 || rest[0] == ':' {
				return h[1:end]
			}
		}
		return h
	}
	if c := bytes.IndexByte(h, ':'); c >= 0 && bytes.IndexByte(h[c+1:], ':') < 0 {
		return h[:c]
	}
	return h
}

// isCleanPath reports whether p is already in the form cleanPath returns:
// it starts with '/' and has no empty, "." or ".." segment (a final empty
// segment, the trailing slash, aside). It does not allocate.
func isCleanPath[S ~string | ~[]byte](p S) bool {
	if len(p) == 0 || p[0] != '/' {
		return false
	}
	start := 1
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		switch n := i - start; {
		case n == 0 && i < len(p),
			n == 1 && p[start] == '.',
			n == 2 && p[start] == '.' && p[start+1] == '.':
			return false
		}
		start = i + 1
	}
	return true
}

// cleanPath returns the canonical form of p, as ServeMux redirects to it:
// rooted, with "." and ".." segments resolved and repeated slashes
// collapsed (path.Clean), but keeping a trailing slash. Escapes are left
// alone: "%2e%2e" is not "..".
func cleanPath(p string) string {
	if isCleanPath(p) {
		return p
	}
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	c := path.Clean(p)
	if p[len(p)-1] == '/' && c != "/" {
		c += "/"
	}
	return c
}

// errBadEscape reports a '%' not followed by two hex digits.
var errBadEscape = errors.New("invalid percent-escape")

// appendUnescaped appends seg with its percent-escapes decoded to dst. On
// an invalid escape it returns errBadEscape and dst as far as it got.
func appendUnescaped(dst, seg []byte) ([]byte, error) {
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == '%' {
			if i+2 >= len(seg) {
				return dst, errBadEscape
			}
			hi, ok1 := ascii.HexValue(seg[i+1])
			lo, ok2 := ascii.HexValue(seg[i+2])
			if !ok1 || !ok2 {
				return dst, errBadEscape
			}
			c = hi<<4 | lo
			i += 2
		}
		dst = append(dst, c)
	}
	return dst, nil
}

// unescapeValue returns seg decoded, for a path value: seg itself when it
// holds no '%' or an invalid escape (as net/http does), a new slice
// otherwise.
func unescapeValue(seg []byte) []byte {
	i := bytes.IndexByte(seg, '%')
	if i < 0 {
		return seg
	}
	v, err := appendUnescaped(make([]byte, 0, len(seg)), seg)
	if err != nil {
		return seg
	}
	return v
}

// unescapeString is unescapeValue for a pattern's literal segment.
func unescapeString(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	return string(unescapeValue([]byte(s)))
}
