package turbohttp

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// This file checks ServeMux against net/http's ServeMux: the same patterns
// and requests must pick the same pattern, wildcard values and status.
//
// Known, intended differences, kept out of the comparison:
//   - net/http (Go 1.26) redirects with 307, we with 301: any
//     3xx counts as the same outcome.
//   - net/http builds the Location of a redirect from the unescaped path
//     and escapes it again; we keep the request's escapes. Locations are
//     compared only for paths without '%'.
//   - net/http compares hosts case-sensitively; the requests here use
//     lower-case hosts.
//   - net/http takes a request segment "%2F" for the trailing slash that
//     {$} matches ("/%2F" matches "/{$}"); for us it is the segment "/".
//   - For the slash redirect of a CONNECT request, net/http's Handler
//     returns the redirect's path where a pattern is expected; ours returns
//     the pattern, as for other methods.

// muxDiffPatterns is a conflict-free set of patterns covering literals,
// wildcards, methods, hosts, {$}, subtrees and escapes.
var muxDiffPatterns = []string{
	"/",
	"/{$}",
	"/index.html",
	"GET /static/",
	"/images/",
	"/images/thumbnails/",
	"/posts/{id}",
	"/posts/latest",
	"GET /posts/{id}/comments",
	"POST /posts/{id}/comments",
	"HEAD /head-only",
	"GET /get-only",
	"PUT /get-only",
	"/files/{path...}",
	"/files/special",
	"GET /users/{id}/{$}",
	"/users/",
	"/users/{id}/profile",
	"example.com/",
	"example.com/{$}",
	"GET example.com/posts/{id}",
	"api.example.com/v1/{rest...}",
	"/a/b/z",
	"/a/{x}/c",
	"/b/{bucket}/o/{obj...}",
	"/esc%2Fslash",
	"/caf%C3%A9",
	"/tree/",
	"/tree2/{rest...}",
	"/both/",
	"/both",
	"/x/{a}/{b}",
	"/x/y/{b}",
	"OPTIONS /opt",
	"DELETE /del/",
	"CONNECT /tunnel/",
}

var muxDiffPaths = []string{
	"/", "/index.html", "/static", "/static/", "/static/css/a.css", "/images",
	"/images/", "/images/thumbnails", "/images/thumbnails/x.png", "/posts",
	"/posts/", "/posts/latest", "/posts/123", "/posts/123/", "/posts/123/comments",
	"/posts/123/comments/", "/head-only", "/get-only", "/files", "/files/",
	"/files/a/b/c", "/files/special", "/files/special/x", "/users", "/users/",
	"/users/42", "/users/42/", "/users/42/profile", "/users/42/profile/", "/v1",
	"/v1/", "/v1/x/y", "/a/b/c", "/a/b/z", "/a/q/c", "/a/b", "/b/bk/o/",
	"/b/bk/o/x/y", "/b/bk/o", "/esc%2Fslash", "/esc/slash", "/caf%C3%A9",
	"/caf%c3%a9", "/tree", "/tree/", "/tree2", "/tree2/", "/tree2/a", "/both",
	"/both/", "/both/x", "/x/1/2", "/x/y/2", "/x/y", "/x/y/", "/opt", "/opt/",
	"/del", "/del/x", "/tunnel", "/tunnel/x", "/nothing/here", "//a", "/a/../posts/1",
	"/./index.html", "/images/./thumbnails/", "/posts/1/../2?x=1", "/static/..",
	"/tree/.", "/x/%2e%2e/y", "/posts/a%2Fb", "/files/a%2Fb/c",
	"/posts/%41", "/tree?a=b", "//tree?q", "/users/42?x=%20",
}

var (
	muxDiffMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "CONNECT"}
	muxDiffHosts   = []string{"example.com", "example.com:8080", "api.example.com", "other.org"}
)

// muxOutcome is what a mux did with a request.
type muxOutcome struct {
	pattern  string // as Handler returned it
	status   int    // 3xx is folded to 300
	location string // for 3xx
	allow    string // for 405
	values   string // for a match: name=value pairs
}

// muxWildcardNames returns the names of pattern's wildcards.
func muxWildcardNames(t testing.TB, pattern string) []string {
	p, err := parsePattern(pattern)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range p.segs {
		if (s.kind == segWild || s.kind == segMulti) && s.s != "" {
			names = append(names, s.s)
		}
	}
	return names
}

