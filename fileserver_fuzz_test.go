package turbohttp

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"strings"
	"testing"
)

// FuzzServeContentRange serves content of size bytes with arbitrary Range
// and If-Range fields and checks the answer against the content: a known
// status, a Content-Length equal to the body, and every byte served
// (single range or multipart part) at the offset its Content-Range names.
func FuzzServeContentRange(f *testing.F) {
	for _, seed := range []string{"bytes=0-4", "bytes=-3", "bytes=10-", "bytes=0-1,5-6", "bytes=0-4,2-8",
		"bytes=99-", "bytes=5-2", "bytes=+1-2", "bytes=-0", "BYTES=1-1", "bytes=", "bytes=1-2,,,3-4, 7 - 9"} {
		f.Add(uint16(26), seed, "")
	}
	f.Add(uint16(0), "bytes=-5", "")
	f.Add(uint16(26), "bytes=0-0", fsModDate)
	f.Fuzz(func(t *testing.T, size uint16, rangeField, ifRange string) {
		data := make([]byte, size%2048)
		for i := range data {
			data[i] = byte(i*7 + i>>8)
		}
		r := fsReq("GET", "/", "Range", rangeField)
		if ifRange != "" {
			r.Header.Add("If-Range", ifRange)
		}
		rec := &fsRecorder{t: t, method: "GET"}
		ServeContent(rec, r, "f.txt", fsModTime, bytes.NewReader(data))
		if cl := rec.get("Content-Length"); cl != fmt.Sprint(rec.body.Len()) {
			t.Fatalf("Content-Length %q, body %d bytes", cl, rec.body.Len())
		}
		switch rec.code {
		case StatusOK:
			if !bytes.Equal(rec.body.Bytes(), data) {
				t.Fatalf("200 body is not the content")
			}
		case StatusPartialContent:
			fsCheckPartial(t, rec, data)
		case StatusRangeNotSatisfiable:
		default:
			t.Fatalf("status %d", rec.code)
		}
	})
}

// fsCheckPartial checks that a 206 response serves the bytes its
// Content-Range fields name.
func fsCheckPartial(t *testing.T, rec *fsRecorder, data []byte) {
	if cr := rec.get("Content-Range"); cr != "" {
		fsCheckRange(t, cr, rec.body.Bytes(), data)
		return
	}
	_, params, err := mime.ParseMediaType(rec.get("Content-Type"))
	if err != nil {
		t.Fatalf("206 Content-Type %q: %v", rec.get("Content-Type"), err)
	}
	mr := multipart.NewReader(bytes.NewReader(rec.body.Bytes()), params["boundary"])
	n := 0
	for ; ; n++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		fsCheckRange(t, p.Header.Get("Content-Range"), b, data)
	}
	if n < 2 || n > MaxServedRanges {
		t.Fatalf("multipart with %d parts", n)
	}
}

func fsCheckRange(t *testing.T, contentRange string, got, data []byte) {
	var first, last, size int
	if _, err := fmt.Sscanf(contentRange, "bytes %d-%d/%d", &first, &last, &size); err != nil {
		t.Fatalf("Content-Range %q: %v", contentRange, err)
	}
	if size != len(data) || first < 0 || first > last || last >= size || !bytes.Equal(got, data[first:last+1]) {
		t.Fatalf("Content-Range %q with %d bytes %q", contentRange, len(got), got)
	}
}

// FuzzFileServerPath serves arbitrary request paths from
// testdata/fileserver/docs and checks that nothing from outside it is
// ever served, and that every answer is one the rules allow.
func FuzzFileServerPath(f *testing.F) {
	for _, seed := range []string{"/", "/readme.md", "/../alphabet.txt", "/%2e%2e/alphabet.txt", "/sub",
		"/sub/", "/x%20y.txt", "/q&a%20%3Cb%3E.txt", `/a\b`, "/a%00", "/%zz", "/sub/deep.txt/", "/index.html",
		"//sub//../readme.md", "readme.md"} {
		f.Add(seed)
	}
	outside, err := os.ReadFile("testdata/fileserver/alphabet.txt")
	if err != nil {
		f.Fatal(err)
	}
	h := FileServer(os.DirFS("testdata/fileserver/docs"))
	f.Fuzz(func(t *testing.T, target string) {
		r := fsReq("GET", "")
		r.URL.Path = []byte(target)
		rec := &fsRecorder{t: t, method: "GET"}
		h.ServeHTTP(rec, r)
		switch rec.code {
		case StatusOK:
			if bytes.Contains(rec.body.Bytes(), outside[:26]) {
				t.Fatalf("%q served a file outside the root", target)
			}
		case StatusMovedPermanently:
			if loc := rec.get("Location"); loc == "" || strings.ContainsAny(loc, "\r\n\x00") {
				t.Fatalf("%q: Location %q", target, loc)
			}
		case StatusBadRequest, StatusNotFound:
		default:
			t.Fatalf("%q: status %d %q", target, rec.code, rec.body.String())
		}
		if cl := rec.get("Content-Length"); cl != fmt.Sprint(rec.body.Len()) {
			t.Fatalf("%q: Content-Length %q, body %d bytes", target, cl, rec.body.Len())
		}
	})
}
