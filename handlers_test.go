package turbohttp_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"turbohttp"
	"turbohttp/turbotest"
)

// pathEcho answers with the request's path and query as it saw them.
func pathEcho(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	io.WriteString(w, string(r.URL.Path)+"?"+string(r.URL.RawQuery))
}

func TestStripPrefix(t *testing.T) {
	h := turbohttp.StripPrefix("/static/", turbohttp.HandlerFunc(pathEcho))
	for target, want := range map[string]string{
		"/static/css/a.css?v=1": "200 css/a.css?v=1",
		"/static/":              "200 ?",
		"/static/a%20b":         "200 a%20b?",
		"/st%61tic/x":           "200 x?", // a needless escape matches (net/http: 404)
		"/static%2Fx":           "404",    // an escaped slash does not
		"/stat":                 "404",
		"/other/static/x":       "404",
		"/static":               "404",
	} {
		r := turbotest.NewRequest("GET", target, nil)
		w := turbotest.NewRecorder()
		h.ServeHTTP(w, r)
		got := strings.TrimSpace(strings.TrimPrefix(w.Body.String(), "404 page not found"))
		got = strings.TrimSpace(strconv.Itoa(w.Code) + " " + got)
		if w.Code == 404 {
			got = "404"
		}
		if got != want {
			t.Errorf("%s: %q, want %q", target, got, want)
		}
		if string(r.URL.Path) != strings.SplitN(target, "?", 2)[0] {
			t.Errorf("%s: path not restored: %q", target, r.URL.Path)
		}
	}
	if turbohttp.StripPrefix("", turbohttp.NotFoundHandler()) == nil {
		t.Error("empty prefix")
	}
}

// TestRedirectNetHTTP redirects with us and with net/http from the same
// requests: the same status, Location, Content-Type and body.
func TestRedirectNetHTTP(t *testing.T) {
	for _, c := range []struct{ method, target, location string }{
		{"GET", "/a/b", "c"},
		{"GET", "/a/b/", "../c/"},
		{"GET", "/a/b", "/abs?q=1"},
		{"HEAD", "/a/b", "./x/./y/"},
		{"POST", "/a/b", "http://other.example/p?x"},
		{"GET", "/a/b", "https://ex.example/é<\">&'"},
		{"GET", "/", "?only=query"},
		{"GET", "/a/b", ""},
		{"GET", "/a/b", "//host.example/p"},
		{"PUT", "/x", "y#frag"},
	} {
		for _, code := range []int{301, 302, 303, 307, 308} {
			w := turbotest.NewRecorder()
			turbohttp.Redirect(w, turbotest.NewRequest(c.method, c.target, nil), c.location, code)
			hw := httptest.NewRecorder()
			http.Redirect(hw, httptest.NewRequest(c.method, c.target, nil), c.location, code)
			if w.Code != hw.Code || w.Header().Get("Location") != hw.Header().Get("Location") ||
				w.Header().Get("Content-Type") != hw.Header().Get("Content-Type") || w.Body.String() != hw.Body.String() {
				t.Errorf("%s %s → %q (%d):\n ours     %d %q %q %q\n net/http %d %q %q %q", c.method, c.target, c.location, code,
					w.Code, w.Header().Get("Location"), w.Header().Get("Content-Type"), w.Body.String(),
					hw.Code, hw.Header().Get("Location"), hw.Header().Get("Content-Type"), hw.Body.String())
			}
		}
	}
	// Where net/http would put a CR, LF or space in the field, we escape.
	w := turbotest.NewRecorder()
	turbohttp.Redirect(w, turbotest.NewRequest("GET", "/", nil), "/a b\r\nSet-Cookie: x=1", 302)
	if loc := w.Header().Get("Location"); loc != "/a%20b%0d%0aSet-Cookie:%20x=1" {
		t.Errorf("Location %q", loc)
	}
	// A Content-Type set by the handler means no body.
	w = turbotest.NewRecorder()
	w.Header().Set("Content-Type", "application/json")
	turbohttp.RedirectHandler("/x", 307).ServeHTTP(w, turbotest.NewRequest("GET", "/", nil))
	if w.Code != 307 || w.Body.Len() != 0 || w.Header().Get("Location") != "/x" {
		t.Errorf("RedirectHandler: %d %q %q", w.Code, w.Body.String(), w.Header().Get("Location"))
	}
}

