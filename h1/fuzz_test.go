package h1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// seedRequests are the f.Add seeds of the request fuzz targets; more sit in
// testdata/fuzz.
var seedRequests = []string{
	"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
	"GET /a?b=c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	"\r\nOPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
	"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
	"GET http://a.example/x HTTP/1.1\r\nHost: b\r\n\r\n",
	"POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
	"POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello",
	"POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
	"POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\nX: b\n\n",
	"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n\r\n",
}

// checkHeadError checks the contract of a parse error.
func checkHeadError(t *testing.T, err error) {
	t.Helper()
	if err == ErrIncomplete {
		return
	}
	var e *Error
	if !errors.As(err, &e) || !e.Close {
		t.Fatalf("error %v is not a closing *Error", err)
	}
	switch e.Status {
	case 400, 414, 431, 501, 505:
	default:
		t.Fatalf("status %d", e.Status)
	}
}

// checkFields checks that parsed fields could be written back unchanged.
func checkFields(t *testing.T, fs Fields) {
	t.Helper()
	for _, f := range fs {
		if !ValidFieldName(f.Name) || !ValidFieldValue(f.Value) ||
			len(f.Value) > 0 && (f.Value[0] <= ' ' || f.Value[len(f.Value)-1] <= ' ') {
			t.Fatalf("field %q: %q", f.Name, f.Value)
		}
	}
}

func checkFraming(t *testing.T, f Framing) {
	t.Helper()
	switch {
	case f.Body == BodyNone && f.ContentLength < 0,
		f.Body == BodyLength && f.ContentLength <= 0,
		(f.Body == BodyChunked || f.Body == BodyClose) && f.ContentLength != -1,
		f.Body == BodyClose && !f.Close:
		t.Fatalf("inconsistent framing %+v", f)
	}
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range seedRequests {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var h RequestHead
		n, err := ParseRequest(data, &h, nil)
		if err != nil {
			checkHeadError(t, err)
			return
		}
		if n <= 0 || n > len(data) {
			t.Fatalf("n = %d of %d", n, len(data))
		}
		checkFields(t, h.Fields)
		checkFraming(t, h.Framing)
		if h.Body == BodyChunked && h.Minor != 1 {
			t.Fatal("chunked on HTTP/1.0")
		}
		// Every proper prefix of the head is incomplete.
		for k := range min(n, 600) {
			if _, err := ParseRequest(data[:k], new(RequestHead), nil); err != ErrIncomplete {
				t.Fatalf("prefix %d: %v", k, err)
			}
		}
		// Writing the head back and parsing it again gives the same head.
		out := append([]byte(nil), h.Method...)
		out = append(out, ' ')
		out = append(out, h.Target...)
		out = append(out, " HTTP/1."...)
		out = append(out, '0'+h.Minor, '\r', '\n')
		for _, fl := range h.Fields {
			if out, err = AppendField(out, fl.Name, fl.Value); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, "\r\n"...)
		var h2 RequestHead
		if n2, err := ParseRequest(out, &h2, nil); err != nil || n2 != len(out) {
			t.Fatalf("round trip %q: %d, %v", out, n2, err)
		}
		if !sameRequest(&h, &h2) {
			t.Fatalf("round trip differs:\n%+v\n%+v", h, h2)
		}
	})
}

func sameRequest(a, b *RequestHead) bool {
	if !bytes.Equal(a.Method, b.Method) || !bytes.Equal(a.Target, b.Target) || a.Form != b.Form ||
		a.Minor != b.Minor || a.Framing != b.Framing || !bytes.Equal(a.Host, b.Host) ||
		a.Expect100 != b.Expect100 || a.ExpectUnsupported != b.ExpectUnsupported ||
		!bytes.Equal(a.Upgrade, b.Upgrade) || len(a.Fields) != len(b.Fields) {
		return false
	}
	for i := range a.Fields {
		if !bytes.Equal(a.Fields[i].Name, b.Fields[i].Name) || !bytes.Equal(a.Fields[i].Value, b.Fields[i].Value) {
			return false
		}
	}
	return true
}

