package h1

import (
	"bufio"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func readChunked(in string, lim *Limits) (*ChunkedReader, string, error) {
	var c ChunkedReader
	c.Reset(bufio.NewReader(strings.NewReader(in)), lim)
	data, err := io.ReadAll(&c)
	return &c, string(data), err
}

func TestChunkedReader(t *testing.T) {
	for _, tc := range []struct {
		name, in, data, trailers, rest string
	}{
		{name: "one chunk", in: "5\r\nhello\r\n0\r\n\r\n", data: "hello"},
		{name: "several chunks", in: "3\r\nabc\r\n1\r\nd\r\nA\r\n0123456789\r\n0\r\n\r\n", data: "abcd0123456789"},
		{name: "empty body", in: "0\r\n\r\n"},
		{name: "upper and lower hex", in: "a\r\n0123456789\r\nB\r\n0123456789a\r\n0\r\n\r\n", data: "01234567890123456789a"},
		{name: "leading zeros", in: "0005\r\nhello\r\n000\r\n\r\n", data: "hello"},
		{name: "sixteen digits", in: "0000000000000003\r\nabc\r\n0\r\n\r\n", data: "abc"},
		{name: "extension", in: "5;name\r\nhello\r\n0;a=b\r\n\r\n", data: "hello"},
		{name: "extensions with BWS and quoted values", in: "5; a = b ;c=\"x y\\\"z\"\t;d\r\nhello\r\n0\r\n\r\n", data: "hello"},
		{name: "trailers", in: "5\r\nhello\r\n0\r\nX-Sum: abc \r\nx-other: 1\r\n\r\n", data: "hello", trailers: "X-Sum=abc|x-other=1"},
		{name: "next message stays", in: "1\r\na\r\n0\r\n\r\nGET / HTTP/1.1\r\n", data: "a", rest: "GET / HTTP/1.1\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c ChunkedReader
			br := bufio.NewReader(strings.NewReader(tc.in))
			c.Reset(br, nil)
			data, err := io.ReadAll(&c)
			if err != nil || string(data) != tc.data {
				t.Fatalf("data %q, err %v", data, err)
			}
			var tr []string
			for _, f := range c.Trailers() {
				tr = append(tr, string(f.Name)+"="+string(f.Value))
			}
			if strings.Join(tr, "|") != tc.trailers {
				t.Errorf("trailers %q", tr)
			}
			rest, _ := io.ReadAll(br)
			if !c.Done() || c.N() != int64(len(tc.data)) || string(rest) != tc.rest {
				t.Errorf("Done %v N %d rest %q", c.Done(), c.N(), rest)
			}
		})
	}
}

func TestChunkedReaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		err      error
	}{
		{"chunk-size overflow", "8000000000000000\r\n", ErrChunkSizeOverflow},
		{"chunk-size seventeen digits", "00000000000000001\r\n", ErrChunkSizeOverflow},
		{"0x size prefix", "0x5\r\nhello\r\n0\r\n\r\n", ErrBadChunkSize},
		{"empty size", "\r\nhello\r\n0\r\n\r\n", ErrBadChunkSize},
		{"negative size", "-5\r\nhello\r\n0\r\n\r\n", ErrBadChunkSize},
		{"plus size", "+5\r\nhello\r\n0\r\n\r\n", ErrBadChunkSize},
		{"leading space in size", " 5\r\nhello\r\n0\r\n\r\n", ErrBadChunkSize},
		{"trailing space after size", "5 \r\nhello\r\n0\r\n\r\n", ErrBadChunkSize},
		{"space between size and extension", "5 ;a\r\nhello\r\n0\r\n\r\n", ErrBadChunkSize},
		{"non-hex size", "5g\r\nhello\r\n0\r\n\r\n", ErrBadChunkSize},
		{"bare LF after chunk size", "5\nhello\r\n0\r\n\r\n", ErrBareLF},
		{"bare CR after chunk size", "5\rhello\r\n0\r\n\r\n", ErrBareCR},
		{"bare LF after chunk data", "5\r\nhello\n0\r\n\r\n", ErrBadChunkEnd},
		{"data longer than size", "5\r\nhello!\r\n0\r\n\r\n", ErrBadChunkEnd},
		{"missing CRLF after data", "5\r\nhello0\r\n\r\n", ErrBadChunkEnd},
		{"bare LF after last chunk", "0\n\r\n", ErrBareLF},
		{"bare LF ending trailers", "0\r\n\n", ErrBareLF},
		{"bare LF in trailer", "0\r\nX: y\n\r\n", ErrBareLF},
		{"bare CR in trailer", "0\r\nX: y\rZ\r\n\r\n", ErrBareCR},
		{"extension without name", "5;\r\nhello\r\n0\r\n\r\n", ErrBadChunkExtension},
		{"extension name not a token", "5;a@b\r\nhello\r\n0\r\n\r\n", ErrBadChunkExtension},
		{"extension empty value", "5;a=\r\nhello\r\n0\r\n\r\n", ErrBadChunkExtension},
		{"extension unterminated quote", "5;a=\"b\r\nhello\r\n0\r\n\r\n", ErrBadChunkExtension},
		{"extension NUL", "5;a=b\x00\r\nhello\r\n0\r\n\r\n", ErrBadChunkExtension},
		{"extension bare LF", "5;a=b\nhello\r\n0\r\n\r\n", ErrBareLF},
		{"extension too long", "5;a=" + strings.Repeat("b", 4<<10) + "\r\nhello\r\n0\r\n\r\n", ErrChunkExtTooLong},
		{"extensions too long in total", strings.Repeat("1;a="+strings.Repeat("b", 4000)+"\r\nx\r\n", 17) + "0\r\n\r\n", ErrChunkExtTooLong},
		{"trailers carrying Content-Length", "0\r\nContent-Length: 5\r\n\r\n", ErrForbiddenTrailer},
		{"trailers carrying Transfer-Encoding", "0\r\ntransfer-encoding: chunked\r\n\r\n", ErrForbiddenTrailer},
		{"trailers carrying Host", "0\r\nHost: evil\r\n\r\n", ErrForbiddenTrailer},
		{"trailers carrying Trailer", "0\r\nTrailer: X\r\n\r\n", ErrForbiddenTrailer},
		{"trailer obs-fold", "0\r\nX: a\r\n b\r\n\r\n", ErrObsFold},
		{"trailer whitespace before colon", "0\r\nX : a\r\n\r\n", ErrSpaceBeforeColon},
		{"trailer NUL", "0\r\nX: a\x00\r\n\r\n", ErrBadFieldValue},
		{"trailer section too large", "0\r\nX: " + strings.Repeat("a", 16<<10) + "\r\n\r\n", ErrTrailerTooLarge},
		{"too many trailers", "0\r\n" + strings.Repeat("X: a\r\n", 101) + "\r\n", ErrTooManyTrailers},
		{"truncated in size", "5", io.ErrUnexpectedEOF},
		{"truncated in data", "5\r\nhel", io.ErrUnexpectedEOF},
		{"truncated before data CRLF", "5\r\nhello", io.ErrUnexpectedEOF},
		{"truncated before last chunk", "5\r\nhello\r\n", io.ErrUnexpectedEOF},
		{"truncated in trailers", "0\r\nX: a\r\n", io.ErrUnexpectedEOF},
		{"truncated before final CRLF", "0\r\n", io.ErrUnexpectedEOF},
		{"truncated in extension", "5;a=\"b", io.ErrUnexpectedEOF},
		{"empty input", "", io.ErrUnexpectedEOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := readChunked(tc.in, nil)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if c.Done() {
				t.Error("Done after an error")
			}
			if _, err2 := c.Read(make([]byte, 1)); err2 != err {
				t.Errorf("error not sticky: %v", err2)
			}
			var e *Error
			if errors.As(err, &e) && (e.Status != tc.err.(*Error).Status || !e.Close) {
				t.Errorf("status %d close %v", e.Status, e.Close)
			}
		})
	}
}