func TestNotFoundNetHTTP(t *testing.T) {
	w, hw := turbotest.NewRecorder(), httptest.NewRecorder()
	turbohttp.NotFoundHandler().ServeHTTP(w, turbotest.NewRequest("GET", "/x", nil))
	http.NotFoundHandler().ServeHTTP(hw, httptest.NewRequest("GET", "/x", nil))
	if w.Code != hw.Code || w.Body.String() != hw.Body.String() || w.Header().Get("Content-Type") != hw.Header().Get("Content-Type") {
		t.Errorf("ours %d %q %q, net/http %d %q %q", w.Code, w.Body.String(), w.Header().Get("Content-Type"),
			hw.Code, hw.Body.String(), hw.Header().Get("Content-Type"))
	}
}

func TestAllowQuerySemicolons(t *testing.T) {
	var form string
	h := turbohttp.AllowQuerySemicolons(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		form = r.FormValue("a") + "," + r.FormValue("b")
		pathEcho(w, r)
	}))
	r := turbotest.NewRequest("GET", "/p?a=1;b=2", nil)
	w := turbotest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Body.String() != "/p?a=1&b=2" || form != "1,2" || string(r.URL.RawQuery) != "a=1;b=2" {
		t.Errorf("saw %q, form %q, query after %q", w.Body.String(), form, r.URL.RawQuery)
	}
	w = turbotest.NewRecorder()
	h.ServeHTTP(w, turbotest.NewRequest("GET", "/p?a=1&b=2", nil))
	if w.Body.String() != "/p?a=1&b=2" {
		t.Errorf("without semicolons: %q", w.Body.String())
	}
}

func TestMaxBytesHandler(t *testing.T) {
	var readErr error
	h := turbohttp.MaxBytesHandler(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		_, readErr = io.ReadAll(r.Body)
		var mbe *turbohttp.MaxBytesError
		if errors.As(readErr, &mbe) {
			turbohttp.Error(w, "too large", 413)
			return
		}
		io.WriteString(w, "ok")
	}), 8)
	srv := turbotest.NewServer(h)
	defer srv.Close()
	for body, want := range map[string]int{"12345678": 200, "123456789": 413, strings.Repeat("x", 1<<20): 413} {
		resp, err := srv.Client().Post(srv.URL+"/", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || want == 413 && !resp.Close {
			t.Errorf("%d bytes: %d close=%v, want %d", len(body), resp.StatusCode, resp.Close, want)
		}
	}
	// Reads at the exact limit end cleanly, and the reader is sticky.
	rd := turbohttp.MaxBytesReader(nil, strings.NewReader("abc"), 3)
	if b, err := io.ReadAll(rd); string(b) != "abc" || err != nil {
		t.Errorf("at the limit: %q %v", b, err)
	}
	rd = turbohttp.MaxBytesReader(nil, strings.NewReader("abcd"), 3)
	b, err := io.ReadAll(rd)
	var mbe *turbohttp.MaxBytesError
	if string(b) != "abc" || !errors.As(err, &mbe) || mbe.Limit != 3 {
		t.Errorf("past the limit: %q %v", b, err)
	}
	if _, err := rd.Read(make([]byte, 1)); !errors.As(err, &mbe) {
		t.Errorf("after the error: %v", err)
	}
}

// TestServeFileNetHTTP serves the same files with ServeFile and net/http's.
func TestServeFileNetHTTP(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello file"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "index.html"), []byte("<p>index"), 0o644)
	for _, c := range []struct{ target, name string }{
		{"/dl", filepath.Join(dir, "a.txt")},
		{"/dl", filepath.Join(dir, "missing.txt")},
		{"/sub/", filepath.Join(dir, "sub")},
		{"/x/../dl", filepath.Join(dir, "a.txt")},
	} {
		w, hw := turbotest.NewRecorder(), httptest.NewRecorder()
		turbohttp.ServeFile(w, turbotest.NewRequest("GET", c.target, nil), c.name)
		http.ServeFile(hw, httptest.NewRequest("GET", c.target, nil), c.name)
		if w.Code != hw.Code || w.Code == 200 && (w.Body.String() != hw.Body.String() ||
			w.Header().Get("Content-Type") != hw.Header().Get("Content-Type")) {
			t.Errorf("%s %s: ours %d %q %q, net/http %d %q %q", c.target, c.name, w.Code, w.Header().Get("Content-Type"), w.Body.String(),
				hw.Code, hw.Header().Get("Content-Type"), hw.Body.String())
		}
	}
}

