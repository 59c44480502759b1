package turbohttp

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// muxRecorder is a ResponseWriter that keeps what a handler wrote.
type muxRecorder struct {
	header, trailer Header
	code            int
	body            []byte
}

func (w *muxRecorder) Header() *Header  { return &w.header }
func (w *muxRecorder) Trailer() *Header { return &w.trailer }
func (w *muxRecorder) Flush() error     { w.WriteHeader(StatusOK); return nil }

func (w *muxRecorder) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *muxRecorder) Write(p []byte) (int, error) {
	w.WriteHeader(StatusOK)
	w.body = append(w.body, p...)
	return len(p), nil
}

func (w *muxRecorder) WriteString(s string) (int, error) {
	w.WriteHeader(StatusOK)
	w.body = append(w.body, s...)
	return len(s), nil
}

// muxRequest builds a server-side request for method, host and target (a
// path with an optional query), as the server would fill it.
func muxRequest(method, host, target string) *Request {
	r := &Request{Method: method, Host: []byte(host), ProtoMajor: 1, ProtoMinor: 1}
	r.RequestURI = []byte(target)
	path, query, ok := strings.Cut(target, "?")
	r.URL.Path = []byte(path)
	if ok {
		r.URL.RawQuery = []byte(query)
	}
	return r
}

// muxServe registers patterns, each with a handler that writes its
// pattern and values, and serves one request.
func muxServe(t *testing.T, patterns []string, method, host, target string) (*muxRecorder, *Request) {
	t.Helper()
	mux := NewServeMux()
	for _, p := range patterns {
		mux.HandleFunc(p, func(w ResponseWriter, r *Request) {
			fmt.Fprintf(w, "%s", r.Pattern())
			for _, pv := range r.pathValues {
				fmt.Fprintf(w, " %s=%q", pv.name, pv.value)
			}
		})
	}
	w := &muxRecorder{}
	r := muxRequest(method, host, target)
	mux.ServeHTTP(w, r)
	return w, r
}

// muxCase is one request through a mux and what should come of it: for a
// 200 the pattern chosen and the wildcard values; otherwise the status and
// the Location (3xx) or Allow (405) field.
type muxCase struct {
	method, host, target string
	code                 int
	want                 string // body for 200, Location for 301, Allow for 405
}

func runMuxCases(t *testing.T, patterns []string, cases []muxCase) {
	t.Helper()
	for _, c := range cases {
		method := c.method
		if method == "" {
			method = MethodGet
		}
		w, _ := muxServe(t, patterns, method, c.host, c.target)
		var got string
		switch w.code {
		case StatusOK:
			got = string(w.body)
		case StatusMovedPermanently:
			got = w.header.Get("Location")
		case StatusMethodNotAllowed:
			got = w.header.Get("Allow")
		}
		if w.code != c.code || got != c.want {
			t.Errorf("%s %s%s: got %d %q, want %d %q", method, c.host, c.target, w.code, got, c.code, c.want)
		}
	}
}

func TestServeMuxPrecedence(t *testing.T) {
	patterns := []string{
		"/",
		"/images/",
		"/images/thumbnails/",
		"/posts/{id}",
		"/posts/latest",
		"GET /posts/{id}/edit",
		"/posts/{id}/edit",
		"example.com/",
		"example.com/{$}",
		"GET api.example.com/posts/{id}",
		"/a/b/z",
		"/a/{x}/c",
	}
	runMuxCases(t, patterns, []muxCase{
		{target: "/images/thumbnails/x.png", code: 200, want: "/images/thumbnails/"},
		{target: "/images/x.png", code: 200, want: "/images/"},
		{target: "/images/thumbnails", code: 301, want: "/images/thumbnails/"},
		{target: "/posts/latest", code: 200, want: "/posts/latest"},
		{target: "/posts/7", code: 200, want: `/posts/{id} id="7"`},
		{target: "/posts/7/edit", code: 200, want: `GET /posts/{id}/edit id="7"`},
		{method: "HEAD", target: "/posts/7/edit", code: 200, want: `GET /posts/{id}/edit id="7"`},
		{method: "POST", target: "/posts/7/edit", code: 200, want: `/posts/{id}/edit id="7"`},
		{host: "example.com", target: "/posts/7", code: 200, want: "example.com/"},
		{host: "EXAMPLE.com:8080", target: "/", code: 200, want: "example.com/{$}"},
		{host: "other.org", target: "/", code: 200, want: "/"},
		{host: "api.example.com", target: "/posts/9", code: 200, want: `GET api.example.com/posts/{id} id="9"`},
		// The host pattern does not match POST, so those without a host do.
		{method: "POST", host: "api.example.com", target: "/posts/9", code: 200, want: `/posts/{id} id="9"`},
		// Backtracking: the literal branch b fails at c, the wildcard matches.
		{target: "/a/b/c", code: 200, want: `/a/{x}/c x="b"`},
		{target: "/a/b/z", code: 200, want: "/a/b/z"},
		{target: "/a/b/y", code: 200, want: "/"},
	})
}

