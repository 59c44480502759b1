package h1

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestAppendRequestHead(t *testing.T) {
	fields := []Field{{[]byte("User-Agent"), []byte("t/1")}, {[]byte("Accept"), []byte("*/*")}}
	for _, tc := range []struct {
		name   string
		length int64
		want   string
	}{
		{"no body", NoBody, "GET /x?y HTTP/1.1\r\nHost: a.example:8080\r\nUser-Agent: t/1\r\nAccept: */*\r\n\r\n"},
		{"content-length", 12, "GET /x?y HTTP/1.1\r\nHost: a.example:8080\r\nUser-Agent: t/1\r\nAccept: */*\r\nContent-Length: 12\r\n\r\n"},
		{"zero length", 0, "GET /x?y HTTP/1.1\r\nHost: a.example:8080\r\nUser-Agent: t/1\r\nAccept: */*\r\nContent-Length: 0\r\n\r\n"},
		{"chunked", Chunked, "GET /x?y HTTP/1.1\r\nHost: a.example:8080\r\nUser-Agent: t/1\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\n\r\n"},
	} {
		got, err := AppendRequestHead([]byte("prefix"), "GET", "/x?y", "a.example:8080", fields, tc.length)
		if err != nil || string(got) != "prefix"+tc.want {
			t.Errorf("%s: %q, %v", tc.name, got, err)
		}
	}
}

func TestAppendResponseHead(t *testing.T) {
	date := []byte("Sun, 06 Nov 1994 08:49:37 GMT")
	fields := []Field{{[]byte("Content-Type"), []byte("text/plain")}}
	for _, tc := range []struct {
		code   int
		date   []byte
		length int64
		want   string
	}{
		{200, date, 5, "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"},
		{404, nil, Chunked, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"},
		{204, nil, NoBody, "HTTP/1.1 204 No Content\r\nContent-Type: text/plain\r\n\r\n"},
		{299, nil, NoBody, "HTTP/1.1 299 \r\nContent-Type: text/plain\r\n\r\n"},
	} {
		got, err := AppendResponseHead(nil, tc.code, tc.date, fields, tc.length)
		if err != nil || string(got) != tc.want {
			t.Errorf("%d: %q, %v", tc.code, got, err)
		}
	}
}

// TestWritersRefuseInjection checks that no name, value, method or target
// can smuggle a line or a message into a head.
func TestWritersRefuseInjection(t *testing.T) {
	f := func(n, v string) []Field { return []Field{{[]byte(n), []byte(v)}} }
	for _, tc := range []struct {
		name string
		err  error
		call func() ([]byte, error)
	}{
		{"CRLF in value", ErrInvalidFieldValue, func() ([]byte, error) { return AppendField(nil, "X", "a\r\nEvil: 1") }},
		{"LF in value", ErrInvalidFieldValue, func() ([]byte, error) { return AppendField(nil, "X", "a\nb") }},
		{"CR in value", ErrInvalidFieldValue, func() ([]byte, error) { return AppendField(nil, "X", "a\rb") }},
		{"NUL in value", ErrInvalidFieldValue, func() ([]byte, error) { return AppendField(nil, "X", "a\x00b") }},
		{"colon in name", ErrInvalidFieldName, func() ([]byte, error) { return AppendField(nil, "X: y\r\nZ", "v") }},
		{"space in name", ErrInvalidFieldName, func() ([]byte, error) { return AppendField(nil, "X Y", "v") }},
		{"empty name", ErrInvalidFieldName, func() ([]byte, error) { return AppendField(nil, "", "v") }},
		{"NUL in name", ErrInvalidFieldName, func() ([]byte, error) { return AppendField(nil, "X\x00", "v") }},
		{"space in method", ErrInvalidMethod, func() ([]byte, error) { return AppendRequestLine(nil, "GET /", "/") }},
		{"space in target", ErrInvalidTarget, func() ([]byte, error) { return AppendRequestLine(nil, "GET", "/ HTTP/1.1\r\n") }},
		{"empty target", ErrInvalidTarget, func() ([]byte, error) { return AppendRequestLine(nil, "GET", "") }},
		{"CRLF in host", ErrInvalidFieldValue, func() ([]byte, error) {
			return AppendRequestHead(nil, "GET", "/", "a\r\nX: y", nil, NoBody)
		}},
		{"field value in request head", ErrInvalidFieldValue, func() ([]byte, error) {
			return AppendRequestHead(nil, "GET", "/", "a", f("X", "\r\n"), NoBody)
		}},
		{"Content-Length in fields", ErrFramingField, func() ([]byte, error) {
			return AppendRequestHead(nil, "GET", "/", "a", f("content-length", "5"), 3)
		}},
		{"Host in fields", ErrFramingField, func() ([]byte, error) {
			return AppendRequestHead(nil, "GET", "/", "a", f("Host", "b"), NoBody)
		}},
		{"Transfer-Encoding in response fields", ErrFramingField, func() ([]byte, error) {
			return AppendResponseHead(nil, 200, nil, f("Transfer-Encoding", "chunked"), 3)
		}},
		{"CRLF in date", ErrInvalidFieldValue, func() ([]byte, error) {
			return AppendResponseHead(nil, 200, []byte("x\r\n"), nil, 3)
		}},
		{"status 1000", ErrInvalidStatus, func() ([]byte, error) { return AppendStatusLine(nil, 1000) }},
		{"status 99", ErrInvalidStatus, func() ([]byte, error) { return AppendStatusLine(nil, 99) }},
		{"Content-Length trailer", ErrInvalidTrailer, func() ([]byte, error) { return AppendChunkedEnd(nil, f("Content-Length", "1")) }},
		{"CRLF in trailer", ErrInvalidFieldValue, func() ([]byte, error) { return AppendChunkedEnd(nil, f("X", "a\r\n")) }},
	} {
		if _, err := tc.call(); err != tc.err {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.err)
		}
	}
}

