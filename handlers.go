package turbohttp

import (
	"html"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// This file holds the standard handlers and helpers of net/http that are
// not part of ServeMux or the file server: StripPrefix, Redirect,
// AllowQuerySemicolons, ServeFile and the DefaultServeMux.

// StripPrefix returns a handler that serves a request whose path starts
// with prefix by calling h with prefix removed from r.URL.Path, and
// answers any other with NotFound. prefix is matched in decoded form
// against the path as received (still percent-encoded): an escaped byte
// matches the byte it stands for, except that "%2F" never matches a "/"
// of prefix. What h sees is the rest of the path as received; the request
// gets its path back when h returns. Unlike net/http, a path holding
// needless escapes ("/st%61tic/") matches its decoded prefix.
func StripPrefix(prefix string, h Handler) Handler {
	if prefix == "" {
		return h
	}
	return HandlerFunc(func(w ResponseWriter, r *Request) {
		n, ok := matchEscapedPrefix(r.URL.Path, prefix)
		if !ok {
			NotFound(w, r)
			return
		}
		p := r.URL.Path
		r.URL.Path = p[n:]
		defer func() { r.URL.Path = p }()
		h.ServeHTTP(w, r)
	})
}

// matchEscapedPrefix reports whether the percent-encoded path starts with
// prefix once decoded, and how many bytes of path that takes.
func matchEscapedPrefix(p []byte, prefix string) (int, bool) {
	i := 0
	for k := 0; k < len(prefix); k++ {
		if i >= len(p) {
			return 0, false
		}
		c, n := p[i], 1
		if c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			c, n = unhex(p[i+1])<<4|unhex(p[i+2]), 3
			if c == '/' {
				return 0, false // an escaped slash is not a separator
			}
		}
		if c != prefix[k] {
			return 0, false
		}
		i += n
	}
	return i, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// Redirect replies to r with a redirect to location and code (a 3xx
// status), as net/http does: a relative location is made absolute against
// the request's path and cleaned (keeping a trailing slash and the
// query); in the Location field, bytes that may not stand in a field
// value, and non-ASCII ones, are percent-encoded (net/http escapes only
// the non-ASCII ones). Unless the handler set a Content-Type, a GET or
// HEAD gets "text/html; charset=utf-8", and a GET a short HTML body
// linking to the location.
func Redirect(w ResponseWriter, r *Request, location string, code int) {
	if u, err := url.Parse(location); err == nil && u.Scheme == "" && u.Host == "" {
		location = absoluteLocation(r, location)
	}
	h := w.Header()
	hadCT := h.Has("Content-Type")
	h.Set("Location", escapeLocation(location))
	if !hadCT && (r.Method == MethodGet || r.Method == MethodHead) {
		h.Set("Content-Type", "text/html; charset=utf-8")
	}
	w.WriteHeader(code)
	if !hadCT && r.Method == MethodGet {
		w.WriteString("<a href=\"" + html.EscapeString(location) + "\">" + StatusText(code) + "</a>.\n\n")
	}
}

// absoluteLocation resolves a path-relative location against r's path,
// cleans it and keeps its trailing slash and query.
func absoluteLocation(r *Request, location string) string {
	if location == "" || location[0] != '/' {
		old := string(r.URL.Path)
		if old == "" {
			old = "/"
		}
		dir, _ := path.Split(old)
		location = dir + location
	}
	location, query, hasQuery := strings.Cut(location, "?")
	trailing := strings.HasSuffix(location, "/")
	location = path.Clean(location)
	if trailing && !strings.HasSuffix(location, "/") {
		location += "/"
	}
	if hasQuery {
		location += "?" + query
	}
	return location
}

// escapeLocation percent-encodes the bytes of s that are not printable
// ASCII (controls, space, DEL and non-ASCII); it leaves existing escapes.
func escapeLocation(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789abcdef" // as net/http writes them
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

// RedirectHandler returns a handler that redirects every request to
// location with code, as Redirect does.
func RedirectHandler(location string, code int) Handler {
	return HandlerFunc(func(w ResponseWriter, r *Request) { Redirect(w, r, location, code) })
}

// AllowQuerySemicolons returns a handler that calls h with every ";" of
// the query turned into "&", for the clients that still separate query
// pairs with semicolons (which net/url and ParseForm refuse). The query
// is changed in place, for the time of the call; the request gets it back
// when h returns.
func AllowQuerySemicolons(h Handler) Handler {
	return HandlerFunc(func(w ResponseWriter, r *Request) {
		q := r.URL.RawQuery
		if !strings.Contains(string(q), ";") { // no allocation
			h.ServeHTTP(w, r)
			return
		}
		start := len(r.arena)
		r.arena = append(r.arena, q...)
		nq := r.arena[start:len(r.arena):len(r.arena)]
		for i, c := range nq {
			if c == ';' {
				nq[i] = '&'
			}
		}
		r.URL.RawQuery = nq
		defer func() { r.URL.RawQuery = q }()
		h.ServeHTTP(w, r)
	})
}

// ServeFile replies to r with the file or directory name of the operating
// system's file system, as ServeFileFS does for os.DirFS of name's
// directory. As net/http does, it refuses with 400 a request whose path
// holds a ".." element, in case name was built from it.
func ServeFile(w ResponseWriter, r *Request, name string) {
	dir, file := filepath.Split(filepath.Clean(name))
	if dir == "" {
		dir = "."
	}
	if file == "" || file == string(filepath.Separator) {
		dir, file = name, "."
	}
	ServeFileFS(w, r, os.DirFS(dir), file)
}

// DefaultServeMux is the ServeMux of Handle and HandleFunc, and the
// handler of a Server whose Handler is nil.
var DefaultServeMux = &defaultServeMux

var defaultServeMux ServeMux

// Handle registers h for pattern on DefaultServeMux, as ServeMux.Handle
// does.
func Handle(pattern string, h Handler) {
	if err := DefaultServeMux.register(pattern, h, callerLocation()); err != nil {
		panic(err)
	}
}

// HandleFunc registers f for pattern on DefaultServeMux, as
// ServeMux.HandleFunc does.
func HandleFunc(pattern string, f func(ResponseWriter, *Request)) {
	var h Handler
	if f != nil {
		h = HandlerFunc(f)
	}
	if err := DefaultServeMux.register(pattern, h, callerLocation()); err != nil {
		panic(err)
	}
}
