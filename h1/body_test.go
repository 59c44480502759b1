package h1

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

func TestBodyReader(t *testing.T) {
	for _, tc := range []struct {
		name  string
		f     Framing
		in    string
		data  string
		err   error
		done  bool
		rest  string
		trail string
	}{
		{name: "none", f: Framing{}, in: "NEXT", done: true, rest: "NEXT"},
		{name: "content-length", f: Framing{Body: BodyLength, ContentLength: 5}, in: "helloNEXT", data: "hello", done: true, rest: "NEXT"},
		{name: "content-length truncated", f: Framing{Body: BodyLength, ContentLength: 5}, in: "hel", data: "hel", err: io.ErrUnexpectedEOF},
		{name: "content-length empty input", f: Framing{Body: BodyLength, ContentLength: 1}, in: "", err: io.ErrUnexpectedEOF},
		{name: "chunked", f: Framing{Body: BodyChunked, ContentLength: -1}, in: "2\r\nhi\r\n0\r\nX: 1\r\n\r\nNEXT", data: "hi", done: true, rest: "NEXT", trail: "X"},
		{name: "chunked truncated", f: Framing{Body: BodyChunked, ContentLength: -1}, in: "2\r\nhi\r\n", data: "hi", err: io.ErrUnexpectedEOF},
		{name: "close-delimited", f: Framing{Body: BodyClose, ContentLength: -1, Close: true}, in: "all of it", data: "all of it", done: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b BodyReader
			br := bufio.NewReader(strings.NewReader(tc.in))
			b.Reset(br, tc.f, nil)
			data, err := io.ReadAll(&b)
			if string(data) != tc.data || err != tc.err {
				t.Fatalf("data %q err %v", data, err)
			}
			if b.Done() != tc.done || b.N() != int64(len(tc.data)) {
				t.Errorf("Done %v N %d", b.Done(), b.N())
			}
			if _, err2 := b.Read(make([]byte, 1)); tc.err != nil && err2 != tc.err {
				t.Errorf("error not sticky: %v", err2)
			}
			rest, _ := io.ReadAll(br)
			if tc.done && string(rest) != tc.rest {
				t.Errorf("rest %q", rest)
			}
			if tc.trail != "" {
				if _, ok := b.Trailers().Get(tc.trail); !ok {
					t.Errorf("trailer %s missing", tc.trail)
				}
			}
		})
	}
}

// TestBodyReaderLengthEOF checks that the last bytes of a Content-Length
// body come with io.EOF, so a server knows at once that the body is done.
func TestBodyReaderLengthEOF(t *testing.T) {
	var b BodyReader
	b.Reset(bufio.NewReader(strings.NewReader("abcdef")), Framing{Body: BodyLength, ContentLength: 4}, nil)
	p := make([]byte, 10)
	n, err := b.Read(p)
	if n != 4 || err != io.EOF || !b.Done() || b.Remaining() != 0 {
		t.Errorf("n %d err %v Done %v Remaining %d", n, err, b.Done(), b.Remaining())
	}
}

func TestBodyReaderDiscard(t *testing.T) {
	for _, tc := range []struct {
		name    string
		f       Framing
		in      string
		max     int64
		done    bool
		err     error
		n, rest int64
	}{
		{name: "length within budget", f: Framing{Body: BodyLength, ContentLength: 5}, in: "helloNEXT", max: 5, done: true, n: 5, rest: 4},
		{name: "length over budget not read", f: Framing{Body: BodyLength, ContentLength: 5}, in: "helloNEXT", max: 4, n: 0, rest: 9},
		{name: "length truncated", f: Framing{Body: BodyLength, ContentLength: 5}, in: "hel", max: 10, err: io.ErrUnexpectedEOF, n: 3},
		{name: "chunked within budget", f: Framing{Body: BodyChunked, ContentLength: -1}, in: "5\r\nhello\r\n0\r\n\r\nNEXT", max: 5, done: true, n: 5, rest: 4},
		{name: "chunked over budget", f: Framing{Body: BodyChunked, ContentLength: -1}, in: "5\r\nhello\r\n0\r\n\r\nNEXT", max: 3, n: 3, rest: 13},
		{name: "close-delimited", f: Framing{Body: BodyClose, ContentLength: -1}, in: "hello", max: 10, done: true, n: 5},
		{name: "close-delimited over budget", f: Framing{Body: BodyClose, ContentLength: -1}, in: "hello", max: 2, n: 2, rest: 3},
		{name: "none", f: Framing{}, in: "NEXT", max: 0, done: true, rest: 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b BodyReader
			br := bufio.NewReader(strings.NewReader(tc.in))
			b.Reset(br, tc.f, nil)
			done, err := b.Discard(tc.max)
			rest, _ := io.ReadAll(br)
			if done != tc.done || err != tc.err || b.N() != tc.n || int64(len(rest)) != tc.rest {
				t.Errorf("done %v err %v N %d rest %q", done, err, b.N(), rest)
			}
		})
	}
}

func TestBodyReaderRemaining(t *testing.T) {
	var b BodyReader
	b.Reset(bufio.NewReader(strings.NewReader("abcdef")), Framing{Body: BodyLength, ContentLength: 6}, nil)
	b.Read(make([]byte, 2))
	if b.Remaining() != 4 {
		t.Errorf("Remaining = %d", b.Remaining())
	}
	b.Reset(bufio.NewReader(strings.NewReader("1\r\na\r\n0\r\n\r\n")), Framing{Body: BodyChunked, ContentLength: -1}, nil)
	if b.Remaining() != -1 {
		t.Errorf("chunked Remaining = %d", b.Remaining())
	}
	io.ReadAll(&b)
	if b.Remaining() != 0 {
		t.Errorf("chunked Remaining after end = %d", b.Remaining())
	}
}