func TestServeMuxWildcards(t *testing.T) {
	patterns := []string{
		"/{$}",
		"/b/{bucket}/o/{object...}",
		"/files/{rest...}",
		"/users/{id}/{$}",
		"/users/{id}",
		"/esc/{v}",
		"/caf%C3%A9",
		"/a%2Fb",
		"/esc/lit",
		"/esc/" + strings.Repeat("A", maxStackKey+1),
	}
	runMuxCases(t, patterns, []muxCase{
		{target: "/", code: 200, want: "/{$}"},
		{target: "/x", code: 404},
		{target: "/b/bk/o/a/b/c", code: 200, want: `/b/{bucket}/o/{object...} bucket="bk" object="a/b/c"`},
		{target: "/b/bk/o/", code: 200, want: `/b/{bucket}/o/{object...} bucket="bk" object=""`},
		{target: "/b/bk/o", code: 301, want: "/b/bk/o/"},
		{target: "/files/", code: 200, want: `/files/{rest...} rest=""`},
		{target: "/files/a%2Fb/c%20d", code: 200, want: `/files/{rest...} rest="a/b/c d"`},
		{target: "/users/42/", code: 200, want: `/users/{id}/{$} id="42"`},
		{target: "/users/42", code: 200, want: `/users/{id} id="42"`},
		{target: "/users/42/x", code: 404},
		// %2F does not split a segment; values are unescaped.
		{target: "/esc/a%2Fb", code: 200, want: `/esc/{v} v="a/b"`},
		{target: "/esc/a/b", code: 404},
		{target: "/esc/100%25", code: 200, want: `/esc/{v} v="100%"`},
		{target: "/esc/%zz", code: 200, want: `/esc/{v} v="%zz"`},
		{target: "/caf%c3%a9", code: 200, want: "/caf%C3%A9"},
		{target: "/a%2fb", code: 200, want: "/a%2Fb"},
		{target: "/a/b", code: 404},
		// Escaped segments longer than maxStackKey are decoded as well.
		{target: "/esc/" + strings.Repeat("%41", maxStackKey+1), code: 200, want: "/esc/" + strings.Repeat("A", maxStackKey+1)},
		{target: "/esc/" + strings.Repeat("%41", 100), code: 200, want: `/esc/{v} v="` + strings.Repeat("A", 100) + `"`},
	})
}

func TestServeMuxMethods(t *testing.T) {
	patterns := []string{
		"GET /r",
		"PUT /r",
		"DELETE /r/",
		"HEAD /h",
		"POST /p/{x}",
		"/any",
	}
	runMuxCases(t, patterns, []muxCase{
		{target: "/r", code: 200, want: "GET /r"},
		{method: "HEAD", target: "/r", code: 200, want: "GET /r"},
		{method: "PUT", target: "/r", code: 200, want: "PUT /r"},
		{method: "POST", target: "/r", code: 405, want: "DELETE, GET, HEAD, PUT"},
		{method: "DELETE", target: "/r", code: 301, want: "/r/"},
		{method: "POST", target: "/r/x", code: 405, want: "DELETE"},
		{method: "HEAD", target: "/h", code: 200, want: "HEAD /h"},
		{target: "/h", code: 405, want: "HEAD"},
		{target: "/p/1", code: 405, want: "POST"},
		{method: "BREW", target: "/any", code: 200, want: "/any"},
		{target: "/none", code: 404},
	})
}

