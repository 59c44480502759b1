package turbohttp

import (
	"time"

	"turbohttp/internal/ascii"
)

// fsCond is the result of evaluating one precondition (RFC 9110 §13.1).
type fsCond uint8

const (
	fsCondNone  fsCond = iota // the field is absent or ignored
	fsCondTrue                // the condition holds
	fsCondFalse               // the condition fails
)

// fsTimeFormat is the IMF-fixdate format of HTTP dates (RFC 9110 §5.6.7).
const fsTimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// fsCheckPreconditions evaluates the request's preconditions against the
// response's ETag and modtime in the order of RFC 9110 §13.2.2. When one
// fails it sends the response (304 or 412) and reports done. Otherwise it
// returns the Range field to honour: empty when absent or when If-Range
// does not match. The returned view is valid as long as the request.
func fsCheckPreconditions(w ResponseWriter, r *Request, modtime time.Time) (rangeField []byte, done bool) {
	etag := w.Header().Peek("ETag")
	c := fsCheckIfMatch(r, etag)
	if c == fsCondNone {
		c = fsCheckIfUnmodifiedSince(r, modtime)
	}
	if c == fsCondFalse {
		fsSetLength(w.Header(), 0)
		w.WriteHeader(StatusPreconditionFailed)
		return nil, true
	}
	switch fsCheckIfNoneMatch(r, etag) {
	case fsCondFalse:
		if r.Method == MethodGet || r.Method == MethodHead {
			fsWriteNotModified(w)
		} else {
			fsSetLength(w.Header(), 0)
			w.WriteHeader(StatusPreconditionFailed)
		}
		return nil, true
	case fsCondNone:
		if fsCheckIfModifiedSince(r, modtime) == fsCondFalse {
			fsWriteNotModified(w)
			return nil, true
		}
	}
	rangeField = r.Header.Peek("Range")
	if len(rangeField) > 0 && fsCheckIfRange(r, etag, modtime) == fsCondFalse {
		rangeField = nil
	}
	return rangeField, false
}

// fsCheckIfMatch evaluates If-Match (§13.1.1): true for "*" or an entity
// tag that strongly matches etag. Every If-Match field is read.
func fsCheckIfMatch(r *Request, etag []byte) fsCond {
	return fsMatchList(r, "If-Match", etag, fsStrongMatch)
}

// fsCheckIfNoneMatch evaluates If-None-Match (§13.1.2): false for "*" or
// an entity tag that weakly matches etag.
func fsCheckIfNoneMatch(r *Request, etag []byte) fsCond {
	switch fsMatchList(r, "If-None-Match", etag, fsWeakMatch) {
	case fsCondTrue:
		return fsCondFalse
	case fsCondFalse:
		return fsCondTrue
	}
	return fsCondNone
}

// fsMatchList reports whether a field name of r lists "*" or an entity
// tag that matches etag under match; fsCondNone when there is no such
// field. A malformed member ends the list, as in net/http.
func fsMatchList(r *Request, name string, etag []byte, match func(a, b []byte) bool) fsCond {
	c := fsCondNone
	for v := range r.Header.Values(name) {
		if len(v) == 0 {
			continue
		}
		c = fsCondFalse
		for {
			v = ascii.TrimOWS(v)
			if len(v) == 0 {
				break
			}
			if v[0] == ',' {
				v = v[1:]
				continue
			}
			if v[0] == '*' {
				return fsCondTrue
			}
			tag, rest := fsScanETag(v)
			if tag == nil {
				break
			}
			if match(tag, etag) {
				return fsCondTrue
			}
			v = rest
		}
	}
	return c
}

// fsScanETag splits the entity tag at the start of s (RFC 9110 §8.8.3:
// an optional "W/" and a quoted string of etagc) from the rest; tag is
// nil when s does not start with one.
func fsScanETag(s []byte) (tag, rest []byte) {
	start := 0
	if len(s) >= 2 && s[0] == 'W' && s[1] == '/' {
		start = 2
	}
	if len(s) < start+2 || s[start] != '"' {
		return nil, nil
	}
	for i := start + 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[:i+1], s[i+1:]
		case c == 0x21 || c >= 0x23 && c != 0x7F:
		default:
			return nil, nil
		}
	}
	return nil, nil
}

