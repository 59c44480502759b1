package turbohttp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// fsRecorder is a ResponseWriter that records the response. It checks the
// contract a handler must keep: one final status, no body for HEAD, 304,
// or after an error, and the head frozen once sent.
type fsRecorder struct {
	t       *testing.T
	method  string
	header  Header
	trailer Header
	sent    Header // the header as it was when the head was sent
	code    int
	body    bytes.Buffer
}

func (rec *fsRecorder) Header() *Header  { return &rec.header }
func (rec *fsRecorder) Trailer() *Header { return &rec.trailer }

func (rec *fsRecorder) WriteHeader(code int) {
	if rec.code != 0 {
		rec.t.Errorf("WriteHeader(%d) after WriteHeader(%d)", code, rec.code)
		return
	}
	rec.code = code
	rec.header.CopyTo(&rec.sent)
}

func (rec *fsRecorder) Write(p []byte) (int, error) {
	if rec.code == 0 {
		rec.WriteHeader(StatusOK)
	}
	if rec.method == MethodHead || !statusAllowsBody(rec.code) {
		rec.t.Errorf("%d bytes of body written for %s with status %d", len(p), rec.method, rec.code)
		return 0, ErrBodyNotAllowed
	}
	return rec.body.Write(p)
}

func (rec *fsRecorder) WriteString(s string) (int, error) { return rec.Write([]byte(s)) }

func (rec *fsRecorder) Flush() error {
	if rec.code == 0 {
		rec.WriteHeader(StatusOK)
	}
	return nil
}

// get returns a field of the head as sent.
func (rec *fsRecorder) get(name string) string { return rec.sent.Get(name) }

// fsFields renders h for failure messages.
func fsFields(h *Header) string {
	var b strings.Builder
	for name, value := range h.All() {
		fmt.Fprintf(&b, "%s: %s\n", name, value)
	}
	return b.String()
}

// fsReq builds a request for target ("/path?query") with header fields
// given as name, value pairs.
func fsReq(method, target string, fields ...string) *Request {
	r := &Request{Method: method, ProtoMajor: 1, ProtoMinor: 1}
	p, q, hasQuery := strings.Cut(target, "?")
	r.URL.Path = []byte(p)
	if hasQuery {
		r.URL.RawQuery = []byte(q)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		r.Header.Add(fields[i], fields[i+1])
	}
	return r
}

// serveFS runs h on r and checks what every response must satisfy:
// a status, a Content-Length (but on 304) equal to the body's length for
// any method but HEAD.
func serveFS(t *testing.T, h Handler, r *Request) *fsRecorder {
	t.Helper()
	rec := &fsRecorder{t: t, method: r.Method}
	h.ServeHTTP(rec, r)
	if rec.code == 0 {
		t.Fatalf("%s %s: no response", r.Method, r.URL.Path)
	}
	cl := rec.get("Content-Length")
	switch {
	case rec.code == StatusNotModified:
		if cl != "" {
			t.Errorf("%s %s: 304 with Content-Length %s", r.Method, r.URL.Path, cl)
		}
	case cl == "":
		t.Errorf("%s %s: %d without Content-Length", r.Method, r.URL.Path, rec.code)
	case r.Method != MethodHead && cl != fmt.Sprint(rec.body.Len()):
		t.Errorf("%s %s: Content-Length %s, body %d bytes", r.Method, r.URL.Path, cl, rec.body.Len())
	}
	return rec
}

var fsModTime = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

const fsModDate = "Mon, 06 May 2024 07:08:09 GMT"

func testMapFS() fstest.MapFS {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), ModTime: fsModTime} }
	dir := &fstest.MapFile{Mode: fs.ModeDir | 0o755, ModTime: fsModTime}
	return fstest.MapFS{
		"hello.txt":        file("Hello, world!\n"),
		"alphabet.txt":     file("abcdefghijklmnopqrstuvwxyz"),
		"empty.txt":        file(""),
		"style.css":        file("p { margin: 0 }\n"),
		"page":             file("\n <HTML><body>sniffed</body>"),
		"picture":          file("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		"blob.unknownext":  file("\x00\x01\x02\x03"),
		"undated.txt":      {Data: []byte("no date\n")},
		"dir/index.html":   file("<p>index</p>\n"),
		"dir/other.css":    file("a {}\n"),
		"odd/index.html/x": file("index.html is a directory here"),
		"c:dir/f.txt":      file("colon\n"),
		"list":             dir,
		"list/b.txt":       file("b"),
		"list/a.txt":       file("a"),
		"list/sub/c.txt":   file("c"),
		`list/<x>&"y".txt`: file("x"),
		"list/a b?#%.txt":  file("q"),
		"list/c:d.txt":     file("c"),
	}
}