func TestServeMuxRedirects(t *testing.T) {
	patterns := []string{
		"/tree/",
		"/both/",
		"/both",
		"/b/",
		"/c/{x}",
		"CONNECT /tunnel/",
		"CONNECT /raw//x",
	}
	runMuxCases(t, patterns, []muxCase{
		{target: "/tree", code: 301, want: "/tree/"},
		{target: "/tree?a=1&b=%20", code: 301, want: "/tree/?a=1&b=%20"},
		{target: "/both", code: 200, want: "/both"},
		{target: "/both/x", code: 200, want: "/both/"},
		{target: "//b/../tree/x?q=1", code: 301, want: "/tree/x?q=1"},
		{target: "/tree/./x/", code: 301, want: "/tree/x/"},
		{target: "/tree/x/..", code: 301, want: "/tree/"},
		{target: "/b/.", code: 301, want: "/b/"},
		{target: "/nothing//here", code: 301, want: "/nothing/here"},
		// The Location keeps the request's escapes.
		{target: "//tree/a%2Fb%20c", code: 301, want: "/tree/a%2Fb%20c"},
		// Cleaned and then redirected for the slash in one step.
		{target: "//tree", code: 301, want: "/tree/"},
		// Escaped dots are not dot segments.
		{target: "/c/%2e%2e", code: 200, want: `/c/{x} x=".."`},
		// CONNECT: no cleaning, but the slash redirect.
		{method: "CONNECT", target: "/tunnel", code: 301, want: "/tunnel/"},
		{method: "CONNECT", target: "/raw//x", code: 200, want: "CONNECT /raw//x"},
		{method: "CONNECT", target: "/tunnel/../x", code: 200, want: "CONNECT /tunnel/"},
	})
}

func TestServeMuxErrorReplies(t *testing.T) {
	patterns := []string{"POST /p"}
	for _, c := range []struct {
		target string
		code   int
		body   string
	}{
		{"/x", 404, "404 page not found\n"},
		{"/p", 405, "Method Not Allowed\n"},
	} {
		w, r := muxServe(t, patterns, MethodGet, "", c.target)
		if w.code != c.code || string(w.body) != c.body {
			t.Errorf("%s: got %d %q, want %d %q", c.target, w.code, w.body, c.code, c.body)
		}
		if got := w.header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", c.target, got)
		}
		if got := w.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", c.target, got)
		}
		if r.Pattern() != "" {
			t.Errorf("%s: Pattern() = %q, want empty", c.target, r.Pattern())
		}
	}
	w := &muxRecorder{}
	w.header.Set("Content-Length", "99")
	Error(w, "teapot", 418)
	if w.code != 418 || string(w.body) != "teapot\n" || w.header.Has("Content-Length") {
		t.Errorf("Error: got %d %q, Content-Length %q", w.code, w.body, w.header.Get("Content-Length"))
	}
}

func TestServeMuxAsterisk(t *testing.T) {
	w, _ := muxServe(t, []string{"/"}, MethodOptions, "", "*")
	if w.code != StatusBadRequest || w.header.Get("Connection") != "close" {
		t.Errorf("OPTIONS *: got %d, Connection %q", w.code, w.header.Get("Connection"))
	}
}

func TestServeMuxHandlerDoesNotModify(t *testing.T) {
	mux := NewServeMux()
	mux.HandleFunc("/u/{id}", func(ResponseWriter, *Request) {})
	mux.HandleFunc("/t/", func(ResponseWriter, *Request) {})
	for _, c := range []struct{ method, target, pattern string }{
		{"GET", "/u/1", "/u/{id}"},
		{"GET", "/t", "/t/"},        // redirect, to the pattern
		{"GET", "//u/1", "/u/{id}"}, // clean redirect
		{"GET", "/none", ""},
	} {
		r := muxRequest(c.method, "", c.target)
		h, pattern := mux.Handler(r)
		if h == nil || pattern != c.pattern {
			t.Errorf("Handler(%s): %v, %q; want pattern %q", c.target, h, pattern, c.pattern)
		}
		if r.Pattern() != "" || len(r.pathValues) != 0 {
			t.Errorf("Handler(%s) modified the request", c.target)
		}
	}
	// The handlers Handler returns for errors and redirects answer.
	r := muxRequest("GET", "", "/t?x")
	h, _ := mux.Handler(r)
	w := &muxRecorder{}
	h.ServeHTTP(w, r)
	if w.code != 301 || w.header.Get("Location") != "/t/?x" {
		t.Errorf("redirect handler: %d %q", w.code, w.header.Get("Location"))
	}
	mux.HandleFunc("PUT /m", func(ResponseWriter, *Request) {})
	mux.HandleFunc("POST /m", func(ResponseWriter, *Request) {})
	r = muxRequest("GET", "", "/m")
	h, pattern := mux.Handler(r)
	w = &muxRecorder{}
	h.ServeHTTP(w, r)
	if pattern != "" || w.code != 405 || w.header.Get("Allow") != "POST, PUT" {
		t.Errorf("405 handler: %q %d %q", pattern, w.code, w.header.Get("Allow"))
	}
}

