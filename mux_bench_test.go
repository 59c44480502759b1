package turbohttp

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// muxBenchRoutes is a REST-like API of about 50 patterns: static paths,
// wildcards, methods, a subtree.
var muxBenchRoutes = func() []string {
	routes := []string{
		"/",
		"GET /health",
		"GET /metrics",
		"GET /static/",
		"GET /favicon.ico",
		"GET /docs/{page...}",
	}
	for _, res := range []string{"users", "posts", "orders", "items", "carts", "tags"} {
		routes = append(routes,
			"GET /api/v1/"+res,
			"POST /api/v1/"+res,
			"GET /api/v1/"+res+"/{id}",
			"PUT /api/v1/"+res+"/{id}",
			"DELETE /api/v1/"+res+"/{id}",
			"GET /api/v1/"+res+"/{id}/history",
			"GET /api/v1/"+res+"/search",
		)
	}
	return routes
}()

// muxBenchRequests are the requests routed, with the pattern each must reach.
var muxBenchRequests = []struct{ name, method, path, pattern string }{
	{"static", "GET", "/api/v1/orders/search", "GET /api/v1/orders/search"},
	{"root", "GET", "/", "/"},
	{"wildcard", "GET", "/api/v1/users/12345", "GET /api/v1/users/{id}"},
	{"wildcard2", "GET", "/api/v1/tags/42/history", "GET /api/v1/tags/{id}/history"},
	{"method", "DELETE", "/api/v1/posts/7", "DELETE /api/v1/posts/{id}"},
	{"multi", "GET", "/docs/guide/install/linux", "GET /docs/{page...}"},
}

// muxSink is a ResponseWriter that discards everything, for allocation
// tests and benchmarks.
type muxSink struct{ h Header }

func (w *muxSink) Header() *Header                   { return &w.h }
func (w *muxSink) Trailer() *Header                  { return &w.h }
func (w *muxSink) WriteHeader(int)                   {}
func (w *muxSink) Write(p []byte) (int, error)       { return len(p), nil }
func (w *muxSink) WriteString(s string) (int, error) { return len(s), nil }
func (w *muxSink) Flush() error                      { return nil }

// newMuxBenchMux returns our mux with muxBenchRoutes; each handler records the
// pattern it was reached by in *got.
func newMuxBenchMux(got *string) *ServeMux {
	mux := NewServeMux()
	for _, p := range muxBenchRoutes {
		mux.HandleFunc(p, func(_ ResponseWriter, r *Request) { *got = r.Pattern() })
	}
	return mux
}

// TestServeMuxAllocs proves that routing allocates nothing, for static
// routes and for wildcards whose values need no unescaping.
func TestServeMuxAllocs(t *testing.T) {
	var got string
	mux := newMuxBenchMux(&got)
	w := &muxSink{}
	for _, c := range muxBenchRequests {
		r := muxRequest(c.method, "example.com", c.path)
		allocs := testing.AllocsPerRun(100, func() { mux.ServeHTTP(w, r) })
		if got != c.pattern {
			t.Errorf("%s: reached %q, want %q", c.path, got, c.pattern)
		}
		if allocs != 0 {
			t.Errorf("%s %s: %v allocations per request, want 0", c.method, c.path, allocs)
		}
	}
	// A value with an escape is decoded into a new buffer: one allocation.
	mux.HandleFunc("/v/{x}", func(ResponseWriter, *Request) {})
	r := muxRequest("GET", "", "/v/a%20b")
	if allocs := testing.AllocsPerRun(100, func() { mux.ServeHTTP(w, r) }); allocs != 1 {
		t.Errorf("escaped value: %v allocations, want 1", allocs)
	}
	if v := r.PathValue("x"); v != "a b" {
		t.Errorf("escaped value %q", v)
	}
}

// TestServeMuxValuesAreViews checks that a value needing no unescaping is
// a view of the request's path.
func TestServeMuxValuesAreViews(t *testing.T) {
	mux := NewServeMux()
	mux.HandleFunc("/u/{id}/{rest...}", func(ResponseWriter, *Request) {})
	r := muxRequest("GET", "", "/u/42/a/b")
	mux.ServeHTTP(&muxSink{}, r)
	id, rest := r.PathValueBytes("id"), r.PathValueBytes("rest")
	if string(id) != "42" || string(rest) != "a/b" || &id[0] != &r.URL.Path[3] || &rest[0] != &r.URL.Path[6] {
		t.Errorf("values %q %q are not views of the path", id, rest)
	}
}

// BenchmarkServeMux routes the same requests through our ServeMux and
// net/http's, with the same ~50 patterns.
func BenchmarkServeMux(b *testing.B) {
	var got string
	ours := newMuxBenchMux(&got)
	std := http.NewServeMux()
	var stdGot string
	for _, p := range muxBenchRoutes {
		std.HandleFunc(p, func(_ http.ResponseWriter, r *http.Request) { stdGot = r.Pattern })
	}
	for _, c := range muxBenchRequests {
		b.Run(fmt.Sprintf("turbohttp/%s", c.name), func(b *testing.B) {
			w, r := &muxSink{}, muxRequest(c.method, "example.com", c.path)
			b.ReportAllocs()
			for b.Loop() {
				ours.ServeHTTP(w, r)
			}
			if got != c.pattern {
				b.Fatalf("reached %q", got)
			}
		})
		b.Run(fmt.Sprintf("net-http/%s", c.name), func(b *testing.B) {
			r := &http.Request{Method: c.method, Host: "example.com", URL: &url.URL{Path: c.path}, RequestURI: c.path}
			w := muxStdSink{}
			b.ReportAllocs()
			for b.Loop() {
				std.ServeHTTP(w, r)
			}
			if stdGot != c.pattern {
				b.Fatalf("reached %q", stdGot)
			}
		})
	}
}

// muxStdSink is muxSink for net/http.
type muxStdSink struct{}

func (muxStdSink) Header() http.Header         { return http.Header{} }
func (muxStdSink) Write(p []byte) (int, error) { return len(p), nil }
func (muxStdSink) WriteHeader(int)             {}