func TestFileServerServesFile(t *testing.T) {
	rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", "/hello.txt"))
	if rec.code != StatusOK || rec.body.String() != "Hello, world!\n" {
		t.Fatalf("got %d %q", rec.code, rec.body.String())
	}
	want := map[string]string{
		"Content-Type":   "text/plain; charset=utf-8",
		"Content-Length": "14",
		"Last-Modified":  fsModDate,
		"ETag":           fmt.Sprintf(`"%x-e"`, fsModTime.UnixNano()),
		"Accept-Ranges":  "bytes",
	}
	for name, v := range want {
		if got := rec.get(name); got != v {
			t.Errorf("%s: %q, want %q", name, got, v)
		}
	}
}

func TestFileServerHead(t *testing.T) {
	rec := serveFS(t, FileServer(testMapFS()), fsReq("HEAD", "/hello.txt"))
	if rec.code != StatusOK || rec.body.Len() != 0 || rec.get("Content-Length") != "14" {
		t.Fatalf("got %d, Content-Length %q, body %q", rec.code, rec.get("Content-Length"), rec.body.String())
	}
	if rec.get("Content-Type") != "text/plain; charset=utf-8" || rec.get("ETag") == "" {
		t.Errorf("HEAD lacks the GET fields: %v", fsFields(&rec.sent))
	}
}

func TestFileServerMethodNotAllowed(t *testing.T) {
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"} {
		rec := serveFS(t, FileServer(testMapFS()), fsReq(m, "/hello.txt"))
		if rec.code != StatusMethodNotAllowed || rec.get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d, Allow %q; want 405, \"GET, HEAD\"", m, rec.code, rec.get("Allow"))
		}
		if strings.Contains(rec.body.String(), "Hello") {
			t.Errorf("%s: served the file", m)
		}
	}
}

func TestFileServerNotFound(t *testing.T) {
	for _, target := range []string{"/missing.txt", "/hello.txt/x", "/dir/missing/", "/list/sub/c.txt/d"} {
		rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", target))
		if rec.code != StatusNotFound || rec.body.String() != "404 page not found\n" {
			t.Errorf("%s: %d %q, want 404", target, rec.code, rec.body.String())
		}
		if rec.get("Content-Type") != "text/plain; charset=utf-8" || rec.get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: error head %v", target, fsFields(&rec.sent))
		}
	}
}

// errFS fails every Open with err.
type errFS struct{ err error }

func (e errFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: "/srv/secret/" + name, Err: e.err}
}

func TestFileServerErrorsRevealNothing(t *testing.T) {
	tests := []struct {
		err  error
		code int
		body string
	}{
		{fs.ErrNotExist, StatusNotFound, "404 page not found\n"},
		{fs.ErrPermission, StatusForbidden, "403 Forbidden\n"},
		{errors.New("disk failure under /srv/secret"), StatusInternalServerError, "500 Internal Server Error\n"},
	}
	for _, tt := range tests {
		rec := serveFS(t, FileServer(errFS{tt.err}), fsReq("GET", "/file.txt"))
		if rec.code != tt.code || rec.body.String() != tt.body {
			t.Errorf("%v: %d %q, want %d %q", tt.err, rec.code, rec.body.String(), tt.code, tt.body)
		}
	}
}

func TestFileServerStaysInRoot(t *testing.T) {
	// testdata/fileserver/alphabet.txt exists one level above the root.
	h := FileServer(os.DirFS("testdata/fileserver/docs"))
	for _, target := range []string{
		"/../alphabet.txt",
		"/sub/../../alphabet.txt",
		"/%2e%2e/alphabet.txt",
		"/sub/..%2f..%2falphabet.txt",
		"../alphabet.txt",
		"/../../../../../../etc/passwd",
	} {
		rec := serveFS(t, h, fsReq("GET", target))
		if rec.code != StatusNotFound {
			t.Errorf("%s: %d %q, want 404", target, rec.code, rec.body.String())
		}
	}
	// Inside the root, ".." is resolved.
	rec := serveFS(t, h, fsReq("GET", "/sub/../readme.md"))
	if rec.code != StatusOK || rec.body.String() != "# docs\n" {
		t.Errorf("/sub/../readme.md: %d %q", rec.code, rec.body.String())
	}
}