// TestChunkedReaderLimits checks each chunked limit at its edge.
func TestChunkedReaderLimits(t *testing.T) {
	lim := &Limits{MaxChunkExtBytes: 4, MaxChunkExtTotal: 6, MaxTrailerBytes: 10, MaxTrailerFields: 1}
	for _, tc := range []struct {
		name, in string
		err      error
	}{
		{"extension at per-chunk limit", "1;a=b\r\nx\r\n0\r\n\r\n", nil},
		{"extension over per-chunk limit", "1;a=bc\r\nx\r\n0\r\n\r\n", ErrChunkExtTooLong},
		{"extensions at total limit", "1;a=b\r\nx\r\n0;c\r\n\r\n", nil},
		{"extensions over total limit", "1;a=b\r\nx\r\n0;cd\r\n\r\n", ErrChunkExtTooLong},
		{"trailer at byte limit", "0\r\nX: 123\r\n\r\n", nil},
		{"trailer over byte limit", "0\r\nX: 1234\r\n\r\n", ErrTrailerTooLarge},
		{"trailers at field limit", "0\r\nX:1\r\n\r\n", nil},
		{"trailers over field limit", "0\r\nX:\r\nY:\r\n\r\n", ErrTooManyTrailers},
	} {
		if _, _, err := readChunked(tc.in, lim); err != tc.err {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.err)
		}
	}
}

func TestChunkedReaderDiscard(t *testing.T) {
	in := "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nNEXT"
	var c ChunkedReader
	br := bufio.NewReader(strings.NewReader(in))
	c.Reset(br, nil)
	if done, err := c.Discard(7); done || err != nil {
		t.Fatalf("Discard(7) = %v, %v", done, err)
	}
	if c.N() != 7 {
		t.Errorf("N = %d", c.N())
	}
	if done, err := c.Discard(100); !done || err != nil || c.N() != 11 {
		t.Fatalf("Discard(100) = %v, %v, N %d", done, err, c.N())
	}
	if rest, _ := io.ReadAll(br); string(rest) != "NEXT" {
		t.Errorf("rest %q", rest)
	}
	c.Reset(bufio.NewReader(strings.NewReader("5\r\nhel")), nil)
	if done, err := c.Discard(100); done || err != io.ErrUnexpectedEOF {
		t.Errorf("truncated Discard = %v, %v", done, err)
	}
}

// TestChunkedReaderTrailersReset checks that trailers are copies that
// survive the bufio.Reader moving on, until Reset.
func TestChunkedReaderTrailersReset(t *testing.T) {
	var c ChunkedReader
	br := bufio.NewReaderSize(strings.NewReader("0\r\nX-A: 1\r\n\r\n"+strings.Repeat("z", 64)), 16)
	c.Reset(br, nil)
	if _, err := io.ReadAll(&c); err != nil {
		t.Fatal(err)
	}
	io.ReadAll(br) // overwrite the bufio buffer
	if v, ok := c.Trailers().Get("x-a"); !ok || string(v) != "1" {
		t.Errorf("trailer %q %v", v, ok)
	}
	c.Reset(br, nil)
	if len(c.Trailers()) != 0 || c.Done() || c.N() != 0 {
		t.Error("Reset kept state")
	}
}

// One Read returns the data of every chunk already buffered, stopping at a
// chunk it cannot parse without blocking or without the careful path
// (extensions, the last chunk).
func TestChunkedReaderReadsBufferedChunksAtOnce(t *testing.T) {
	body := "3\r\nabc\r\n2\r\nde\r\n1;ext=1\r\nf\r\n4\r\nghij\r\n0\r\nX-T: 1\r\n\r\nNEXT"
	var c ChunkedReader
	br := bufio.NewReader(strings.NewReader(body))
	c.Reset(br, nil)
	p := make([]byte, 64)
	var got []string
	for {
		n, err := c.Read(p)
		if n > 0 {
			got = append(got, string(p[:n]))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"abcde", "fghij"}; !slices.Equal(got, want) {
		t.Errorf("reads %q, want %q", got, want)
	}
	if rest, _ := io.ReadAll(br); string(rest) != "NEXT" || !c.Done() || string(c.Trailers()[0].Value) != "1" {
		t.Errorf("after the body: %q, done %v", rest, c.Done())
	}
	// A size too large for an int64 is refused, whichever path meets it.
	c.Reset(bufio.NewReader(strings.NewReader("1\r\na\r\n8000000000000000\r\n")), nil)
	if _, err := io.ReadAll(&c); err != ErrChunkSizeOverflow {
		t.Errorf("overflowing size: %v", err)
	}
}
