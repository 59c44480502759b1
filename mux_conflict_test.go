package turbohttp

import (
	"fmt"
	"strings"
	"testing"
)

func TestMuxPatternRelations(t *testing.T) {
	for _, c := range []struct {
		p1, p2 string
		want   relation
	}{
		{"/a", "/a", equivalent},
		{"/{x}", "/{y}", equivalent},
		{"/a/", "/a/{rest...}", equivalent},
		{"/", "/a", moreGeneral},
		{"/images/", "/images/thumbnails/", moreGeneral},
		{"/posts/{id}", "/posts/latest", moreGeneral},
		{"/posts/{id}", "GET /posts/{id}", moreGeneral},
		{"GET /posts/{id}", "HEAD /posts/{id}", moreGeneral},
		{"GET /a/b", "/a/{x}", moreSpecific},
		{"/a/{$}", "/a/", moreSpecific},
		{"/a", "/b", disjoint},
		{"/a", "/a/", disjoint},
		{"/{x}", "/{$}", disjoint},
		{"/a/{$}", "/a/b", disjoint},
		{"GET /a", "POST /a", disjoint},
		{"/a/{x}", "/a/b/c", disjoint},
		{"/{x}/b", "/a/{y}", overlaps},
		{"GET /a/{x}", "/a/b", overlaps},
		{"GET /", "/index.html", overlaps},
		{"GET /posts/{id}", "/posts/latest", overlaps},
		{"/a/{x}/", "/{y}/b/c", overlaps},
	} {
		p1, err1 := parsePattern(c.p1)
		p2, err2 := parsePattern(c.p2)
		if err1 != nil || err2 != nil {
			t.Fatalf("parse: %v %v", err1, err2)
		}
		got := compareMethods(p1.method, p2.method).and(comparePaths(p1.segs, p2.segs))
		back := compareMethods(p2.method, p1.method).and(comparePaths(p2.segs, p1.segs))
		if got != c.want || back != c.want.inverse() {
			t.Errorf("%q vs %q: %d (back %d), want %d", c.p1, c.p2, got, back, c.want)
		}
	}
}

func TestServeMuxConflicts(t *testing.T) {
	for _, c := range []struct {
		p1, p2 string
		why    string // "" when they do not conflict
	}{
		{"/posts/{id}", "/posts/{name}", "matches the same requests as"},
		{"/a", "/a", "matches the same requests as"},
		{"GET /a/", "GET /a/{rest...}", "matches the same requests as"},
		{"example.com/", "EXAMPLE.COM/", "matches the same requests as"},
		{"/{x}/b", "/a/{y}", `both match some paths, like "/a/b"`},
		{"GET /a/{x}", "/a/b", "/a/b matches more methods than GET /a/{x}, but has a more specific path pattern"},
		{"/a/b", "GET /a/{x}", "GET /a/{x} matches fewer methods than /a/b, but has a more general path pattern"},
		{"GET /", "/index.html", "/index.html matches more methods than GET /"},
		{"/a/{x}/c/", "/{y}/b/{z...}", `like "/a/b/c/"`},
		{"GET /a/b", "/a/{x}", ""},
		{"/images/thumbnails/", "/images/", ""},
		{"/posts/{id}", "/posts/latest", ""},
		{"example.com/{x}", "/{y}", ""},
		{"example.com/", "other.com/", ""},
		{"/", "/{$}", ""},
		{"GET /x", "HEAD /x", ""},
		{"/{x}", "/{$}", ""},
	} {
		mux := NewServeMux()
		h := func(ResponseWriter, *Request) {}
		mux.HandleFunc(c.p1, h)
		msg := muxPanic(func() { mux.HandleFunc(c.p2, h) })
		if c.why == "" {
			if msg != "" {
				t.Errorf("%q then %q: panic %s", c.p1, c.p2, msg)
			}
			continue
		}
		for _, want := range []string{c.why, `"` + c.p1 + `"`, `"` + c.p2 + `"`, "mux_conflict_test.go:"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%q then %q: panic %q, want it to hold %q", c.p1, c.p2, msg, want)
			}
		}
	}
}

// TestServeMuxConflictIndex registers many patterns, then checks that the
// index still finds the conflicts of each kind of first segment.
func TestServeMuxConflictIndex(t *testing.T) {
	mux := NewServeMux()
	h := func(ResponseWriter, *Request) {}
	for i := range 100 {
		mux.HandleFunc(fmt.Sprintf("/r%d/{b}", i), h)
		mux.HandleFunc(fmt.Sprintf("h%d.example/r%d/{b}", i%3, i), h)
	}
	mux.HandleFunc("/{a}/{b}/{c}", h)
	mux.HandleFunc("/{$}", h)
	for _, c := range []struct {
		pattern  string
		conflict string
	}{
		{"/{a}/x", `"/r0/{b}"`},             // wildcard first: checked against all
		{"/r42/{c}", `"/r42/{b}"`},          // same literal
		{"/q/{x}/{y...}", `"/{a}/{b}/{c}"`}, // literal against a wildcard first
		{"/{$}", `"/{$}"`},
		{"h2.example/r2/{x}", `"h2.example/r2/{b}"`},
		{"/r0/{b}/x/", ""},
		{"h1.example/r2/{x}", ""},
		{"/", ""},
	} {
		msg := muxPanic(func() { mux.HandleFunc(c.pattern, h) })
		if c.conflict == "" && msg != "" || !strings.Contains(msg, c.conflict) {
			t.Errorf("%q: panic %q, want a conflict with %s", c.pattern, msg, c.conflict)
		}
	}
}