func TestFileServerNameTooLong(t *testing.T) {
	h := FileServer(os.DirFS("testdata/fileserver"))
	for _, target := range []string{"/" + strings.Repeat("a", 300), "/docs/" + strings.Repeat("b", 5000) + "/c"} {
		if rec := serveFS(t, h, fsReq("GET", target)); rec.code != StatusNotFound {
			t.Errorf("%d-byte name: %d, want 404", len(target), rec.code)
		}
	}
}

func TestFileServerRejectsBadPaths(t *testing.T) {
	for _, target := range []string{`/a\b`, "/a%5Cb", "/a%5cb", "/a%00b", "/a%zz", "/a%4", "/a%"} {
		rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", target))
		if rec.code != StatusBadRequest {
			t.Errorf("%q: %d, want 400", target, rec.code)
		}
	}
}

func TestFileServerRedirects(t *testing.T) {
	tests := []struct{ target, location string }{
		{"/dir", "dir/"},
		{"/dir?a=1&b", "dir/?a=1&b"},
		{"/list/sub", "sub/"},
		{"/c:dir", "./c:dir/"},
		{"/dir/index.html", "./"},
		{"/index.html?x=y", "./?x=y"},
		{"/hello.txt/", "../hello.txt"},
		{"/list/a.txt//", "../a.txt"},
	}
	for _, tt := range tests {
		rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", tt.target))
		if rec.code != StatusMovedPermanently || rec.get("Location") != tt.location || rec.body.Len() != 0 {
			t.Errorf("%s: %d Location %q body %q; want 301 %q", tt.target, rec.code, rec.get("Location"), rec.body.String(), tt.location)
		}
	}
}

func TestFileServerIndex(t *testing.T) {
	rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", "/dir/"))
	if rec.code != StatusOK || rec.body.String() != "<p>index</p>\n" || rec.get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("/dir/: %d %q %q", rec.code, rec.get("Content-Type"), rec.body.String())
	}
	if rec.get("ETag") == "" || rec.get("Last-Modified") != fsModDate {
		t.Errorf("/dir/: index served without its validators: %v", fsFields(&rec.sent))
	}
}

func TestFileServerIndexDirectoryIsNoIndex(t *testing.T) {
	rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", "/odd/"))
	if rec.code != StatusOK || !strings.Contains(rec.body.String(), `<a href="index.html/">index.html/</a>`) {
		t.Errorf("/odd/: %d %q, want a listing", rec.code, rec.body.String())
	}
}

func TestFileServerDirListing(t *testing.T) {
	rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", "/list/"))
	want := "<!doctype html>\n<meta name=\"viewport\" content=\"width=device-width\">\n<pre>\n" +
		"<a href=\"%3Cx%3E&amp;%22y%22.txt\">&lt;x&gt;&amp;&#34;y&#34;.txt</a>\n" +
		"<a href=\"a%20b%3F%23%25.txt\">a b?#%.txt</a>\n" +
		"<a href=\"a.txt\">a.txt</a>\n" +
		"<a href=\"b.txt\">b.txt</a>\n" +
		"<a href=\"./c:d.txt\">c:d.txt</a>\n" +
		"<a href=\"sub/\">sub/</a>\n" +
		"</pre>\n"
	if rec.code != StatusOK || rec.body.String() != want {
		t.Errorf("listing: %d\n%s\nwant\n%s", rec.code, rec.body.String(), want)
	}
	if rec.get("Content-Type") != "text/html; charset=utf-8" || rec.get("Last-Modified") != fsModDate || rec.get("ETag") != "" {
		t.Errorf("listing head: %v", fsFields(&rec.sent))
	}
	rec = serveFS(t, FileServer(testMapFS()), fsReq("GET", "/list/", "If-Modified-Since", fsModDate))
	if rec.code != StatusNotModified {
		t.Errorf("listing with If-Modified-Since: %d, want 304", rec.code)
	}
	rec = serveFS(t, FileServer(testMapFS()), fsReq("HEAD", "/list/"))
	if rec.code != StatusOK || rec.get("Content-Length") != fmt.Sprint(len(want)) {
		t.Errorf("HEAD listing: %d, Content-Length %q", rec.code, rec.get("Content-Length"))
	}
}