var registerDefault sync.Once

// TestDefaultServeMux: a Server with no Handler serves DefaultServeMux,
// where the package-level HandleFunc registers.
func TestDefaultServeMux(t *testing.T) {
	registerDefault.Do(func() { // DefaultServeMux outlives a test run (-count)
		turbohttp.HandleFunc("GET /default-mux-test/{name}", func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
			io.WriteString(w, "hi "+r.PathValue("name"))
		})
		turbohttp.Handle("/default-mux-test-2/", turbohttp.NotFoundHandler())
	})
	srv := turbotest.NewServer(nil)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/default-mux-test/ada")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "hi ada" || srv.Config.Handler != turbohttp.DefaultServeMux {
		t.Errorf("%d %q", resp.StatusCode, b)
	}
	defer func() {
		if recover() == nil {
			t.Error("a conflicting registration did not panic")
		}
	}()
	turbohttp.HandleFunc("GET /default-mux-test/{other}", func(turbohttp.ResponseWriter, *turbohttp.Request) {})
}

// TestStripPrefixNetHTTP strips the same prefixes from the same paths as
// net/http, where our matching agrees with it (paths without needless
// escapes): the same status, and the same rest of the path once decoded.
func TestStripPrefixNetHTTP(t *testing.T) {
	for _, c := range []struct{ prefix, target string }{
		{"/static/", "/static/css/a.css"},
		{"/static/", "/static/"},
		{"/static", "/static/x"},
		{"/static/", "/static"},
		{"/static/", "/other"},
		{"/a b/", "/a%20b/c%20d"},
		{"/api/", "/api%2Fx"},
		{"/é/", "/%C3%A9/x"},
	} {
		var ours, theirs string
		w := turbotest.NewRecorder()
		turbohttp.StripPrefix(c.prefix, turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
			p, err := url.PathUnescape(string(r.URL.Path))
			if err != nil {
				t.Fatal(err)
			}
			ours = p
		})).ServeHTTP(w, turbotest.NewRequest("GET", c.target, nil))
		hw := httptest.NewRecorder()
		http.StripPrefix(c.prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			theirs = r.URL.Path
		})).ServeHTTP(hw, httptest.NewRequest("GET", c.target, nil))
		if w.Code != hw.Code || ours != theirs {
			t.Errorf("%s on %s: %d %q, net/http %d %q", c.prefix, c.target, w.Code, ours, hw.Code, theirs)
		}
	}
}

// TestMaxBytesReaderNetHTTP reads the same bodies through both readers:
// the same bytes, and a *MaxBytesError with the same limit where net/http
// gives its own.
func TestMaxBytesReaderNetHTTP(t *testing.T) {
	for _, c := range []struct {
		body  string
		limit int64
	}{{"", 0}, {"a", 0}, {"abc", 3}, {"abcd", 3}, {strings.Repeat("x", 100000), 65536}, {"abc", -1}} {
		ob, oerr := io.ReadAll(turbohttp.MaxBytesReader(nil, strings.NewReader(c.body), c.limit))
		tb, terr := io.ReadAll(http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(strings.NewReader(c.body)), c.limit))
		var ome *turbohttp.MaxBytesError
		var tme *http.MaxBytesError
		if string(ob) != string(tb) || errors.As(oerr, &ome) != errors.As(terr, &tme) || ome != nil && ome.Limit != tme.Limit {
			t.Errorf("%d bytes, limit %d: %d %v; net/http %d %v", len(c.body), c.limit, len(ob), oerr, len(tb), terr)
		}
	}
}
