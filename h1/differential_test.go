package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"testing"
)

// FuzzDifferentialNetHTTP feeds the same bytes to ParseRequest plus a
// BodyReader and to net/http's http.ReadRequest plus reading its Body.
// Where both accept, they must agree on the method, the target, the host,
// every header value (after canonicalisation) and the body.
//
// Where net/http accepts and we refuse, that is by design; the classes are:
//   - bare LF line ends, obs-fold, and a bare CR anywhere in the head;
//   - HTTP versions other than 1.0 and 1.1 (net/http's ReadRequest leaves
//     them to its Server);
//   - a missing or invalid Host on HTTP/1.1, an authority with userinfo or
//     percent-encoding, a target with malformed percent-encoding, bytes
//     >= 0x80 in the target, absolute-form without "//" and CONNECT with
//     an origin-form target, "*" with a method other than OPTIONS
//     (ReadRequest leaves Host to its Server and parses URLs leniently);
//   - Transfer-Encoding with Content-Length, or on HTTP/1.0 (net/http
//     ignores it there);
//   - chunked bodies with BWS before a CR, sizes that fit in uint64 but not
//     int64, extensions that break the RFC 9112 §7.1.1 grammar (net/http
//     skips extensions unread), and trailers that net/http accepts but RFC
//     9110 §6.5.1 forbids (Host, Content-Type, Authorization, …).
//
// Where we accept and net/http refuses, each class is skipped by a predicate
// below, with the reason:
//   - an empty line (CRLF) before the request line: RFC 9112 §2.2 lets a
//     server skip it and net/http's Server does too (conn.readRequest), but
//     http.ReadRequest itself does not (skipLeadingEmptyLine);
//   - a Content-Length list of identical members in one field ("5, 5"),
//     which RFC 9110 §8.6 allows and net/http refuses (listContentLength);
//   - a chunked body with many more framing bytes than data: net/http
//     refuses more than 16 KiB of such overhead, we bound chunk extensions
//     with Limits instead and count other overhead as the price of small
//     chunks (errTooMuchNonData).
//
// Two more net/http bounds are matched through Limits rather than skipped:
// it refuses chunk-size lines of 4 KiB or more and trailer sections longer
// than its 4 KiB bufio buffer, so parseOurs runs with MaxChunkExtBytes and
// MaxTrailerBytes of 4000.
func FuzzDifferentialNetHTTP(f *testing.F) {
	for _, s := range seedRequests {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ours, ok := parseOurs(data)
		if !ok {
			return
		}
		if skipLeadingEmptyLine(data) || listContentLength(ours) {
			return
		}
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(data)))
		if err != nil {
			t.Fatalf("net/http refuses what we accept: %v\n%q", err, data)
		}
		theirBody, err := io.ReadAll(req.Body)
		if err != nil {
			if errTooMuchNonData(err) {
				return
			}
			t.Fatalf("net/http refuses the body we accept: %v\n%q", err, data)
		}
		if req.Method != string(ours.head.Method) || req.RequestURI != string(ours.head.Target) ||
			req.Host != string(ours.head.Host) || req.ProtoMinor != int(ours.head.Minor) {
			t.Fatalf("request line: ours %q %q host %q, theirs %q %q host %q",
				ours.head.Method, ours.head.Target, ours.head.Host, req.Method, req.RequestURI, req.Host)
		}
		if !bytes.Equal(theirBody, ours.body) {
			t.Fatalf("body: ours %q, theirs %q", ours.body, theirBody)
		}
		compareHeaders(t, ours.head.Fields, req.Header)
		compareHeaders(t, ours.trailers, req.Trailer)
	})
}

type oursResult struct {
	head     RequestHead
	body     []byte
	trailers Fields
}

// parseOurs parses a request and reads its body; ok is false if we refuse
// either.
func parseOurs(data []byte) (r oursResult, ok bool) {
	lim := &Limits{MaxChunkExtBytes: 4000, MaxTrailerBytes: 4000} // net/http's bounds, see above
	n, err := ParseRequest(data, &r.head, lim)
	if err != nil {
		return r, false
	}
	var b BodyReader
	b.Reset(bufio.NewReader(bytes.NewReader(data[n:])), r.head.Framing, lim)
	r.body, err = io.ReadAll(&b)
	r.trailers = b.Trailers()
	return r, err == nil
}

func skipLeadingEmptyLine(data []byte) bool { return bytes.HasPrefix(data, []byte("\r\n")) }

func listContentLength(r oursResult) bool {
	for v := range r.head.Fields.Values("Content-Length") {
		if bytes.IndexByte(v, ',') >= 0 {
			return true
		}
	}
	return false
}

func errTooMuchNonData(err error) bool {
	return strings.Contains(err.Error(), "too much non-data")
}

// compareHeaders checks that ours and theirs hold the same values under
// each canonical name, leaving out what net/http moves elsewhere or adds:
// Host (to Request.Host), Transfer-Encoding (to Request.TransferEncoding),
// Trailer (to the keys of Request.Trailer), Content-Length (identical
// repeats are collapsed to one), and the Cache-Control that net/http adds
// for "Pragma: no-cache".
func compareHeaders(t *testing.T, ours Fields, theirs http.Header) {
	t.Helper()
	mine := http.Header{}
	for _, f := range ours {
		k := textproto.CanonicalMIMEHeaderKey(string(f.Name))
		mine[k] = append(mine[k], string(f.Value))
	}
	skip := func(k string) bool {
		switch k {
		case "Host", "Transfer-Encoding", "Trailer":
			return true
		case "Content-Length":
			return len(mine[k]) > 0 && len(theirs[k]) == 1 && theirs[k][0] == mine[k][0]
		case "Cache-Control":
			return len(mine[k]) == 0 && len(mine["Pragma"]) > 0
		}
		return false
	}
	for k, v := range mine {
		if !skip(k) && !slices.Equal(v, theirs[k]) {
			t.Fatalf("header %s: ours %q, theirs %q", k, v, theirs[k])
		}
	}
	for k, v := range theirs {
		if !skip(k) && !slices.Equal(v, mine[k]) {
			t.Fatalf("header %s: ours %q, theirs %q", k, mine[k], v)
		}
	}
}
