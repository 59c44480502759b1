package h1

import (
	"errors"
	"strings"
	"testing"
)

type respCase struct {
	name, in, method string
	err              *Error

	status int
	reason string
	minor  uint8
	f      Framing
	fields string // "name=value|…" when set
}

var responseCases = []respCase{
	{name: "200 with Content-Length", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
		status: 200, reason: "OK", minor: 1, f: Framing{Body: BodyLength, ContentLength: 5}},
	{name: "empty reason", in: "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
		status: 200, minor: 1, f: Framing{}},
	{name: "no reason, lenient", in: "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
		status: 200, minor: 1, f: Framing{}},
	{name: "reason with spaces and obs-text", in: "HTTP/1.1 404 Not \xe9 Found \r\nContent-Length: 0\r\n\r\n",
		status: 404, reason: "Not \xe9 Found ", minor: 1},
	{name: "chunked", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		status: 200, reason: "OK", minor: 1, f: Framing{Body: BodyChunked, ContentLength: -1}},
	{name: "CL with TE is chunked and closes", in: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
		status: 200, reason: "OK", minor: 1, f: Framing{Body: BodyChunked, ContentLength: -1, Close: true}},
	{name: "close-delimited", in: "HTTP/1.1 200 OK\r\n\r\n",
		status: 200, reason: "OK", minor: 1, f: Framing{Body: BodyClose, ContentLength: -1, Close: true}},
	{name: "HTTP/1.0 keep-alive with length", in: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n",
		status: 200, reason: "OK", f: Framing{Body: BodyLength, ContentLength: 2}},
	{name: "HTTP/1.0 without keep-alive", in: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n",
		status: 200, reason: "OK", f: Framing{Body: BodyLength, ContentLength: 2, Close: true}},
	{name: "Connection close", in: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n",
		status: 200, reason: "OK", minor: 1, f: Framing{Body: BodyLength, ContentLength: 2, Close: true}},
	{name: "HEAD response has no body", method: "HEAD", in: "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n",
		status: 200, reason: "OK", minor: 1, f: Framing{ContentLength: 99}},
	{name: "HEAD response with chunked has no body", method: "HEAD", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		status: 200, reason: "OK", minor: 1, f: Framing{}},
	{name: "204 has no body", in: "HTTP/1.1 204 No Content\r\n\r\n",
		status: 204, reason: "No Content", minor: 1},
	{name: "304 has no body", in: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
		status: 304, reason: "Not Modified", minor: 1, f: Framing{ContentLength: 10}},
	{name: "100 Continue has no body", in: "HTTP/1.1 100 Continue\r\n\r\n",
		status: 100, reason: "Continue", minor: 1},
	{name: "103 Early Hints", in: "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n",
		status: 103, reason: "Early Hints", minor: 1},
	{name: "101 is a tunnel", in: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
		status: 101, reason: "Switching Protocols", minor: 1, f: Framing{Tunnel: true}},
	{name: "2xx to CONNECT is a tunnel", method: "CONNECT", in: "HTTP/1.1 200 Connection established\r\n\r\n",
		status: 200, reason: "Connection established", minor: 1, f: Framing{Tunnel: true}},
	{name: "4xx to CONNECT has a body", method: "CONNECT", in: "HTTP/1.1 407 Proxy Auth\r\nContent-Length: 1\r\n\r\n",
		status: 407, reason: "Proxy Auth", minor: 1, f: Framing{Body: BodyLength, ContentLength: 1}},
	{name: "HTTP/1.2 is read as 1.x", in: "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n",
		status: 200, reason: "OK", minor: 2},
	{name: "status 599", in: "HTTP/1.1 599 Odd\r\nContent-Length: 0\r\n\r\n",
		status: 599, reason: "Odd", minor: 1},
	{name: "obs-fold in response is unfolded", in: "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
		status: 200, reason: "OK", minor: 1, fields: "X=a   b|Content-Length=0"},
	{name: "obs-fold with tabs, twice", in: "HTTP/1.1 200 OK\r\nX: a\r\n\tb\r\n \tc \r\nContent-Length: 0\r\n\r\n",
		status: 200, reason: "OK", minor: 1, fields: "X=a  \tb   \tc|Content-Length=0"},
	{name: "obs-fold after an empty value", in: "HTTP/1.1 200 OK\r\nX:\r\n b\r\nContent-Length: 0\r\n\r\n",
		status: 200, reason: "OK", minor: 1, fields: "X=b|Content-Length=0"},

	{name: "HTTP/2.0 status line", in: "HTTP/2.0 200 OK\r\n\r\n", err: ErrVersion},
	{name: "lowercase version", in: "http/1.1 200 OK\r\n\r\n", err: ErrBadStatusLine},
	{name: "two-digit status", in: "HTTP/1.1 20 OK\r\n\r\n", err: ErrBadStatusLine},
	{name: "four-digit status", in: "HTTP/1.1 2000 OK\r\n\r\n", err: ErrBadStatusLine},
	{name: "status below 100", in: "HTTP/1.1 099 Odd\r\n\r\n", err: ErrBadStatusCode},
	{name: "status 600", in: "HTTP/1.1 600 X\r\n\r\n", err: ErrBadStatusCode},
	{name: "status 999", in: "HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n", err: ErrBadStatusCode},
	{name: "field line without colon", in: "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", err: ErrMissingColon},
	{name: "field line without colon, with spaces", in: "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", err: ErrMissingColon},
	{name: "whitespace before colon in response", in: "HTTP/1.1 200 OK\r\nX : a\r\n\r\n", err: ErrSpaceBeforeColon},
	{name: "folded Content-Length stays malformed", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n 5\r\n\r\n", err: ErrBadContentLength},
	{name: "fold after the status line", in: "HTTP/1.1 200 OK\r\n X: a\r\n\r\n", err: ErrSpaceAfterStart},
	{name: "no space before status", in: "HTTP/1.1200 OK\r\n\r\n", err: ErrBadStatusLine},
	{name: "NUL in reason", in: "HTTP/1.1 200 O\x00K\r\n\r\n", err: ErrBadStatusLine},
	{name: "bare LF after status line", in: "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", err: ErrBareLF},
	{name: "bare LF in fields", in: "HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n", err: ErrBareLF},
	{name: "differing Content-Length", in: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", err: ErrDuplicateContentLength},
	{name: "malformed Content-Length", in: "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", err: ErrBadContentLength},
	{name: "malformed Content-Length on 304", in: "HTTP/1.1 304 Not Modified\r\nContent-Length: -1\r\n\r\n", err: ErrBadContentLength},
	{name: "TE on HTTP/1.0 response", in: "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrTransferEncodingHTTP10},
	{name: "gzip only TE in response", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "gzip then chunked in response", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", err: ErrUnsupportedTransferCode},
	{name: "response header too large", in: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 64<<10) + "\r\n\r\n", err: ErrHeaderTooLarge},
}

func TestParseResponse(t *testing.T) {
	for _, tc := range responseCases {
		t.Run(tc.name, func(t *testing.T) {
			var h ResponseHead
			n, err := ParseResponse([]byte(tc.in), tc.method, &h, nil)
			checkResponse(t, tc, &h, n, err)
		})
	}
}

func checkResponse(t *testing.T, tc respCase, h *ResponseHead, n int, err error) {
	t.Helper()
	if tc.err != nil {
		var e *Error
		if !errors.Is(err, tc.err) || !errors.As(err, &e) || e.Status != tc.err.Status || !e.Close || n != 0 {
			t.Fatalf("err = %v, want %v", err, tc.err)
		}
		return
	}
	if err != nil || n != len(tc.in) {
		t.Fatalf("n = %d, err = %v", n, err)
	}
	if h.Status != tc.status || string(h.Reason) != tc.reason || h.Major != 1 || h.Minor != tc.minor || h.Framing != tc.f {
		t.Errorf("got %d %q 1.%d %+v", h.Status, h.Reason, h.Minor, h.Framing)
	}
	if tc.fields != "" {
		var got []string
		for _, f := range h.Fields {
			got = append(got, string(f.Name)+"="+string(f.Value))
		}
		if strings.Join(got, "|") != tc.fields {
			t.Errorf("fields %q, want %q", strings.Join(got, "|"), tc.fields)
		}
	}
}

func TestParseResponseIncremental(t *testing.T) {
	for _, tc := range responseCases {
		t.Run(tc.name, func(t *testing.T) {
			var h ResponseHead
			for i := 0; i < len(tc.in); i = nextPrefix(i) {
				n, err := ParseResponse([]byte(tc.in[:i]), tc.method, &h, nil)
				if err == ErrIncomplete && n == 0 {
					continue
				}
				if tc.err != nil && errors.Is(err, tc.err) {
					return
				}
				t.Fatalf("prefix of %d bytes: n = %d, err = %v", i, n, err)
			}
			n, err := ParseResponse([]byte(tc.in), tc.method, &h, nil)
			checkResponse(t, tc, &h, n, err)
		})
	}
}

// TestParseResponseInterim parses a 100 Continue followed by the final
// response in one buffer, as a client does.
func TestParseResponseInterim(t *testing.T) {
	b := []byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
	var h ResponseHead
	n, err := ParseResponse(b, "POST", &h, nil)
	if err != nil || h.Status != 100 {
		t.Fatalf("interim: %d %v", h.Status, err)
	}
	m, err := ParseResponse(b[n:], "POST", &h, nil)
	if err != nil || h.Status != 201 || h.ContentLength != 2 || string(b[n+m:]) != "ok" {
		t.Fatalf("final: %d %v", h.Status, err)
	}
}

func TestParseResponseLimits(t *testing.T) {
	var h ResponseHead
	lim := &Limits{MaxHeaderBytes: 40, MaxFields: 1}
	for _, tc := range []struct {
		name, in string
		err      error
	}{
		{"head at limit waits", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 40-20), ErrIncomplete},
		{"head over limit", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 41-20), ErrHeaderTooLarge},
		{"fields at limit", "HTTP/1.1 200 OK\r\nX: 1\r\n\r\n", nil},
		{"fields over limit", "HTTP/1.1 200 OK\r\nX: 1\r\nY: 2\r\n", ErrTooManyFields},
	} {
		if _, err := ParseResponse([]byte(tc.in), "GET", &h, lim); err != tc.err {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.err)
		}
	}
}