// TestFileServerListingLinksWork follows every link of the listings of
// testdata/fileserver/docs, whose names need escaping.
func TestFileServerListingLinksWork(t *testing.T) {
	h := FileServer(os.DirFS("testdata/fileserver"))
	rec := serveFS(t, h, fsReq("GET", "/docs/"))
	links := 0
	for _, line := range strings.Split(rec.body.String(), "\n") {
		href, ok := strings.CutPrefix(line, `<a href="`)
		if !ok {
			continue
		}
		href, _, _ = strings.Cut(href, `"`)
		href = strings.ReplaceAll(href, "&amp;", "&")
		links++
		got := serveFS(t, h, fsReq("GET", "/docs/"+strings.TrimPrefix(href, "./")))
		if got.code != StatusOK {
			t.Errorf("link %q: %d", href, got.code)
		}
	}
	if links != 6 {
		t.Errorf("%d links in\n%s", links, rec.body.String())
	}
}

func TestFileServerContentType(t *testing.T) {
	tests := []struct{ target, want string }{
		{"/hello.txt", "text/plain; charset=utf-8"},
		{"/style.css", mime.TypeByExtension(".css")},
		{"/page", "text/html; charset=utf-8"},
		{"/picture", "image/png"},
		{"/blob.unknownext", "application/octet-stream"},
		{"/empty.txt", "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", tt.target))
		if got := rec.get("Content-Type"); rec.code != StatusOK || got != tt.want {
			t.Errorf("%s: %d %q, want %q", tt.target, rec.code, got, tt.want)
		}
	}
	// The sniffing must not eat the start of the body.
	rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", "/page"))
	if rec.body.String() != "\n <HTML><body>sniffed</body>" {
		t.Errorf("sniffed body: %q", rec.body.String())
	}
}

func TestFileServerUndatedFile(t *testing.T) {
	rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", "/undated.txt", "If-Modified-Since", fsModDate))
	if rec.code != StatusOK || rec.get("Last-Modified") != "" || rec.get("ETag") != "" {
		t.Errorf("undated: %d %v", rec.code, fsFields(&rec.sent))
	}
}

