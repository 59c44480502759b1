package turbohttp

import (
	"bytes"
	"errors"
	"strconv"

	"turbohttp/internal/ascii"
)

// fsRange is a satisfiable byte range of content: length bytes from start.
type fsRange struct {
	start, length int64
}

var (
	errFSInvalidRange = errors.New("invalid range")
	errFSNoOverlap    = errors.New("invalid range: failed to overlap")
)

// fsParseRange parses a Range field value (RFC 9110 §14.1.2) against
// content of size bytes, clamping each range to the content and dropping
// those that start past its end. It returns nil for an empty field or
// one with no range, errFSNoOverlap when every range starts past the end,
// and errFSInvalidRange for a malformed field: another unit than "bytes"
// (compared case-insensitively), a range with first > last, or a number
// that is not all digits (net/http also takes a '+' sign) or overflows.
// As in net/http, the last-pos of a range whose first-pos is past the end
// is not looked at, and a field with no range at all ("bytes=") is
// ignored. Unlike net/http, a suffix range of length 0, or any suffix
// range of empty content, is unsatisfiable: net/http serves them as 206
// with a malformed Content-Range ("bytes 0--1/0").
// It keeps at most MaxServedRanges+1 ranges, which is enough to tell
// that there are too many.
func fsParseRange(field []byte, size int64) ([]fsRange, error) {
	if len(field) == 0 {
		return nil, nil
	}
	const unit = "bytes="
	if len(field) < len(unit) || !ascii.EqualFold(field[:len(unit)], unit) {
		return nil, errFSInvalidRange
	}
	var ranges []fsRange
	noOverlap := false
	for spec := range bytes.SplitSeq(field[len(unit):], []byte(",")) {
		spec = ascii.TrimOWS(spec)
		if len(spec) == 0 {
			continue
		}
		ra, ok, err := fsParseRangeSpec(spec, size)
		switch {
		case err != nil:
			return nil, err
		case !ok:
			noOverlap = true
		case len(ranges) <= MaxServedRanges:
			ranges = append(ranges, ra)
		}
	}
	if noOverlap && len(ranges) == 0 {
		return nil, errFSNoOverlap
	}
	return ranges, nil
}

// fsParseRangeSpec parses one byte-range-spec or suffix-range; ok is false
// when it is valid but starts past the end of the content.
func fsParseRangeSpec(spec []byte, size int64) (ra fsRange, ok bool, err error) {
	i := bytes.IndexByte(spec, '-')
	if i < 0 {
		return ra, false, errFSInvalidRange
	}
	first, last := ascii.TrimOWS(spec[:i]), ascii.TrimOWS(spec[i+1:])
	if len(first) == 0 { // suffix-range: the last n bytes
		n, ok := fsParseDigits(last)
		if !ok {
			return ra, false, errFSInvalidRange
		}
		if n == 0 || size == 0 {
			return ra, false, nil // unsatisfiable; net/http serves "bytes=-0" as 206 with no bytes
		}
		n = min(n, size)
		return fsRange{size - n, n}, true, nil
	}
	start, ok := fsParseDigits(first)
	if !ok {
		return ra, false, errFSInvalidRange
	}
	if start >= size {
		return ra, false, nil // last is not looked at, as in net/http
	}
	end := size - 1
	if len(last) > 0 {
		if end, ok = fsParseDigits(last); !ok || end < start {
			return ra, false, errFSInvalidRange
		}
		end = min(end, size-1)
	}
	return fsRange{start, end - start + 1}, true, nil
}

// fsParseDigits parses a non-empty run of decimal digits that fits an
// int64.
func fsParseDigits(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' || n > (1<<63-1-9)/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// fsRangesServable reports whether ranges may be served as asked: at most
// MaxServedRanges of them, none overlapping another, together no longer
// than the content. Otherwise the whole content is served.
func fsRangesServable(ranges []fsRange, size int64) bool {
	if len(ranges) > MaxServedRanges {
		return false
	}
	var sum int64
	for i, a := range ranges {
		sum += a.length
		for _, b := range ranges[:i] {
			if a.start < b.start+b.length && b.start < a.start+a.length {
				return false
			}
		}
	}
	return sum <= size
}

// appendContentRange appends ra as a Content-Range value: "bytes
// first-last/size".
func (ra fsRange) appendContentRange(b []byte, size int64) []byte {
	b = append(b, "bytes "...)
	b = strconv.AppendInt(b, ra.start, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, ra.start+ra.length-1, 10)
	b = append(b, '/')
	return strconv.AppendInt(b, size, 10)
}

// fsAppendUnsatisfied returns the Content-Range of a 416 response:
// "bytes */size".
func fsAppendUnsatisfied(b []byte, size int64) string {
	b = append(b, "bytes */"...)
	return string(strconv.AppendInt(b, size, 10))
}
