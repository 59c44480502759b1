package turbohttp

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"time"
)

// This file compares FileServer and ServeContent with net/http's on the
// same files and request fields. The known differences, which the
// comparison allows for, are documented on ServeContent and FileServer:
// overlapping ranges are served whole (compared with net/http's answer
// without the Range field), and net/http sets no ETag (its FileServer is
// given ours by a wrapper, as a caller of ServeContent would).

// fsDiffCase is one request: method, target and fields, where {etag},
// {date}, {before} and {after} stand for the served file's ETag, its
// Last-Modified, and dates an hour before and after.
type fsDiffCase struct {
	method, target string
	fields         []string
	// wholeRange marks overlapping ranges: our answer must be
	// net/http's to the request without Range.
	wholeRange bool
	// empty marks empty content: where net/http answers 206, our answer
	// must be its answer without Range.
	empty bool
}

var fsDiffFields = [][]string{
	nil,
	{"Range", "bytes=0-0"},
	{"Range", "bytes=0-9"},
	{"Range", "bytes=10-"},
	{"Range", "bytes=-5"},
	{"Range", "bytes=-1000"},
	{"Range", "bytes=95-200"},
	{"Range", "bytes= 3 - 7 "},
	{"Range", "bytes=100-"},
	{"Range", "bytes=1000-2000, 3000-"},
	{"Range", "bytes=5-2"},
	{"Range", "bytes=x-y"},
	{"Range", "items=0-1"},
	{"Range", "bytes="},
	{"Range", "bytes=0-1,5-6"},
	{"Range", "bytes=0-1, 10-19, 50-"},
	{"Range", "bytes=50-59,0-9,1000-"},
	{"If-Match", "{etag}"},
	{"If-Match", `"nope"`},
	{"If-Match", "*"},
	{"If-None-Match", "{etag}"},
	{"If-None-Match", `"nope", {etag}`},
	{"If-None-Match", `"nope"`},
	{"If-None-Match", "*"},
	{"If-Modified-Since", "{date}"},
	{"If-Modified-Since", "{before}"},
	{"If-Modified-Since", "{after}"},
	{"If-Modified-Since", "not a date"},
	{"If-Unmodified-Since", "{date}"},
	{"If-Unmodified-Since", "{before}"},
	{"If-Unmodified-Since", "{after}"},
	{"If-Match", `"nope"`, "If-Unmodified-Since", "{after}"},
	{"If-Match", "{etag}", "If-Unmodified-Since", "{before}"},
	{"If-None-Match", `"nope"`, "If-Modified-Since", "{after}"},
	{"If-None-Match", "{etag}", "If-Modified-Since", "{before}"},
	{"Range", "bytes=0-4", "If-Range", "{etag}"},
	{"Range", "bytes=0-4", "If-Range", `"nope"`},
	{"Range", "bytes=0-4", "If-Range", "W/{etag}"},
	{"Range", "bytes=0-4", "If-Range", "{date}"},
	{"Range", "bytes=0-4", "If-Range", "{after}"},
	{"Range", "bytes=0-4,2-8", "If-Range", "{etag}"},
	{"Range", "bytes=1-2,3-4", "If-None-Match", "{etag}"},
}

var fsDiffTargets = []string{
	"/", "/alphabet.txt", "/page", "/image", "/empty.txt", "/data.unknownext", "/binary.unknownext",
	"/site", "/site/", "/site/index.html", "/site/style.css", "/docs", "/docs/", "/docs/sub/",
	"/docs/readme.md", "/docs/x%20y.txt", "/docs/pct%2541.txt", "/missing", "/alphabet.txt/",
	"/alphabet.txt/x", "/docs/sub/../readme.md", "/../alphabet.txt", "/site?x=1", "/site/index.html?q",
}

func fsDiffCases() []fsDiffCase {
	var cases []fsDiffCase
	for _, m := range []string{"GET", "HEAD"} {
		for _, target := range fsDiffTargets {
			for _, fields := range fsDiffFields {
				overlap := len(fields) > 0 && (fields[1] == "bytes=0-4,2-8")
				cases = append(cases, fsDiffCase{m, target, fields, overlap, target == "/empty.txt"})
			}
		}
	}
	return cases
}