func TestFileServerConditional(t *testing.T) {
	etag := fmt.Sprintf(`"%x-1a"`, fsModTime.UnixNano())
	weak := "W/" + etag
	before := fsModTime.Add(-time.Hour).Format(fsTimeFormat)
	after := fsModTime.Add(time.Hour).Format(fsTimeFormat)
	tests := []struct {
		name   string
		fields []string
		code   int
	}{
		{"if-match", []string{"If-Match", etag}, 200},
		{"if-match in list", []string{"If-Match", `"x", ` + etag}, 200},
		{"if-match in second field", []string{"If-Match", `"x"`, "If-Match", etag}, 200},
		{"if-match star", []string{"If-Match", "*"}, 200},
		{"if-match other", []string{"If-Match", `"other"`}, 412},
		{"if-match weak", []string{"If-Match", weak}, 412},
		{"if-match malformed", []string{"If-Match", "garbage"}, 412},
		{"if-unmodified-since after", []string{"If-Unmodified-Since", after}, 200},
		{"if-unmodified-since equal", []string{"If-Unmodified-Since", fsModDate}, 200},
		{"if-unmodified-since before", []string{"If-Unmodified-Since", before}, 412},
		{"if-unmodified-since invalid", []string{"If-Unmodified-Since", "yesterday"}, 200},
		{"if-match wins over if-unmodified-since", []string{"If-Match", etag, "If-Unmodified-Since", before}, 200},
		{"if-none-match", []string{"If-None-Match", etag}, 304},
		{"if-none-match weak", []string{"If-None-Match", weak}, 304},
		{"if-none-match star", []string{"If-None-Match", "*"}, 304},
		{"if-none-match other", []string{"If-None-Match", `"a", "b"`}, 200},
		{"if-modified-since equal", []string{"If-Modified-Since", fsModDate}, 304},
		{"if-modified-since after", []string{"If-Modified-Since", after}, 304},
		{"if-modified-since before", []string{"If-Modified-Since", before}, 200},
		{"if-modified-since rfc850", []string{"If-Modified-Since", "Monday, 06-May-24 07:08:09 GMT"}, 304},
		{"if-modified-since asctime", []string{"If-Modified-Since", "Mon May  6 07:08:09 2024"}, 304},
		{"if-none-match wins over if-modified-since", []string{"If-None-Match", `"other"`, "If-Modified-Since", after}, 200},
		{"if-match before if-none-match", []string{"If-Match", `"other"`, "If-None-Match", etag}, 412},
		{"range", []string{"Range", "bytes=0-0"}, 206},
		{"if-range etag", []string{"Range", "bytes=0-0", "If-Range", etag}, 206},
		{"if-range other etag", []string{"Range", "bytes=0-0", "If-Range", `"other"`}, 200},
		{"if-range weak etag", []string{"Range", "bytes=0-0", "If-Range", weak}, 200},
		{"if-range date", []string{"Range", "bytes=0-0", "If-Range", fsModDate}, 206},
		{"if-range other date", []string{"Range", "bytes=0-0", "If-Range", after}, 200},
		{"if-range garbage", []string{"Range", "bytes=0-0", "If-Range", "garbage"}, 200},
	}
	for _, tt := range tests {
		rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", "/alphabet.txt", tt.fields...))
		if rec.code != tt.code {
			t.Errorf("%s: %d, want %d", tt.name, rec.code, tt.code)
		}
		switch rec.code {
		case StatusNotModified:
			if rec.get("ETag") != etag || rec.get("Last-Modified") != "" || rec.get("Content-Type") != "" {
				t.Errorf("%s: 304 head %v", tt.name, fsFields(&rec.sent))
			}
		case StatusPreconditionFailed:
			if rec.body.Len() != 0 {
				t.Errorf("%s: 412 body %q", tt.name, rec.body.String())
			}
		}
	}
}

func TestFileServerRange(t *testing.T) {
	tests := []struct {
		rng, contentRange, body string
		code                    int
	}{
		{"bytes=0-4", "bytes 0-4/26", "abcde", 206},
		{"bytes=25-25", "bytes 25-25/26", "z", 206},
		{"bytes=20-", "bytes 20-25/26", "uvwxyz", 206},
		{"bytes=-3", "bytes 23-25/26", "xyz", 206},
		{"bytes=-100", "bytes 0-25/26", "abcdefghijklmnopqrstuvwxyz", 206},
		{"bytes=10-1000", "bytes 10-25/26", "klmnopqrstuvwxyz", 206},
		{"bytes= 1 - 2 ", "bytes 1-2/26", "bc", 206},
		{"BYTES=1-2", "bytes 1-2/26", "bc", 206},
		{"bytes=26-", "bytes */26", "invalid range: failed to overlap\n", 416},
		{"bytes=30-40, 50-", "bytes */26", "invalid range: failed to overlap\n", 416},
		{"bytes=-0", "bytes */26", "invalid range: failed to overlap\n", 416},
		{"bytes=5-2", "", "invalid range\n", 416},
		{"bytes=a-b", "", "invalid range\n", 416},
		{"bytes=+1-2", "", "invalid range\n", 416},
		{"bytes=1", "", "invalid range\n", 416},
		{"bytes=99999999999999999999-", "", "invalid range\n", 416},
		{"items=0-1", "", "invalid range\n", 416},
		{"bytes=", "", "abcdefghijklmnopqrstuvwxyz", 200},
		{"bytes=0-4,3-8", "", "abcdefghijklmnopqrstuvwxyz", 200},
		{"bytes=0-,-1", "", "abcdefghijklmnopqrstuvwxyz", 200},
	}
	for _, tt := range tests {
		rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", "/alphabet.txt", "Range", tt.rng))
		if rec.code != tt.code || rec.get("Content-Range") != tt.contentRange || rec.body.String() != tt.body {
			t.Errorf("%s: %d %q %q, want %d %q %q", tt.rng, rec.code, rec.get("Content-Range"), rec.body.String(),
				tt.code, tt.contentRange, tt.body)
		}
		if tt.code == 416 && (rec.get("ETag") != "" || rec.get("Last-Modified") != "") {
			t.Errorf("%s: 416 keeps validators: %v", tt.rng, fsFields(&rec.sent))
		}
		if tt.code != 416 && rec.get("Accept-Ranges") != "bytes" {
			t.Errorf("%s: no Accept-Ranges", tt.rng)
		}
	}
}