func TestValidField(t *testing.T) {
	if !ValidFieldName("X-Ok") || ValidFieldName("X Ok") || ValidFieldName("") || ValidFieldName([]byte("a:b")) {
		t.Error("ValidFieldName")
	}
	if !ValidFieldValue("a\tb \xff") || ValidFieldValue("a\rb") || ValidFieldValue([]byte("a\x00")) || ValidFieldValue("\x7f") {
		t.Error("ValidFieldValue")
	}
}

func TestAppendChunk(t *testing.T) {
	got := AppendChunk(nil, []byte("hello"))
	got = AppendChunk(got, []byte(nil))
	got = AppendChunk(got, bytes.Repeat([]byte("x"), 26))
	got, err := AppendChunkedEnd(got, []Field{{[]byte("X-Sum"), []byte("1")}})
	want := "5\r\nhello\r\n1a\r\n" + strings.Repeat("x", 26) + "\r\n0\r\nX-Sum: 1\r\n\r\n"
	if err != nil || string(got) != want {
		t.Errorf("%q, %v", got, err)
	}
}

// TestChunkedWriterRoundTrip writes a body with ChunkedWriter and reads it
// back with ChunkedReader.
func TestChunkedWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	var cw ChunkedWriter
	cw.Reset(&buf)
	for _, s := range []string{"hello, ", "", "world", strings.Repeat("z", 5000)} {
		if n, err := cw.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	if err := cw.CloseWithTrailers([]Field{{[]byte("X-A"), []byte("1")}, {[]byte("X-B"), []byte("two words")}}); err != nil {
		t.Fatal(err)
	}
	var c ChunkedReader
	c.Reset(bufio.NewReader(&buf), nil)
	data, err := io.ReadAll(&c)
	if err != nil || string(data) != "hello, world"+strings.Repeat("z", 5000) {
		t.Fatalf("read back: %v", err)
	}
	if v, _ := c.Trailers().Get("x-b"); string(v) != "two words" || len(c.Trailers()) != 2 {
		t.Errorf("trailers %v", c.Trailers())
	}
	buf.Reset()
	cw.Reset(&buf)
	cw.Close()
	if buf.String() != "0\r\n\r\n" {
		t.Errorf("Close wrote %q", buf.String())
	}
	if err := cw.CloseWithTrailers([]Field{{[]byte("Host"), []byte("x")}}); err != ErrInvalidTrailer {
		t.Errorf("forbidden trailer: %v", err)
	}
}

// TestGoldenRoundTrip writes heads and parses them back.
func TestGoldenRoundTrip(t *testing.T) {
	fields := []Field{{[]byte("Accept"), []byte("text/html")}, {[]byte("Connection"), []byte("close")}}
	for _, length := range []int64{NoBody, 0, 7, Chunked} {
		b, err := AppendRequestHead(nil, "POST", "/submit?a=1", "example.com", fields, length)
		if err != nil {
			t.Fatal(err)
		}
		var h RequestHead
		n, err := ParseRequest(b, &h, nil)
		if err != nil || n != len(b) {
			t.Fatalf("parse %q: %v", b, err)
		}
		want, nfields := Framing{Close: true}, 4
		if length == NoBody {
			nfields = 3 // Host, Accept, Connection
		}
		switch {
		case length > 0:
			want.Body, want.ContentLength = BodyLength, length
		case length == Chunked:
			want.Body, want.ContentLength = BodyChunked, -1
		}
		if string(h.Method) != "POST" || string(h.Target) != "/submit?a=1" || string(h.Host) != "example.com" ||
			h.Framing != want || len(h.Fields) != nfields {
			t.Errorf("length %d: %+v", length, h)
		}
	}
	b, err := AppendResponseHead(nil, 200, []byte("Sun, 06 Nov 1994 08:49:37 GMT"), fields[:1], 42)
	if err != nil {
		t.Fatal(err)
	}
	var r ResponseHead
	if n, err := ParseResponse(b, "GET", &r, nil); err != nil || n != len(b) || r.Status != 200 ||
		string(r.Reason) != "OK" || r.ContentLength != 42 || r.Body != BodyLength {
		t.Errorf("response: %+v %v", r, err)
	}
}
