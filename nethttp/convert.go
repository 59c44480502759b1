package nethttp

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"turbohttp"
	"turbohttp/internal/ascii"
)

// requestStrings turns the byte views of a turbohttp request into the
// strings an http.Request holds, with a single allocation: every byte that
// must become a string (request target, host, header names that are not
// interned, header values) is appended to buf, buf is converted to one
// string, and each field is a slice of it. It is reused across requests.
type requestStrings struct {
	buf    []byte
	fields []fieldSpan
	// vals backs the one-value []string of each header key; a handler
	// that appends to one gets a copy, since each slice is capped.
	vals []string
}

// fieldSpan locates one header field in requestStrings.buf: the name is
// either interned (name != "") or buf[nameStart:valStart]; the value is
// buf[valStart:valEnd].
type fieldSpan struct {
	name                        string
	nameStart, valStart, valEnd int
}

// appendFieldSpan appends a header field to buf for a conversion to
// strings: the canonical form of name, unless interned maps it to a
// constant, then value. The span locates both in buf (and so in the
// string later made of it; see fieldSpan.nameIn).
func appendFieldSpan(buf, name, value []byte, interned map[string]string) ([]byte, fieldSpan) {
	f := fieldSpan{nameStart: len(buf)}
	buf = ascii.AppendCanonical(buf, name)
	if s, ok := interned[string(buf[f.nameStart:])]; ok {
		f.name = s
		buf = buf[:f.nameStart]
	}
	f.valStart = len(buf)
	buf = append(buf, value...)
	f.valEnd = len(buf)
	return buf, f
}

// nameIn returns the field's name: the interned one, or its slice of s,
// the string made of the buffer the span was appended to.
func (f *fieldSpan) nameIn(s string) string {
	if f.name != "" {
		return f.name
	}
	return s[f.nameStart:f.valStart]
}

// convertedRequest is what convert extracts from a request besides the
// header map.
type convertedRequest struct {
	requestURI, host string
	// trailer holds the declared trailer names of a chunked request, as
	// slices of the Trailer field values.
	trailer []string
	chunked bool
}

// convert fills h (which must be empty) with r's header, net/http style:
// names canonical, Host left out (it is in cr.host), and, for a chunked
// body, Transfer-Encoding and Trailer left out (the declared names go to
// cr.trailer). Pragma: no-cache without Cache-Control implies
// Cache-Control: no-cache, as net/http does.
func (rs *requestStrings) convert(r *turbohttp.Request, h http.Header, cr *convertedRequest) {
	cr.chunked = r.ContentLength < 0 && r.ProtoMajor == 1
	buf := append(rs.buf[:0], r.RequestURI...)
	uriEnd := len(buf)
	buf = append(buf, r.Host...)
	hostEnd := len(buf)
	fields := rs.fields[:0]
	for i := range r.Header.Len() {
		name, value := r.Header.At(i)
		var f fieldSpan
		buf, f = appendFieldSpan(buf, name, value, commonHeader)
		fields = append(fields, f)
	}
	s := string(buf)
	rs.buf, rs.fields = buf, fields
	cr.requestURI, cr.host = s[:uriEnd], s[uriEnd:hostEnd]
	rs.fill(h, s, cr)
}

// fill puts the fields into h, as slices of s.
func (rs *requestStrings) fill(h http.Header, s string, cr *convertedRequest) {
	if cap(rs.vals) < len(rs.fields) {
		rs.vals = make([]string, len(rs.fields))
	}
	vals := rs.vals[:cap(rs.vals)]
	n := 0
	cr.trailer = cr.trailer[:0]
	for _, f := range rs.fields {
		name := f.nameIn(s)
		value := s[f.valStart:f.valEnd]
		switch {
		case name == "Host":
			continue
		case cr.chunked && name == "Transfer-Encoding":
			continue
		case cr.chunked && name == "Trailer":
			cr.trailer = appendTrailerNames(cr.trailer, value)
			continue
		}
		n = addValue(h, vals, n, name, value)
	}
	clear(vals[n:])
	if pv := h["Pragma"]; len(pv) > 0 && pv[0] == "no-cache" {
		if _, ok := h["Cache-Control"]; !ok {
			h["Cache-Control"] = []string{"no-cache"}
		}
	}
}

// addValue adds value to h[name] and returns the next free index of vals.
// A name's first value goes into vals[n], and h[name] becomes that one
// element with its capacity capped, so that a second value is appended to
// a copy rather than written over vals[n+1].
func addValue(h http.Header, vals []string, n int, name, value string) int {
	if vv, ok := h[name]; ok {
		h[name] = append(vv, value)
		return n
	}
	vals[n] = value
	h[name] = vals[n : n+1 : n+1]
	return n + 1
}

// appendTrailerNames appends the canonical names listed in v, a Trailer
// field value, leaving out those that may not be trailers.
func appendTrailerNames(dst []string, v string) []string {
	for v != "" {
		var name string
		name, v, _ = strings.Cut(v, ",")
		name = strings.Trim(name, " \t")
		if !turbohttp.ValidFieldName(name) {
			continue
		}
		name = canonicalKey(name)
		if validTrailer(name) {
			dst = append(dst, name)
		}
	}
	return dst
}

