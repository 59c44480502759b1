package h1

import (
	"errors"
	"strings"
	"testing"
)

// reqCase is one request head on the wire and what ParseRequest must make
// of it: either err, or the listed parts of the head.
type reqCase struct {
	name string
	in   string
	err  *Error

	method, target, host string
	form                 TargetForm
	minor                uint8
	body                 BodyKind
	length               int64
	close                bool
}

var validRequests = []reqCase{
	{name: "simple GET", in: "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
		method: "GET", target: "/", host: "example.com", minor: 1},
	{name: "query and fields", in: "GET /a/b?c=d&e HTTP/1.1\r\nHost: h:8080\r\nAccept: */*\r\nX-Empty:\r\nX-Pad: \t v w \t\r\n\r\n",
		method: "GET", target: "/a/b?c=d&e", host: "h:8080", minor: 1},
	{name: "HTTP/1.0 without Host", in: "GET /x HTTP/1.0\r\n\r\n",
		method: "GET", target: "/x", minor: 0, close: true},
	{name: "HTTP/1.0 keep-alive", in: "GET /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
		method: "GET", target: "/x", minor: 0},
	{name: "Connection close", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n",
		method: "GET", target: "/", host: "a", minor: 1, close: true},
	{name: "leading empty line tolerated", in: "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		method: "GET", target: "/", host: "a", minor: 1},
	{name: "OPTIONS asterisk", in: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
		method: "OPTIONS", target: "*", host: "a", minor: 1, form: AsteriskForm},
	{name: "absolute-form authority wins over Host", in: "GET http://b.example:81/p?q HTTP/1.1\r\nHost: a.example\r\n\r\n",
		method: "GET", target: "http://b.example:81/p?q", host: "b.example:81", minor: 1, form: AbsoluteForm},
	{name: "absolute-form without path", in: "GET https://b.example HTTP/1.1\r\nHost: b.example\r\n\r\n",
		method: "GET", target: "https://b.example", host: "b.example", minor: 1, form: AbsoluteForm},
	{name: "CONNECT authority-form", in: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
		method: "CONNECT", target: "example.com:443", host: "example.com:443", minor: 1, form: AuthorityForm},
	{name: "CONNECT IPv6 literal", in: "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n",
		method: "CONNECT", target: "[::1]:443", host: "[::1]:443", minor: 1, form: AuthorityForm},
	{name: "IP literal Host", in: "GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n",
		method: "GET", target: "/", host: "[2001:db8::1]:8080", minor: 1},
	{name: "percent-encoded target", in: "GET /a%20b?c=%41 HTTP/1.1\r\nHost: a\r\n\r\n",
		method: "GET", target: "/a%20b?c=%41", host: "a", minor: 1},
	{name: "empty Host", in: "GET / HTTP/1.1\r\nHost:\r\n\r\n",
		method: "GET", target: "/", minor: 1},
	{name: "Content-Length", in: "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n",
		method: "POST", target: "/u", host: "a", minor: 1, body: BodyLength, length: 42},
	{name: "Content-Length zero", in: "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
		method: "POST", target: "/u", host: "a", minor: 1, body: BodyNone},
	{name: "Content-Length leading zeros", in: "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 007\r\n\r\n",
		method: "POST", target: "/u", host: "a", minor: 1, body: BodyLength, length: 7},
	{name: "Content-Length max int64", in: "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n",
		method: "POST", target: "/u", host: "a", minor: 1, body: BodyLength, length: 1<<63 - 1},
	{name: "Content-Length identical repeated", in: "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
		method: "POST", target: "/u", host: "a", minor: 1, body: BodyLength, length: 5},
	{name: "Content-Length identical list", in: "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n",
		method: "POST", target: "/u", host: "a", minor: 1, body: BodyLength, length: 5},
	{name: "chunked", in: "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
		method: "POST", target: "/u", host: "a", minor: 1, body: BodyChunked, length: -1},
	{name: "chunked any case with OWS", in: "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:  Chunked \r\n\r\n",
		method: "POST", target: "/u", host: "a", minor: 1, body: BodyChunked, length: -1},
	{name: "obs-text in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n",
		method: "GET", target: "/", host: "a", minor: 1},
}

var badRequests = []reqCase{
	// Start line.
	{name: "HTTP/2.0 version", in: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", err: ErrVersion},
	{name: "HTTP/1.2 version", in: "GET / HTTP/1.2\r\nHost: a\r\n\r\n", err: ErrVersion},
	{name: "HTTP/0.9 version", in: "GET / HTTP/0.9\r\n\r\n", err: ErrVersion},
	{name: "HTTP/0.9 simple request", in: "GET /\r\n", err: ErrNoVersion},
	{name: "lowercase version", in: "GET / http/1.1\r\nHost: a\r\n\r\n", err: ErrBadVersion},
	{name: "two-digit minor", in: "GET / HTTP/1.10\r\nHost: a\r\n\r\n", err: ErrBadVersion},
	{name: "short version", in: "GET / HTTP/1\r\nHost: a\r\n\r\n", err: ErrBadVersion},
	{name: "space after version", in: "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", err: ErrBadVersion},
	{name: "double space before target", in: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadRequestLine},
	{name: "double space before version", in: "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadVersion},
	{name: "tab separator", in: "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadMethod},
	{name: "empty method", in: " / HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadRequestLine},
	{name: "method with slash", in: "GE/T / HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadMethod},
	{name: "NUL in target", in: "GET /\x00 HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "non-ASCII in target", in: "GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "bare LF after request line", in: "GET / HTTP/1.1\nHost: a\r\n\r\n", err: ErrBareLF},
	{name: "bare CR after request line", in: "GET / HTTP/1.1\rHost: a\r\n\r\n", err: ErrBareCR},
	{name: "two leading empty lines", in: "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrLeadingEmptyLine},
	{name: "leading bare LF", in: "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBareLF},
	{name: "absolute-form without authority", in: "GET urn:x:y HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "asterisk for other than OPTIONS", in: "M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrTargetForm},
	{name: "GET asterisk", in: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrTargetForm},
	{name: "CONNECT origin-form", in: "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrTargetForm},
	{name: "CONNECT without port", in: "CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrTargetForm},
	{name: "CONNECT absolute-form", in: "CONNECT http://a:1/ HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrTargetForm},
	{name: "authority-form for GET", in: "GET example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "absolute-form userinfo", in: "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "absolute-form empty authority", in: "GET http:///p HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "malformed percent-encoding", in: "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "truncated percent-encoding", in: "GET /a%4 HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "fragment in target", in: "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "absolute-form percent-encoded host", in: "GET http://a%41/ HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "absolute-form unclosed IP literal", in: "GET http://[::1/ HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "absolute-form two ports", in: "GET http://a:1:2/ HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "relative target", in: "GET p/q HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrBadTarget},
	{name: "request target too long", in: "GET /" + strings.Repeat("a", 8<<10) + " HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrTargetTooLong},

	// Field lines.
	{name: "whitespace before colon", in: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", err: ErrSpaceBeforeColon},
	{name: "tab before colon", in: "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", err: ErrSpaceBeforeColon},
	{name: "whitespace after start line", in: "GET / HTTP/1.1\r\n Host: a\r\n\r\n", err: ErrSpaceAfterStart},
	{name: "obs-fold", in: "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", err: ErrObsFold},
	{name: "obs-fold with tab", in: "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n", err: ErrObsFold},
	{name: "bare CR in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: b\rc\r\n\r\n", err: ErrBareCR},
	{name: "bare LF in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: b\nY: c\r\n\r\n", err: ErrBareLF},
	{name: "bare LF line end", in: "GET / HTTP/1.1\r\nHost: a\n\r\n", err: ErrBareLF},
	{name: "bare LF final empty line", in: "GET / HTTP/1.1\r\nHost: a\r\n\n", err: ErrBareLF},
	{name: "bare CR final empty line", in: "GET / HTTP/1.1\r\nHost: a\r\n\rX", err: ErrBareCR},
	{name: "NUL in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: b\x00c\r\n\r\n", err: ErrBadFieldValue},
	{name: "NUL in name", in: "GET / HTTP/1.1\r\nHost: a\r\nX\x00Y: b\r\n\r\n", err: ErrBadFieldName},
	{name: "DEL in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: b\x7fc\r\n\r\n", err: ErrBadFieldValue},
	{name: "vertical tab in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: b\x0b\r\n\r\n", err: ErrBadFieldValue},
	{name: "empty name", in: "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", err: ErrBadFieldName},
	{name: "no colon", in: "GET / HTTP/1.1\r\nHost: a\r\nXY\r\n\r\n", err: ErrMissingColon},
	{name: "no colon, with spaces", in: "GET / HTTP/1.1\r\nHost: a\r\nX Y\r\n\r\n", err: ErrMissingColon},
	{name: "non-token name", in: "GET / HTTP/1.1\r\nHost: a\r\nX(Y): b\r\n\r\n", err: ErrBadFieldName},
	{name: "non-ASCII name", in: "GET / HTTP/1.1\r\nHost: a\r\nX\xc3\xa9: b\r\n\r\n", err: ErrBadFieldName},
	{name: "too many fields", in: "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X: y\r\n", 1000) + "\r\n", err: ErrTooManyFields},
	{name: "header too large", in: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("y", 64<<10) + "\r\n\r\n", err: ErrHeaderTooLarge},

	// Host.
	{name: "missing Host on HTTP/1.1", in: "GET / HTTP/1.1\r\nX: a\r\n\r\n", err: ErrMissingHost},
	{name: "repeated Host", in: "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", err: ErrDuplicateHost},
	{name: "repeated Host on HTTP/1.0", in: "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", err: ErrDuplicateHost},
	{name: "Host with userinfo", in: "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", err: ErrBadHost},
	{name: "Host with path", in: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", err: ErrBadHost},
	{name: "Host with two ports", in: "GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", err: ErrBadHost},
	{name: "Host with non-digit port", in: "GET / HTTP/1.1\r\nHost: a:x\r\n\r\n", err: ErrBadHost},
	{name: "Host with space", in: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", err: ErrBadHost},

	// Framing.
	{name: "CL with TE", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrContentLengthAndTE},
	{name: "TE with CL", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", err: ErrContentLengthAndTE},
	{name: "TE on HTTP/1.0", in: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrTransferEncodingHTTP10},
	{name: "chunked not last", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "chunked twice", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "chunked twice in two fields", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "chunked then gzip in two fields", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "obfuscated xchunked", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "obfuscated chunked with VT", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\x0b\r\n\r\n", err: ErrBadFieldValue},
	{name: "obfuscated quoted chunked", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "chunked with parameter", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "chunked trailing comma", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked,\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "empty TE", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "TE without chunked", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "unknown coding before chunked", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", err: ErrUnsupportedTransferCode},
	{name: "duplicate differing Content-Length", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", err: ErrDuplicateContentLength},
	{name: "differing Content-Length list", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", err: ErrDuplicateContentLength},
	{name: "Content-Length same value other spelling", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 05\r\n\r\n", err: ErrDuplicateContentLength},
	{name: "Content-Length plus sign", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", err: ErrBadContentLength},
	{name: "Content-Length negative", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", err: ErrBadContentLength},
	{name: "Content-Length hex", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", err: ErrBadContentLength},
	{name: "Content-Length inner space", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\n", err: ErrBadContentLength},
	{name: "Content-Length empty", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", err: ErrBadContentLength},
	{name: "Content-Length trailing comma", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", err: ErrBadContentLength},
	{name: "Content-Length overflow", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n", err: ErrBadContentLength},
	{name: "Content-Length huge", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", err: ErrBadContentLength},
}

func checkRequest(t *testing.T, tc reqCase, h *RequestHead, n int, err error) {
	t.Helper()
	if tc.err != nil {
		var e *Error
		if !errors.Is(err, tc.err) || !errors.As(err, &e) {
			t.Fatalf("err = %v, want %v", err, tc.err)
		}
		if e.Status != tc.err.Status || !e.Close || n != 0 {
			t.Fatalf("status %d close %v n %d", e.Status, e.Close, n)
		}
		return
	}
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	if n != len(tc.in) {
		t.Errorf("n = %d, want %d", n, len(tc.in))
	}
	got := reqCase{method: string(h.Method), target: string(h.Target), host: string(h.Host), form: h.Form,
		minor: h.Minor, body: h.Body, length: h.ContentLength, close: h.Close}
	want := tc
	want.name, want.in, want.err = "", "", nil
	if got != want || h.Major != 1 {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestParseRequest(t *testing.T) {
	for _, tc := range append(validRequests[:len(validRequests):len(validRequests)], badRequests...) {
		t.Run(tc.name, func(t *testing.T) {
			var h RequestHead
			n, err := ParseRequest([]byte(tc.in), &h, nil)
			checkRequest(t, tc, &h, n, err)
		})
	}
}

// TestParseRequestIncremental feeds every request one byte at a time: each
// proper prefix must be ErrIncomplete (or, for a bad request, the error
// itself as soon as it shows), and the whole the same result as in one go.
func TestParseRequestIncremental(t *testing.T) {
	for _, tc := range append(validRequests[:len(validRequests):len(validRequests)], badRequests...) {
		t.Run(tc.name, func(t *testing.T) {
			var h RequestHead
			for i := 0; i < len(tc.in); i = nextPrefix(i) {
				n, err := ParseRequest([]byte(tc.in[:i]), &h, nil)
				if err == ErrIncomplete && n == 0 {
					continue
				}
				if tc.err != nil && errors.Is(err, tc.err) {
					return // bad input is refused early
				}
				t.Fatalf("prefix of %d bytes: n = %d, err = %v", i, n, err)
			}
			n, err := ParseRequest([]byte(tc.in), &h, nil)
			checkRequest(t, tc, &h, n, err)
		})
	}
}

func TestParseRequestFields(t *testing.T) {
	in := "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: \t v w \t\r\nx-pad: 2\r\nEmpty:\r\n\r\nBODY"
	var h RequestHead
	n, err := ParseRequest([]byte(in), &h, nil)
	if err != nil || in[n:] != "BODY" {
		t.Fatalf("n = %d, err = %v", n, err)
	}
	want := []string{"Host", "a", "X-Pad", "v w", "x-pad", "2", "Empty", ""}
	if len(h.Fields) != len(want)/2 {
		t.Fatalf("%d fields", len(h.Fields))
	}
	for i, f := range h.Fields {
		if string(f.Name) != want[2*i] || string(f.Value) != want[2*i+1] {
			t.Errorf("field %d = %q: %q", i, f.Name, f.Value)
		}
	}
	if v, ok := h.Fields.Get("X-PAD"); !ok || string(v) != "v w" {
		t.Errorf("Get = %q, %v", v, ok)
	}
	if _, ok := h.Fields.Get("missing"); ok {
		t.Error("Get(missing) found")
	}
	if c := h.Fields.Count("x-pad"); c != 2 {
		t.Errorf("Count = %d", c)
	}
	var vals []string
	for v := range h.Fields.Values("X-Pad") {
		vals = append(vals, string(v))
	}
	if strings.Join(vals, "|") != "v w|2" {
		t.Errorf("Values = %q", vals)
	}
}

func TestParseRequestPipelined(t *testing.T) {
	in := "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
	var h RequestHead
	b := []byte(in)
	for _, want := range []string{"/1", "/2"} {
		n, err := ParseRequest(b, &h, nil)
		if err != nil || string(h.Target) != want {
			t.Fatalf("target %q, err %v", h.Target, err)
		}
		b = b[n:]
	}
	if len(b) != 0 {
		t.Errorf("%d bytes left", len(b))
	}
}

func TestParseRequestExpectUpgrade(t *testing.T) {
	for _, tc := range []struct {
		in                  string
		expect100, expect17 bool
		upgrade             string
	}{
		{in: "GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n\r\n", expect100: true},
		{in: "GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n"}, // ignored on 1.0, RFC 9110 §10.1.1
		{in: "GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", expect17: true},
		{in: "GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nExpect: 100-continue\r\n\r\n", expect17: true},
		{in: "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", upgrade: "websocket"},
		{in: "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n"},             // not listed in Connection
		{in: "GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n"}, // ignored on 1.0
	} {
		var h RequestHead
		if _, err := ParseRequest([]byte(tc.in), &h, nil); err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if h.Expect100 != tc.expect100 || h.ExpectUnsupported != tc.expect17 || string(h.Upgrade) != tc.upgrade ||
			(tc.upgrade == "") != (h.Upgrade == nil) {
			t.Errorf("%q: Expect100 %v ExpectUnsupported %v Upgrade %q", tc.in, h.Expect100, h.ExpectUnsupported, h.Upgrade)
		}
	}
}

// TestParseRequestLimitsIncomplete checks that limits hold before the head
// is complete, so a slow peer cannot make the caller buffer forever.
func TestParseRequestLimitsIncomplete(t *testing.T) {
	var h RequestHead
	lim := &Limits{MaxHeaderBytes: 100, MaxTargetBytes: 20, MaxFields: 2}
	for _, tc := range []struct {
		name string
		in   string
		err  error
	}{
		{"target at limit waits", "GET /" + strings.Repeat("a", 19), ErrIncomplete},
		{"target over limit before its end", "GET /" + strings.Repeat("a", 20), ErrTargetTooLong},
		{"head at limit waits", "GET / HTTP/1.1\r\nX: " + strings.Repeat("y", 100-19), ErrIncomplete},
		{"head over limit before its end", "GET / HTTP/1.1\r\nX: " + strings.Repeat("y", 101-19), ErrHeaderTooLarge},
		{"complete head over limit", "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("y", 80) + "\r\n\r\n", ErrHeaderTooLarge},
		{"fields over limit before the end", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n", ErrTooManyFields},
		{"fields at limit", "GET / HTTP/1.1\r\nHost: 1\r\nB: 2\r\n\r\n", nil},
		{"long method waits for the header limit", strings.Repeat("M", 100), ErrIncomplete},
		{"long method over the header limit", strings.Repeat("M", 101), ErrHeaderTooLarge},
	} {
		_, err := ParseRequest([]byte(tc.in), &h, lim)
		if err != tc.err {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.err)
		}
	}
}

func TestParseRequestReuse(t *testing.T) {
	var h RequestHead
	if _, err := ParseRequest([]byte("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"), &h, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRequest([]byte("GET /b HTTP/1.0\r\n\r\n"), &h, nil); err != nil {
		t.Fatal(err)
	}
	if len(h.Fields) != 0 || h.Body != BodyNone || h.ContentLength != 0 || h.Expect100 || h.Host != nil || !h.Close {
		t.Errorf("stale state after reuse: %+v", h)
	}
}

// nextPrefix steps through prefix lengths: every byte for the first 16 KiB,
// then in strides, so that the 64 KiB cases stay quick.
func nextPrefix(i int) int {
	if i < 16<<10 {
		return i + 1
	}
	return i + 997
}

func TestValidIPv6(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"::1", true}, {"::", true}, {"2001:db8::1", true}, {"1:2:3:4:5:6:7:8", true}, {"1:2:3:4:5:6:7::", true},
		{"::ffff:192.0.2.1", true}, {"1:2:3:4:5:6:1.2.3.4", true}, {"FFFF::abcd", true},
		{"", false}, {"00", false}, {":", false}, {":1", false}, {"1:", false}, {"1::2::3", false},
		{"1:2:3:4:5:6:7:8:9", false}, {"1:2:3:4:5:6:7", false}, {"12345::", false}, {"::g", false},
		{"::1.2.3", false}, {"::1.2.3.256", false}, {"::01.2.3.4", false}, {"::1.2.3.4:5", false},
		{"1.2.3.4", false}, {"1:2:3:4:5:6:7:1.2.3.4", false}, {"fe80::1%25eth0", false}, {"v1.x", false},
	} {
		if got := validIPv6(tc.in); got != tc.ok {
			t.Errorf("validIPv6(%q) = %v", tc.in, got)
		}
	}
}