func TestFileServerMatchesNetHTTP(t *testing.T) {
	fsys := os.DirFS("testdata/fileserver")
	ours := FileServer(fsys)
	theirs := fsNetHTTPWithETag(fsys, http.FileServerFS(fsys))
	seen := map[int]int{}
	for _, c := range fsDiffCases() {
		fields := c.fields
		if fi, ok := fsServedFile(fsys, fsDecoded(t, c.target)); ok {
			fields = fsExpand(fields, fi.ModTime(), fsETag(fi.ModTime(), fi.Size()))
		} else {
			fields = fsExpand(fields, time.Time{}, `"x"`)
		}
		seen[fsCompare(t, c, fields, func(r *Request) *fsRecorder { return serveFS(t, ours, r) },
			func(r *http.Request) *http.Response {
				rec := httptest.NewRecorder()
				theirs.ServeHTTP(rec, r)
				return rec.Result()
			})]++
	}
	// Every kind of answer must have been compared.
	for _, code := range []int{200, 206, 301, 304, 404, 412, 416} {
		if seen[code] == 0 {
			t.Errorf("no case answered %d: %v", code, seen)
		}
	}
	t.Logf("compared answers by status: %v", seen)
}

// TestServeContentMatchesNetHTTP compares ServeContent with net/http's
// over content of several sizes, names and modification times, with and
// without an ETag set by the caller, for the fixed request fields and for
// random Range fields from a fixed seed.
func TestServeContentMatchesNetHTTP(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{0, 1, 100, 1000} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		for _, name := range []string{"x.txt", "noext", "y.html"} {
			for _, modtime := range []time.Time{fsModTime, {}} {
				for _, etag := range []string{"", `"v1"`, `W/"v1"`} {
					fsCompareServeContent(t, rng, data, name, modtime, etag)
				}
			}
		}
	}
}

func fsCompareServeContent(t *testing.T, rng *rand.Rand, data []byte, name string, modtime time.Time, etag string) {
	ours := func(r *Request) *fsRecorder {
		rec := &fsRecorder{t: t, method: r.Method}
		if etag != "" {
			rec.Header().Set("ETag", etag)
		}
		ServeContent(rec, r, name, modtime, bytes.NewReader(data))
		return rec
	}
	theirs := func(r *http.Request) *http.Response {
		rec := httptest.NewRecorder()
		if etag != "" {
			rec.Header().Set("Etag", etag)
		}
		http.ServeContent(rec, r, name, modtime, bytes.NewReader(data))
		return rec.Result()
	}
	var cases []fsDiffCase
	for _, fields := range fsDiffFields {
		cases = append(cases, fsDiffCase{"GET", "/", fields, len(fields) > 0 && fields[1] == "bytes=0-4,2-8" && len(data) > 2, len(data) == 0})
	}
	for range 50 {
		rangeField, overlap := fsRandomRange(rng, len(data))
		cases = append(cases, fsDiffCase{[]string{"GET", "HEAD"}[rng.IntN(2)], "/", []string{"Range", rangeField}, overlap, len(data) == 0})
	}
	tag := etag
	if tag == "" {
		tag = `"none"`
	}
	for _, c := range cases {
		fsCompare(t, c, fsExpand(c.fields, modtime, tag), ours, theirs)
	}
}

// fsRandomRange returns a random Range field for content of size bytes,
// and whether its ranges overlap once clamped to the content. It uses only
// the syntax both implementations read alike: no '+' signs, no "-0".
func fsRandomRange(rng *rand.Rand, size int) (string, bool) {
	n := 1 + rng.IntN(4)
	var specs []string
	var spans [][2]int // clamped [start, end) of the satisfiable ranges
	for range n {
		limit := size + 10
		a := rng.IntN(limit)
		var spec string
		var s, e int
		switch rng.IntN(4) {
		case 0:
			spec, s, e = fmt.Sprintf("%d-", a), a, size
		case 1:
			k := 1 + rng.IntN(limit)
			spec, s, e = fmt.Sprintf("-%d", k), max(size-k, 0), size
		default:
			b := a + rng.IntN(limit)
			spec, s, e = fmt.Sprintf("%d-%d", a, b), a, min(b+1, size)
		}
		specs = append(specs, spec)
		if s < size {
			spans = append(spans, [2]int{s, e})
		}
	}
	overlap := false
	for i := range spans {
		for j := range i {
			if spans[i][0] < spans[j][1] && spans[j][0] < spans[i][1] {
				overlap = true
			}
		}
	}
	return "bytes=" + strings.Join(specs, ","), overlap
}