func TestFileServerRangeHead(t *testing.T) {
	rec := serveFS(t, FileServer(testMapFS()), fsReq("HEAD", "/alphabet.txt", "Range", "bytes=2-5"))
	if rec.code != 206 || rec.get("Content-Length") != "4" || rec.get("Content-Range") != "bytes 2-5/26" {
		t.Errorf("HEAD range: %d %v", rec.code, fsFields(&rec.sent))
	}
}

func TestFileServerRangeEmptyFile(t *testing.T) {
	rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", "/empty.txt", "Range", "bytes=0-10"))
	if rec.code != StatusOK || rec.get("Content-Length") != "0" {
		t.Errorf("empty file with range: %d %v", rec.code, fsFields(&rec.sent))
	}
}

// fsPart is one part of a multipart/byteranges body.
type fsPart struct{ contentRange, contentType, body string }

// fsParts parses a multipart/byteranges body into its parts.
func fsParts(t *testing.T, contentType string, body []byte) []fsPart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type %q: %v", contentType, err)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var parts []fsPart
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		parts = append(parts, fsPart{p.Header.Get("Content-Range"), p.Header.Get("Content-Type"), string(b)})
	}
}

func TestFileServerMultipleRanges(t *testing.T) {
	rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", "/alphabet.txt", "Range", "bytes=10-12,0-1, ,5-5,30-40"))
	if rec.get("Content-Range") != "" {
		t.Errorf("multipart response with Content-Range %q", rec.get("Content-Range"))
	}
	got := fsParts(t, rec.get("Content-Type"), rec.body.Bytes())
	const text = "text/plain; charset=utf-8"
	want := []fsPart{{"bytes 10-12/26", text, "klm"}, {"bytes 0-1/26", text, "ab"}, {"bytes 5-5/26", text, "f"}}
	if rec.code != StatusPartialContent || !slices.Equal(got, want) {
		t.Errorf("%d parts %v, want %v", rec.code, got, want)
	}
	head := serveFS(t, FileServer(testMapFS()), fsReq("HEAD", "/alphabet.txt", "Range", "bytes=10-12,0-1, ,5-5,30-40"))
	if head.get("Content-Length") != rec.get("Content-Length") {
		t.Errorf("HEAD Content-Length %q, GET %q", head.get("Content-Length"), rec.get("Content-Length"))
	}
}

func TestFileServerOverlappingRangesServeWhole(t *testing.T) {
	for _, rng := range []string{"bytes=20-,0-1,-2", "bytes=0-5,5-6", "bytes=0-0,0-0", "bytes=0-,0-"} {
		rec := serveFS(t, FileServer(testMapFS()), fsReq("GET", "/alphabet.txt", "Range", rng))
		if rec.code != StatusOK || rec.body.Len() != 26 {
			t.Errorf("%s: %d, %d bytes; want the whole file", rng, rec.code, rec.body.Len())
		}
	}
}

// TestMaxServedRanges checks the limit: MaxServedRanges disjoint ranges
// are served, one more gets the whole content.
func TestMaxServedRanges(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), MaxServedRanges+1)
	ranges := func(n int) string {
		var b strings.Builder
		b.WriteString("bytes=")
		for i := range n {
			fmt.Fprintf(&b, "%d-%d,", 2*i, 2*i)
		}
		return b.String()
	}
	for _, n := range []int{MaxServedRanges, MaxServedRanges + 1, 3 * MaxServedRanges} {
		rec := &fsRecorder{t: t, method: "GET"}
		ServeContent(rec, fsReq("GET", "/", "Range", ranges(n)), "d.txt", fsModTime, bytes.NewReader(data))
		wantCode := StatusPartialContent
		if n > MaxServedRanges {
			wantCode = StatusOK
		}
		if rec.code != wantCode {
			t.Errorf("%d ranges: %d, want %d", n, rec.code, wantCode)
		}
		if rec.code == StatusPartialContent {
			parts := fsParts(t, rec.get("Content-Type"), rec.body.Bytes())
			if len(parts) != n {
				t.Errorf("%d ranges: %d parts", n, len(parts))
			}
			for _, p := range parts {
				if p.contentType != "text/plain; charset=utf-8" {
					t.Errorf("%d ranges: part Content-Type %q", n, p.contentType)
				}
			}
		}
	}
}