// canonicalKey is http.CanonicalHeaderKey for a token, without allocating
// when name is canonical already or is a common name.
func canonicalKey(name string) string {
	if s, ok := commonHeader[name]; ok {
		return s
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		upper := i == 0 || name[i-1] == '-'
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return http.CanonicalHeaderKey(name)
		}
	}
	return name
}

// validTrailer reports whether the canonical name may be sent as a
// trailer: not a field needed to frame, route, authenticate or control
// the message (RFC 9110 §6.5.1), as net/http decides.
func validTrailer(name string) bool {
	if strings.HasPrefix(name, "If-") {
		return false
	}
	switch name {
	case "Authorization", "Cache-Control", "Connection", "Content-Encoding",
		"Content-Length", "Content-Range", "Content-Type", "Expect", "Host",
		"Keep-Alive", "Max-Forwards", "Pragma", "Proxy-Authenticate",
		"Proxy-Authorization", "Proxy-Connection", "Range", "Realm", "Te",
		"Trailer", "Transfer-Encoding", "Www-Authenticate":
		return false
	}
	return true
}

// errBadTarget is returned by parseTarget for a request target net/http
// would refuse.
var errBadTarget = errors.New("nethttp: malformed request target")

// parseTarget sets u to the request target as net/http's server parses it
// (url.ParseRequestURI, with CONNECT's authority form in Host). The common
// origin-form target with nothing to unescape is split without allocating.
func parseTarget(u *url.URL, method, target string) error {
	*u = url.URL{}
	if path, query, hasQuery := strings.Cut(target, "?"); len(path) > 0 && path[0] == '/' &&
		plainPath(path) && !hasCTL(query) {
		u.Path, u.RawQuery = path, query
		u.ForceQuery = hasQuery && query == ""
		return nil
	}
	justAuthority := method == http.MethodConnect && !strings.HasPrefix(target, "/")
	if justAuthority {
		target = "http://" + target
	}
	p, err := url.ParseRequestURI(target)
	if err != nil {
		return errBadTarget
	}
	*u = *p
	if justAuthority {
		u.Scheme = ""
	}
	return nil
}

// plainPath reports whether path is made only of bytes that url.URL keeps
// as they are: no escapes to decode (so Path is the path itself) and none
// that would be escaped again (so RawPath stays empty).
func plainPath(path string) bool {
	for i := 0; i < len(path); i++ {
		if !plainPathByte[path[i]] {
			return false
		}
	}
	return true
}

var plainPathByte = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-_.~$&+,/:;=@" {
		t[c] = true
	}
	return t
}()

// hasCTL reports whether s holds an ASCII control byte, which
// url.ParseRequestURI refuses.
func hasCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// protoString returns the Proto string of an HTTP version.
func protoString(major, minor int) string {
	switch {
	case major == 1 && minor == 1:
		return "HTTP/1.1"
	case major == 1 && minor == 0:
		return "HTTP/1.0"
	case major == 2 && minor == 0:
		return "HTTP/2.0"
	}
	return "HTTP/" + strconv.Itoa(major) + "." + strconv.Itoa(minor)
}

// copyHeader replaces dst's fields with src's, as net/http writes a
// response head: keys sorted, values with CR or LF turned into spaces and
// surrounding whitespace trimmed. Keys with http.TrailerPrefix are left
// out (they are trailers) and counted in trailers. keys is scratch space,
// returned for reuse.
func copyHeader(dst *turbohttp.Header, src http.Header, keys []string) (_ []string, trailers int) {
	dst.Reset()
	keys = keys[:0]
	for k := range src {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			trailers++
		} else {
			keys = append(keys, k)
		}
	}
	if len(keys) > 1 {
		slices.Sort(keys)
	}
	for _, k := range keys {
		for _, v := range src[k] {
			addField(dst, k, v)
		}
	}
	return keys, trailers
}

// addField adds name: value to dst, cleaning value up as net/http does.
// Fields that remain invalid are left to the server, which never sends
// them.
func addField(dst *turbohttp.Header, name, value string) {
	if !turbohttp.ValidFieldValue(value) {
		value = cleanFieldValue(value)
	}
	dst.Add(name, value)
}

// cleanFieldValue turns CR and LF into spaces and trims surrounding
// whitespace, as net/http's Header.Write does.
func cleanFieldValue(v string) string {
	if strings.ContainsAny(v, "\r\n") {
		v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
	}
	return strings.Trim(v, " \t")
}

// copyTrailers replaces dst's fields with the trailers of a finished
// response: the values of the names declared in its Trailer field, and
// every key of src with http.TrailerPrefix, without the prefix.
func copyTrailers(dst *turbohttp.Header, src http.Header, declared []string) {
	dst.Reset()
	for _, k := range declared {
		for _, v := range src[k] {
			addField(dst, k, v)
		}
	}
	for k, vv := range src {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok && turbohttp.ValidFieldName(name) {
			for _, v := range vv {
				addField(dst, name, v)
			}
		}
	}
}
