package turbohttp

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzServeMuxRouting routes fuzzed requests through net/http's ServeMux
// and ours, with muxDiffPatterns: they must agree (up to the differences
// listed in mux_nethttp_test.go), and ours must never panic.
func FuzzServeMuxRouting(f *testing.F) {
	for i, p := range muxDiffPaths {
		f.Add(byte(i), byte(i/7), p)
	}
	f.Add(byte(0), byte(0), "/posts/%41%2F/../x?y")
	std, ours := newMuxDiffPair(f, muxDiffPatterns)
	f.Fuzz(func(t *testing.T, m, h byte, target string) {
		method := muxDiffMethods[int(m)%len(muxDiffMethods)]
		host := muxDiffHosts[int(h)%len(muxDiffHosts)]
		got := muxOurOutcome(ours, method, host, target) // whatever the target
		if !muxFuzzableTarget(target) {
			return
		}
		path, _, _ := strings.Cut(target, "?")
		if method == MethodConnect && strings.Contains(path, "//") {
			// net/http takes an empty segment of an (uncleaned) CONNECT
			// path for a wildcard without recording its value, and then
			// panics in PathValue; ours gives the wildcard "".
			return
		}
		for seg := range strings.SplitSeq(path, "/") {
			if strings.EqualFold(seg, "%2F") {
				// net/http takes a segment "%2F" for the trailing slash
				// that {$} matches; ours keeps it a segment "/".
				return
			}
		}
		want, ok := muxStdOutcome(std, method, host, target)
		if !ok {
			return
		}
		if !muxPlainTarget(target) {
			want.location, got.location = "", ""
		}
		if d := compareMuxOutcomes(method, target, want, got); d != "" {
			t.Fatalf("%s %s%s: %s", method, host, target, d)
		}
	})
}

// muxFuzzableTarget reports whether target is an origin-form target that a
// server would pass on: it starts with '/' and has no control bytes,
// spaces or '#'.
func muxFuzzableTarget(target string) bool {
	if target == "" || target[0] != '/' {
		return false
	}
	for i := 0; i < len(target); i++ {
		if c := target[i]; c <= ' ' || c >= 0x7f || c == '#' {
			return false
		}
	}
	return true
}

// muxPlainTarget reports whether target holds only bytes that net/http does
// not re-escape when it writes a redirect's Location.
func muxPlainTarget(target string) bool {
	for i := 0; i < len(target); i++ {
		c := target[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("/._~-?=&", c) >= 0) {
			return false
		}
	}
	return true
}

// muxFuzzBasePatterns are registered before the fuzzed pattern in
// FuzzServeMuxPattern, so that conflicts are exercised.
var muxFuzzBasePatterns = []string{
	"/a/{x}", "GET /b/", "/c/{$}", "example.com/d/{y...}", "POST /{z}/e/f", "/f/g/h",
}

// FuzzServeMuxPattern registers a fuzzed pattern after muxFuzzBasePatterns in
// both net/http's ServeMux and ours: both must accept it or both refuse it
// (as invalid or conflicting).
func FuzzServeMuxPattern(f *testing.F) {
	for _, s := range []string{
		"/", "GET /a/b", "/a/{x}/", "/{x}/e/{y}", "HEAD /b/c", "/c/", "/{$}", "/a/{x...}",
		"example.com/d/", "POST example.com/{q}/e/f", "/{", "GET", "/{a}/{a}", "/{$}x",
		"CONNECT /a/../b", "GET /a/../b", "/%2F", "PUT\t/f/{g}/h",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePattern(s)
		if err == nil && !muxComparablePattern(p) {
			return
		}
		std := http.NewServeMux()
		ours := NewServeMux()
		for _, b := range muxFuzzBasePatterns {
			std.HandleFunc(b, func(http.ResponseWriter, *http.Request) {})
			ours.HandleFunc(b, func(ResponseWriter, *Request) {})
		}
		stdMsg := muxPanic(func() { std.HandleFunc(s, func(http.ResponseWriter, *http.Request) {}) })
		ourMsg := muxPanic(func() { ours.HandleFunc(s, func(ResponseWriter, *Request) {}) })
		if (stdMsg == "") != (ourMsg == "") {
			t.Fatalf("%q: net/http panic %q, ours %q", s, stdMsg, ourMsg)
		}
		if ourMsg == "" {
			// A registered pattern serves a request without panicking.
			ours.ServeHTTP(&muxSink{}, muxRequest(p.method, p.host, commonPath(p.segs, nil)))
		}
	})
}

// muxComparablePattern reports whether p is outside the corners where we
// differ from net/http on purpose: hosts are compared without case (and
// IPv6 literals without brackets), and a literal "%2F" segment is not
// confused with {$}.
func muxComparablePattern(p *pattern) bool {
	rest := p.str
	if p.method != "" {
		rest = strings.TrimLeft(rest[len(p.method):], " \t")
	}
	if host := rest[:strings.IndexByte(rest, '/')]; strings.ContainsAny(host, "[]ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return false
	}
	for _, s := range p.segs {
		if s.kind == segLiteral && s.s == "/" {
			return false
		}
	}
	return true
}