// fsStrongMatch is the strong comparison of entity tags (§8.8.3.2): equal
// and neither weak.
func fsStrongMatch(a, b []byte) bool {
	return len(a) > 0 && a[0] == '"' && string(a) == string(b)
}

// fsWeakMatch is the weak comparison of entity tags: equal once any "W/"
// is removed.
func fsWeakMatch(a, b []byte) bool {
	return string(fsTrimWeak(a)) == string(fsTrimWeak(b))
}

func fsTrimWeak(tag []byte) []byte {
	if len(tag) >= 2 && tag[0] == 'W' && tag[1] == '/' {
		return tag[2:]
	}
	return tag
}

// fsCheckIfUnmodifiedSince evaluates If-Unmodified-Since (§13.1.4); a date
// that does not parse is ignored.
func fsCheckIfUnmodifiedSince(r *Request, modtime time.Time) fsCond {
	t, ok := fsDateField(r, "If-Unmodified-Since", modtime)
	if !ok {
		return fsCondNone
	}
	if modtime.Truncate(time.Second).Compare(t) <= 0 {
		return fsCondTrue
	}
	return fsCondFalse
}

// fsCheckIfModifiedSince evaluates If-Modified-Since (§13.1.3), for GET
// and HEAD only; false means not modified.
func fsCheckIfModifiedSince(r *Request, modtime time.Time) fsCond {
	if r.Method != MethodGet && r.Method != MethodHead {
		return fsCondNone
	}
	t, ok := fsDateField(r, "If-Modified-Since", modtime)
	if !ok {
		return fsCondNone
	}
	if modtime.Truncate(time.Second).Compare(t) <= 0 {
		return fsCondFalse
	}
	return fsCondTrue
}

// fsDateField returns the date in field name of r, when there is one that
// parses and modtime is known.
func fsDateField(r *Request, name string, modtime time.Time) (time.Time, bool) {
	v := r.Header.Peek(name)
	if len(v) == 0 || fsIsZeroTime(modtime) {
		return time.Time{}, false
	}
	return fsParseDate(v)
}

// fsCheckIfRange evaluates If-Range (§13.1.5), for GET and HEAD: true when
// it holds an entity tag that strongly matches etag, or exactly the
// modification date.
func fsCheckIfRange(r *Request, etag []byte, modtime time.Time) fsCond {
	if r.Method != MethodGet && r.Method != MethodHead {
		return fsCondNone
	}
	v := ascii.TrimOWS(r.Header.Peek("If-Range"))
	if len(v) == 0 {
		return fsCondNone
	}
	if tag, _ := fsScanETag(v); tag != nil {
		if fsStrongMatch(tag, etag) {
			return fsCondTrue
		}
		return fsCondFalse
	}
	if modtime.IsZero() {
		return fsCondFalse
	}
	if t, ok := fsParseDate(v); ok && t.Unix() == modtime.Unix() {
		return fsCondTrue
	}
	return fsCondFalse
}

// fsParseDate parses an HTTP date in any of the three formats recipients
// must accept (RFC 9110 §5.6.7): IMF-fixdate, RFC 850 and asctime.
func fsParseDate(v []byte) (time.Time, bool) {
	s := string(v)
	for _, layout := range [...]string{fsTimeFormat, time.RFC850, time.ANSIC} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// fsIsZeroTime reports whether t is unknown: zero or the Unix epoch.
func fsIsZeroTime(t time.Time) bool {
	return t.IsZero() || t.Unix() == 0 && t.Nanosecond() == 0
}

// fsSetLastModified sets Last-Modified to modtime unless it is unknown.
func fsSetLastModified(h *Header, modtime time.Time) {
	if fsIsZeroTime(modtime) {
		return
	}
	var buf [len(fsTimeFormat)]byte
	h.SetBytes([]byte("Last-Modified"), modtime.UTC().AppendFormat(buf[:0], fsTimeFormat))
}

// fsWriteNotModified sends 304 (§15.4.5). It removes the fields that
// describe content, and Last-Modified when there is an ETag.
func fsWriteNotModified(w ResponseWriter) {
	h := w.Header()
	h.Del("Content-Type")
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	if h.Has("ETag") {
		h.Del("Last-Modified")
	}
	w.WriteHeader(StatusNotModified)
}