func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 204\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nbody",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
	} {
		f.Add([]byte(s), "GET")
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"), "HEAD")
	f.Add([]byte("HTTP/1.1 200 Connection established\r\n\r\n"), "CONNECT")
	f.Fuzz(func(t *testing.T, data []byte, method string) {
		var h ResponseHead
		n, err := ParseResponse(data, method, &h, nil)
		if err != nil {
			checkHeadError(t, err)
			return
		}
		if n <= 0 || n > len(data) || h.Major != 1 || h.Status < 100 || h.Status > 599 {
			t.Fatalf("n = %d of %d, head %+v", n, len(data), h)
		}
		checkFields(t, h.Fields)
		checkFraming(t, h.Framing)
		if !ValidFieldValue(h.Reason) {
			t.Fatalf("reason %q", h.Reason)
		}
		for k := range min(n, 600) {
			if _, err := ParseResponse(data[:k], method, new(ResponseHead), nil); err != ErrIncomplete {
				t.Fatalf("prefix %d: %v", k, err)
			}
		}
	})
}

func FuzzChunkedReader(f *testing.F) {
	for _, s := range []string{
		"5\r\nhello\r\n0\r\n\r\n",
		"3;a=b;c=\"d\\\"e\"\r\nabc\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n",
		"1; a = b \r\nx\r\nA\r\n0123456789\r\n0\r\n\r\nNEXT",
		"0x5\r\nhello\r\n0\r\n\r\n",
		"5\nhello\n0\n\n",
		"ffffffffffffffff\r\n",
		"0\r\nContent-Length: 1\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c ChunkedReader
		c.Reset(bufio.NewReaderSize(bytes.NewReader(data), 16), nil)
		got, err := io.ReadAll(iotestOneByte{&c})
		if err != nil {
			var e *Error
			if err != io.ErrUnexpectedEOF && !errors.As(err, &e) {
				t.Fatalf("error %v", err)
			}
			if c.Done() {
				t.Fatal("Done after error")
			}
		} else if !c.Done() {
			t.Fatal("not Done after EOF")
		}
		if c.N() != int64(len(got)) {
			t.Fatalf("N %d, read %d", c.N(), len(got))
		}
		// Discard must reach the same end as reading.
		var d ChunkedReader
		d.Reset(bufio.NewReader(bytes.NewReader(data)), nil)
		done, derr := d.Discard(1 << 40)
		if done != (err == nil) || derr != err || d.N() != c.N() {
			t.Fatalf("Discard: %v %v %d; Read: %v %d", done, derr, d.N(), err, c.N())
		}
		if err != nil {
			return
		}
		// Re-encoding gives the same data and trailers.
		enc := AppendChunk(nil, got)
		enc, werr := AppendChunkedEnd(enc, c.Trailers())
		if werr != nil {
			t.Fatalf("re-encode: %v", werr)
		}
		var c2 ChunkedReader
		c2.Reset(bufio.NewReader(bytes.NewReader(enc)), nil)
		got2, err := io.ReadAll(&c2)
		if err != nil || !bytes.Equal(got, got2) || len(c2.Trailers()) != len(c.Trailers()) {
			t.Fatalf("re-decode: %v", err)
		}
		// net/http's chunked reader is more lenient: it must agree. It
		// refuses lines of 4096 bytes or more and bodies with much more
		// framing than data, which this reader bounds differently (see
		// Limits); those are skipped.
		theirs, terr := io.ReadAll(netHTTPChunkedReader(bytes.NewReader(data)))
		if terr != nil && (strings.Contains(terr.Error(), "too much non-data") || strings.Contains(terr.Error(), "too long")) {
			return
		}
		if terr != nil || !bytes.Equal(theirs, got) {
			t.Fatalf("net/http: %q, %v; ours %q", theirs, terr, got)
		}
	})
}

// iotestOneByte reads at most one byte per Read, so that every state of the
// reader is entered with a short buffer.
type iotestOneByte struct{ r io.Reader }

func (o iotestOneByte) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}