func TestServeContent(t *testing.T) {
	data := []byte(`{"a": 1}`)
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Cache-Control", "max-age=60")
		ServeContent(w, r, "x.json", fsModTime, bytes.NewReader(data))
	})
	rec := serveFS(t, h, fsReq("GET", "/anything"))
	if rec.code != 200 || rec.body.String() != string(data) || rec.get("Content-Type") != mime.TypeByExtension(".json") ||
		rec.get("Last-Modified") != fsModDate || rec.get("ETag") != `"v1"` {
		t.Errorf("GET: %d %q %v", rec.code, rec.body.String(), fsFields(&rec.sent))
	}
	rec = serveFS(t, h, fsReq("GET", "/", "If-None-Match", `W/"v1"`))
	if rec.code != StatusNotModified || rec.get("Cache-Control") != "max-age=60" {
		t.Errorf("If-None-Match: %d %v", rec.code, fsFields(&rec.sent))
	}
	rec = serveFS(t, h, fsReq("POST", "/", "If-None-Match", `"v1"`))
	if rec.code != StatusPreconditionFailed {
		t.Errorf("POST If-None-Match: %d, want 412", rec.code)
	}
	rec = serveFS(t, h, fsReq("GET", "/", "Range", "bytes=100-"))
	if rec.code != 416 || rec.get("Cache-Control") != "" || rec.get("ETag") != "" || rec.get("Content-Range") != "bytes */8" {
		t.Errorf("416: %d %v", rec.code, fsFields(&rec.sent))
	}
}

func TestServeContentKeepsContentType(t *testing.T) {
	content := &fsReadCounter{ReadSeeker: strings.NewReader("<html>")}
	rec := &fsRecorder{t: t, method: "HEAD"}
	rec.Header().Set("Content-Type", "application/x-custom")
	ServeContent(rec, fsReq("HEAD", "/"), "a.html", time.Time{}, content)
	if rec.get("Content-Type") != "application/x-custom" || content.reads != 0 || rec.get("Last-Modified") != "" {
		t.Errorf("%v, %d reads", fsFields(&rec.sent), content.reads)
	}
}

type fsReadCounter struct {
	io.ReadSeeker
	reads int
}

func (c *fsReadCounter) Read(p []byte) (int, error) { c.reads++; return c.ReadSeeker.Read(p) }

// fsBadSeeker fails every seek with an error that names a secret path.
type fsBadSeeker struct{ io.Reader }

func (fsBadSeeker) Seek(int64, int) (int64, error) { return 0, errors.New("/srv/secret: seek failed") }

func TestServeContentSeekError(t *testing.T) {
	rec := serveFS(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		ServeContent(w, r, "a.txt", fsModTime, fsBadSeeker{strings.NewReader("data")})
	}), fsReq("GET", "/"))
	if rec.code != 500 || strings.Contains(rec.body.String(), "secret") {
		t.Errorf("%d %q", rec.code, rec.body.String())
	}
}

// fsPlainFS serves files that can neither seek nor read at an offset.
type fsPlainFS struct{ fstest.MapFS }

type fsPlainFile struct{ f fs.File }

func (p fsPlainFS) Open(name string) (fs.File, error) {
	f, err := p.MapFS.Open(name)
	if err != nil {
		return nil, err
	}
	return fsPlainFile{f}, nil
}
func (p fsPlainFile) Read(b []byte) (int, error) { return p.f.Read(b) }
func (p fsPlainFile) Stat() (fs.FileInfo, error) { return p.f.Stat() }
func (p fsPlainFile) Close() error               { return p.f.Close() }

func TestFileServerNeedsSeekableFiles(t *testing.T) {
	rec := serveFS(t, FileServer(fsPlainFS{testMapFS()}), fsReq("GET", "/hello.txt"))
	if rec.code != StatusInternalServerError {
		t.Errorf("%d, want 500", rec.code)
	}
}