// newMuxDiffPair returns a net/http ServeMux and one of ours with patterns,
// each handler answering 200 with its pattern's values in the body.
func newMuxDiffPair(t testing.TB, patterns []string) (*http.ServeMux, *ServeMux) {
	std, ours := http.NewServeMux(), NewServeMux()
	for _, p := range patterns {
		names := muxWildcardNames(t, p)
		std.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			for _, n := range names {
				fmt.Fprintf(w, "%s=%q ", n, r.PathValue(n))
			}
		})
		ours.HandleFunc(p, func(w ResponseWriter, r *Request) {
			w.WriteHeader(StatusOK)
			for _, n := range names {
				fmt.Fprintf(w, "%s=%q ", n, r.PathValue(n))
			}
		})
	}
	return std, ours
}

// muxStdOutcome serves a request through net/http's mux. ok is false when
// net/http cannot represent the target, or does not route on its path as
// sent: for a path with bytes it would escape (like '"'), net/http routes
// on the path unescaped and escaped again, where "%2F" has become "/".
func muxStdOutcome(mux *http.ServeMux, method, host, target string) (o muxOutcome, ok bool) {
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return o, false
	}
	if path, _, _ := strings.Cut(target, "?"); u.EscapedPath() != path {
		return o, false
	}
	r := &http.Request{Method: method, URL: u, Host: host, RequestURI: target,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{}}
	if method == "CONNECT" {
		u.Host = host // net/http takes a CONNECT's host from its URL for the slash redirect
	}
	_, o.pattern = mux.Handler(r)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	o.status = w.Code
	switch {
	case o.status == 200:
		o.values = w.Body.String()
	case o.status/100 == 3:
		o.status, o.location = 300, w.Header().Get("Location")
	case o.status == 405:
		o.allow = w.Header().Get("Allow")
	}
	return o, true
}

// muxOurOutcome serves a request through our mux.
func muxOurOutcome(mux *ServeMux, method, host, target string) muxOutcome {
	var o muxOutcome
	_, o.pattern = mux.Handler(muxRequest(method, host, target))
	w := &muxRecorder{}
	mux.ServeHTTP(w, muxRequest(method, host, target))
	o.status = w.code
	switch {
	case o.status == 200:
		o.values = string(w.body)
	case o.status/100 == 3:
		o.status, o.location = 300, w.header.Get("Location")
	case o.status == 405:
		o.allow = w.header.Get("Allow")
	}
	return o
}

// compareMuxOutcomes reports how ours differs from std, or "".
func compareMuxOutcomes(method, target string, std, ours muxOutcome) string {
	if strings.Contains(target, "%") {
		std.location, ours.location = "", ""
	}
	if method == MethodConnect && std.status == 300 {
		std.pattern, ours.pattern = "", ""
	}
	if std != ours {
		return fmt.Sprintf("net/http %+v, ours %+v", std, ours)
	}
	return ""
}

func TestServeMuxMatchesNetHTTP(t *testing.T) {
	std, ours := newMuxDiffPair(t, muxDiffPatterns)
	n := 0
	for _, method := range muxDiffMethods {
		for _, host := range muxDiffHosts {
			for _, target := range muxDiffPaths {
				want, ok := muxStdOutcome(std, method, host, target)
				if !ok {
					t.Fatalf("net/http cannot parse %q", target)
				}
				if d := compareMuxOutcomes(method, target, want, muxOurOutcome(ours, method, host, target)); d != "" {
					t.Errorf("%s %s%s: %s", method, host, target, d)
				}
				n++
			}
		}
	}
	t.Logf("%d requests compared", n)
}

// TestServeMuxConflictsMatchNetHTTP registers pairs of patterns in both
// muxes: both must accept or both refuse the second.
func TestServeMuxConflictsMatchNetHTTP(t *testing.T) {
	pool := []string{
		"/", "/{$}", "/a", "/a/", "/a/{$}", "/{x}", "/{x}/", "/{x...}", "/a/{x}", "/{x}/b",
		"/a/b", "/a/{x}/{y}", "/a/b/{y...}", "GET /", "GET /a", "GET /a/{x}", "HEAD /a",
		"POST /{x}", "GET /{x}/b", "example.com/", "example.com/a", "GET example.com/{x}",
		"/a/{x}/c", "/{x}/b/c", "/a/b/c", "GET /a/{x...}", "/a/{$}", "CONNECT /a/",
	}
	h := func(http.ResponseWriter, *http.Request) {}
	for _, p1 := range pool {
		for _, p2 := range pool {
			std := http.NewServeMux()
			std.HandleFunc(p1, h)
			stdMsg := muxPanic(func() { std.HandleFunc(p2, h) })
			ours := NewServeMux()
			ours.HandleFunc(p1, func(ResponseWriter, *Request) {})
			ourMsg := muxPanic(func() { ours.HandleFunc(p2, func(ResponseWriter, *Request) {}) })
			if (stdMsg == "") != (ourMsg == "") {
				t.Errorf("%q then %q: net/http panic %q, ours %q", p1, p2, stdMsg, ourMsg)
			}
		}
	}
}