// fsCompare runs c on both implementations, compares the responses and
// returns our status.
func fsCompare(t *testing.T, c fsDiffCase, fields []string, ours func(*Request) *fsRecorder, theirs func(*http.Request) *http.Response) int {
	t.Helper()
	desc := fmt.Sprintf("%s %s %q", c.method, c.target, fields)
	got := ours(fsReq(c.method, c.target, fields...))
	refFields := fields
	if c.wholeRange {
		refFields = fsWithout(fields, "Range")
	}
	hr := httptest.NewRequest(c.method, c.target, nil)
	for i := 0; i+1 < len(refFields); i += 2 {
		hr.Header.Add(refFields[i], refFields[i+1])
	}
	want := theirs(hr)
	if c.empty && want.StatusCode == http.StatusPartialContent {
		hr.Header.Del("Range")
		want = theirs(hr)
	}
	wantBody, _ := io.ReadAll(want.Body)

	if got.code != want.StatusCode {
		t.Errorf("%s: status %d, net/http %d", desc, got.code, want.StatusCode)
		return got.code
	}
	for _, name := range []string{"Content-Range", "Last-Modified", "Location", "Accept-Ranges"} {
		if g, w := got.get(name), want.Header.Get(name); g != w {
			t.Errorf("%s: %s %q, net/http %q", desc, name, g, w)
		}
	}
	if g, w := got.get("ETag") != "", want.Header.Get("Etag") != ""; g != w {
		t.Errorf("%s: ETag present %v, net/http %v", desc, g, w)
	}
	gotType, wantType := got.get("Content-Type"), want.Header.Get("Content-Type")
	multipart := strings.HasPrefix(wantType, "multipart/byteranges; boundary=")
	if multipart != strings.HasPrefix(gotType, "multipart/byteranges; boundary=") || !multipart && gotType != wantType {
		t.Errorf("%s: Content-Type %q, net/http %q", desc, gotType, wantType)
	}
	if w := want.Header.Get("Content-Length"); w != "" && got.get("Content-Length") != w {
		t.Errorf("%s: Content-Length %q, net/http %q", desc, got.get("Content-Length"), w)
	}
	if c.method == "HEAD" || fsIsListing(wantBody) {
		return got.code
	}
	if multipart {
		g := fsParts(t, gotType, got.body.Bytes())
		w := fsParts(t, wantType, wantBody)
		if !slices.Equal(g, w) {
			t.Errorf("%s: parts %q, net/http %q", desc, g, w)
		}
		return got.code
	}
	if !bytes.Equal(got.body.Bytes(), wantBody) {
		t.Errorf("%s: body %q, net/http %q", desc, got.body.Bytes(), wantBody)
	}
	return got.code
}

// fsIsListing reports whether body is net/http's directory listing, which
// escapes hrefs differently (ours also escapes them for HTML).
func fsIsListing(body []byte) bool {
	return bytes.HasPrefix(body, []byte("<!doctype html>\n<meta name=\"viewport\""))
}

// fsNetHTTPWithETag gives net/http's FileServer the ETag ours sets, the
// way a caller of ServeContent would, so conditional requests compare.
func fsNetHTTPWithETag(fsys fs.FS, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fi, ok := fsServedFile(fsys, r.URL.Path); ok {
			w.Header().Set("Etag", fsETag(fi.ModTime(), fi.Size()))
		}
		next.ServeHTTP(w, r)
	})
}

// fsServedFile returns the file FileServer serves for the decoded path
// upath, when it serves one (not a redirect, listing or error).
func fsServedFile(fsys fs.FS, upath string) (fs.FileInfo, bool) {
	if strings.HasSuffix(upath, "/index.html") {
		return nil, false
	}
	name := strings.TrimPrefix(path.Clean("/"+upath), "/")
	if name == "" {
		name = "."
	}
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, false
	}
	slashed := strings.HasSuffix(upath, "/")
	if !fi.IsDir() {
		return fi, !slashed
	}
	if !slashed {
		return nil, false
	}
	fi, err = fs.Stat(fsys, path.Join(name, "index.html"))
	return fi, err == nil && !fi.IsDir()
}

func fsDecoded(t *testing.T, target string) string {
	p, _, _ := strings.Cut(target, "?")
	d, ok := fsDecodePath([]byte(p))
	if !ok {
		t.Fatalf("bad target %q", target)
	}
	return d
}

// fsExpand substitutes the placeholders of fields.
func fsExpand(fields []string, modtime time.Time, etag string) []string {
	r := strings.NewReplacer(
		"{etag}", etag,
		"{date}", modtime.UTC().Format(fsTimeFormat),
		"{before}", modtime.Add(-time.Hour).UTC().Format(fsTimeFormat),
		"{after}", modtime.Add(time.Hour).UTC().Format(fsTimeFormat),
	)
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = r.Replace(f)
	}
	return out
}

func fsWithout(fields []string, name string) []string {
	var out []string
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i] != name {
			out = append(out, fields[i], fields[i+1])
		}
	}
	return out
}