func TestServeFileFS(t *testing.T) {
	fsys := testMapFS()
	h := HandlerFunc(func(w ResponseWriter, r *Request) { ServeFileFS(w, r, fsys, "hello.txt") })
	for _, m := range []string{"GET", "POST"} {
		rec := serveFS(t, h, fsReq(m, "/some/other/path"))
		if rec.code != 200 || rec.body.String() != "Hello, world!\n" || rec.get("ETag") == "" {
			t.Errorf("%s: %d %q", m, rec.code, rec.body.String())
		}
	}
	for _, target := range []string{"/a/../b", "/..", "/a/%2e%2e/b"} {
		if rec := serveFS(t, h, fsReq("GET", target)); rec.code != StatusBadRequest {
			t.Errorf("%s: %d, want 400", target, rec.code)
		}
	}
	dir := HandlerFunc(func(w ResponseWriter, r *Request) { ServeFileFS(w, r, fsys, "/dir") })
	if rec := serveFS(t, dir, fsReq("GET", "/x/mydir")); rec.code != 301 || rec.get("Location") != "mydir/" {
		t.Errorf("dir without slash: %d %q", rec.code, rec.get("Location"))
	}
	if rec := serveFS(t, dir, fsReq("GET", "/x/mydir/")); rec.code != 200 || rec.body.String() != "<p>index</p>\n" {
		t.Errorf("dir: %d %q", rec.code, rec.body.String())
	}
	// A file path with a trailing slash is no redirect for ServeFileFS.
	if rec := serveFS(t, h, fsReq("GET", "/x/")); rec.code != 200 {
		t.Errorf("file with slash: %d", rec.code)
	}
}

func TestFileServerDirFS(t *testing.T) {
	h := FileServer(os.DirFS("testdata/fileserver"))
	want, err := os.ReadFile("testdata/fileserver/alphabet.txt")
	if err != nil {
		t.Fatal(err)
	}
	rec := serveFS(t, h, fsReq("GET", "/alphabet.txt"))
	if rec.code != 200 || !bytes.Equal(rec.body.Bytes(), want) {
		t.Errorf("alphabet: %d %q", rec.code, rec.body.String())
	}
	rec = serveFS(t, h, fsReq("GET", "/alphabet.txt", "Range", "bytes=26-51"))
	if rec.code != 206 || !bytes.Equal(rec.body.Bytes(), want[26:52]) {
		t.Errorf("range: %d %q", rec.code, rec.body.String())
	}
	for target, ctype := range map[string]string{
		"/site/":             "text/html; charset=utf-8",
		"/page":              "text/html; charset=utf-8",
		"/image":             "image/png",
		"/data.unknownext":   "text/plain; charset=utf-8",
		"/binary.unknownext": "application/octet-stream",
	} {
		rec := serveFS(t, h, fsReq("GET", target))
		if rec.code != 200 || rec.get("Content-Type") != ctype {
			t.Errorf("%s: %d %q, want %q", target, rec.code, rec.get("Content-Type"), ctype)
		}
	}
	if rec := serveFS(t, h, fsReq("GET", "/alphabet.txt/x")); rec.code != 404 {
		t.Errorf("through a file: %d, want 404", rec.code)
	}
}

// BenchmarkFileServer serves a small file from a MapFS, and one range of
// it, with ours and with net/http's FileServerFS (into a reused
// ResponseRecorder).
func BenchmarkFileServer(b *testing.B) {
	fsys := testMapFS()
	for _, bc := range []struct{ name, rng string }{{"whole", ""}, {"range", "bytes=2-9"}} {
		b.Run(bc.name+"/turbohttp", func(b *testing.B) {
			h := FileServer(fsys)
			r := fsReq("GET", "/alphabet.txt")
			if bc.rng != "" {
				r.Header.Add("Range", bc.rng)
			}
			rec := &fsRecorder{t: &testing.T{}, method: "GET"}
			b.ReportAllocs()
			for b.Loop() {
				rec.header.Reset()
				rec.code = 0
				rec.body.Reset()
				h.ServeHTTP(rec, r)
			}
		})
		b.Run(bc.name+"/nethttp", func(b *testing.B) {
			h := http.FileServerFS(fsys)
			r := httptest.NewRequest("GET", "/alphabet.txt", nil)
			if bc.rng != "" {
				r.Header.Set("Range", bc.rng)
			}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
	}
}