func TestServeMuxReplacesPathValues(t *testing.T) {
	mux := NewServeMux()
	var got []string
	mux.HandleFunc("/{a}/{b}", func(_ ResponseWriter, r *Request) {
		got = []string{r.PathValue("a"), r.PathValue("b"), r.PathValue("old")}
	})
	r := muxRequest("GET", "", "/x/y")
	r.SetPathValue("old", "v")
	mux.ServeHTTP(&muxRecorder{}, r)
	if !slices.Equal(got, []string{"x", "y", ""}) {
		t.Errorf("values %q", got)
	}
}

// TestServeMuxManyChildren crosses maxListedChildren, for literal children
// and for hosts, so that both the list and the map are used.
func TestServeMuxManyChildren(t *testing.T) {
	for _, n := range []int{maxListedChildren, maxListedChildren + 1, 3 * maxListedChildren} {
		var patterns []string
		for i := range n {
			patterns = append(patterns, fmt.Sprintf("/s%d/{x}", i), fmt.Sprintf("h%d.example/", i))
		}
		patterns = append(patterns, "/s%25/x")
		var cases []muxCase
		for i := range n {
			cases = append(cases,
				muxCase{target: fmt.Sprintf("/s%d/v", i), code: 200, want: fmt.Sprintf(`/s%d/{x} x="v"`, i)},
				muxCase{host: fmt.Sprintf("H%d.Example:1", i), target: "/q", code: 200, want: fmt.Sprintf("h%d.example/", i)})
		}
		cases = append(cases,
			muxCase{target: "/s%25/x", code: 200, want: "/s%25/x"},
			muxCase{target: "/s%2525/x", code: 404},
			muxCase{target: "/t/v", code: 404},
			muxCase{host: "h.example", target: "/q", code: 404},
			muxCase{host: strings.Repeat("H", maxStackKey+1), target: "/q", code: 404})
		runMuxCases(t, patterns, cases)
	}
}

func TestServeMuxZeroValueAndConcurrentRegistration(t *testing.T) {
	var mux ServeMux
	w := &muxRecorder{}
	mux.ServeHTTP(w, muxRequest("GET", "", "/"))
	if w.code != 404 {
		t.Fatalf("empty mux: %d", w.code)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 50 {
				mux.HandleFunc(fmt.Sprintf("/g%d/r%d", i, j), func(w ResponseWriter, r *Request) { w.WriteHeader(204) })
				w := &muxRecorder{}
				mux.ServeHTTP(w, muxRequest("GET", "", fmt.Sprintf("/g%d/r%d", i, j)))
				if w.code != 204 {
					t.Errorf("/g%d/r%d: %d", i, j, w.code)
				}
			}
		})
	}
	wg.Wait()
}

func TestServeMuxBadRegistrations(t *testing.T) {
	mux := NewServeMux()
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"nil Handler", func() { mux.Handle("/", nil) }},
		{"nil HandlerFunc", func() { mux.Handle("/", HandlerFunc(nil)) }},
		{"nil func", func() { mux.HandleFunc("/", nil) }},
	} {
		if msg := muxPanic(c.f); !strings.Contains(msg, "nil handler") {
			t.Errorf("%s: panic %q", c.name, msg)
		}
	}
}

// muxPanic runs f and returns the message it panicked with, or "".
func muxPanic(f func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg = fmt.Sprint(v)
		}
	}()
	f()
	return ""
}

// TestServeMuxConnectEmptySegment: an uncleaned CONNECT path may have empty
// segments; a wildcard matches them with an empty value.
func TestServeMuxConnectEmptySegment(t *testing.T) {
	runMuxCases(t, []string{"/b/{bucket}/o/{obj...}"}, []muxCase{
		{method: "CONNECT", target: "/b//o/", code: 200, want: `/b/{bucket}/o/{obj...} bucket="" obj=""`},
		{method: "CONNECT", target: "/b//o//x", code: 200, want: `/b/{bucket}/o/{obj...} bucket="" obj="/x"`},
	})
}

// TestServeMuxEscapedSlashSegment: a segment "%2F" is the one-byte segment
// "/", neither a separator nor the trailing slash {$} matches.
func TestServeMuxEscapedSlashSegment(t *testing.T) {
	runMuxCases(t, []string{"/{$}", "/a/{$}", "/a/{x}", "/"}, []muxCase{
		{target: "/%2F", code: 200, want: "/"},
		{target: "/a/%2f", code: 200, want: `/a/{x} x="/"`},
		{target: "/a/", code: 200, want: "/a/{$}"},
	})
}
