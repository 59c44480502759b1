package nethttp

import (
	"bytes"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"turbohttp"
)

// recorder is a turbohttp.ResponseWriter that keeps what it is given, for
// tests that run the adapter without a server.
type recorder struct {
	header, trailer turbohttp.Header
	informational   []int
	status          int
	body            bytes.Buffer
	flushes         int
}

func (rec *recorder) Header() *turbohttp.Header  { return &rec.header }
func (rec *recorder) Trailer() *turbohttp.Header { return &rec.trailer }
func (rec *recorder) WriteHeader(code int) {
	if code < 200 && code != 101 {
		rec.informational = append(rec.informational, code)
		return
	}
	if rec.status == 0 {
		rec.status = code
	}
}
func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = 200
	}
	return rec.body.Write(p)
}
func (rec *recorder) WriteString(s string) (int, error) { return rec.Write([]byte(s)) }
func (rec *recorder) Flush() error                      { rec.flushes++; return nil }

// newRequest builds a server-side turbohttp request for target with the
// given fields ("Name: value" each).
func newRequest(method, target string, fields ...string) *turbohttp.Request {
	r := &turbohttp.Request{Method: method, ProtoMajor: 1, ProtoMinor: 1, RequestURI: []byte(target), Body: strings.NewReader("")}
	for _, f := range fields {
		name, value, _ := strings.Cut(f, ":")
		value = strings.TrimSpace(value)
		r.Header.Add(name, value)
		if strings.EqualFold(name, "Host") {
			r.Host = []byte(value)
		}
	}
	return r
}

// wantURL returns the URL net/http's server makes of a target.
func wantURL(method, target string) (*url.URL, error) {
	justAuthority := method == "CONNECT" && !strings.HasPrefix(target, "/")
	if justAuthority {
		target = "http://" + target
	}
	u, err := url.ParseRequestURI(target)
	if err == nil && justAuthority {
		u.Scheme = ""
	}
	return u, err
}

// wantHeader returns the header map net/http's server makes of the
// fields of r.
func wantHeader(r *turbohttp.Request, chunked bool) http.Header {
	h := http.Header{}
	for i := range r.Header.Len() {
		name, value := r.Header.At(i)
		h[http.CanonicalHeaderKey(string(name))] = append(h[http.CanonicalHeaderKey(string(name))], string(value))
	}
	delete(h, "Host")
	if chunked {
		delete(h, "Transfer-Encoding")
		delete(h, "Trailer")
	}
	if pv := h["Pragma"]; len(pv) > 0 && pv[0] == "no-cache" && h["Cache-Control"] == nil {
		h["Cache-Control"] = []string{"no-cache"}
	}
	return h
}

func TestConvertRequest(t *testing.T) {
	r := newRequest("GET", "/a/b?x=1&y=2",
		"Host: example.com", "user-agent: test", "ACCEPT: */*", "X-Custom-thing: 1",
		"x-custom-thing: 2", "Pragma: no-cache")
	r.TLS = nil
	x := newExchange()
	if err := x.prepare(&recorder{}, r); err != nil {
		t.Fatal(err)
	}
	req := &x.req
	if req.Method != "GET" || req.Proto != "HTTP/1.1" || req.ProtoMajor != 1 || req.ProtoMinor != 1 {
		t.Errorf("method/proto: %q %q %d.%d", req.Method, req.Proto, req.ProtoMajor, req.ProtoMinor)
	}
	if req.Host != "example.com" || req.RequestURI != "/a/b?x=1&y=2" {
		t.Errorf("host %q, request URI %q", req.Host, req.RequestURI)
	}
	if req.URL.Path != "/a/b" || req.URL.RawQuery != "x=1&y=2" || req.URL.Query().Get("y") != "2" {
		t.Errorf("URL %#v", req.URL)
	}
	want := http.Header{
		"User-Agent":     {"test"},
		"Accept":         {"*/*"},
		"X-Custom-Thing": {"1", "2"},
		"Pragma":         {"no-cache"},
		"Cache-Control":  {"no-cache"},
	}
	if !reflect.DeepEqual(req.Header, want) {
		t.Errorf("header %v, want %v", req.Header, want)
	}
	if req.Body != http.NoBody || req.ContentLength != 0 || req.TransferEncoding != nil || req.Trailer != nil {
		t.Errorf("body %v, length %d, TE %v, trailer %v", req.Body, req.ContentLength, req.TransferEncoding, req.Trailer)
	}
	if req.Context() == nil {
		t.Error("nil context")
	}
}

func TestConvertChunkedRequest(t *testing.T) {
	r := newRequest("POST", "/up", "Host: h", "Transfer-Encoding: chunked",
		"Trailer: x-checksum, Content-Length, x-other", "Content-Type: text/plain")
	r.ContentLength = -1
	r.Body = strings.NewReader("data")
	r.Trailer.Add("x-checksum", "abc")
	x := newExchange()
	if err := x.prepare(&recorder{}, r); err != nil {
		t.Fatal(err)
	}
	req := &x.req
	if !slices.Equal(req.TransferEncoding, []string{"chunked"}) || req.ContentLength != -1 {
		t.Errorf("TE %v, length %d", req.TransferEncoding, req.ContentLength)
	}
	if _, ok := req.Header["Transfer-Encoding"]; ok {
		t.Error("Transfer-Encoding left in the header")
	}
	if _, ok := req.Header["Trailer"]; ok {
		t.Error("Trailer left in the header")
	}
	wantDeclared := http.Header{"X-Checksum": nil, "X-Other": nil}
	if !reflect.DeepEqual(req.Trailer, wantDeclared) {
		t.Errorf("declared trailer %v, want %v", req.Trailer, wantDeclared)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(req.Body); err != nil || buf.String() != "data" {
		t.Fatalf("body %q, %v", buf.String(), err)
	}
	if got := req.Trailer.Get("X-Checksum"); got != "abc" {
		t.Errorf("trailer after EOF: %v", req.Trailer)
	}
}

func TestParseTarget(t *testing.T) {
	tests := []struct{ method, target string }{
		{"GET", "/"},
		{"GET", "/a/b/c"},
		{"GET", "/a?"},
		{"GET", "/a??"},
		{"GET", "/a?b?"},
		{"GET", "/a?b=c&d"},
		{"GET", "/caf%C3%A9"},
		{"GET", "/a%2Fb"},
		{"GET", "/a(b)"},
		{"GET", "/a b"},
		{"GET", "/a#frag"},
		{"GET", "//double"},
		{"GET", "/%zz"},
		{"GET", "/a?\x01"},
		{"GET", "*"},
		{"OPTIONS", "*"},
		{"GET", "http://example.com/x?y"},
		{"GET", "https://u@example.com:8443"},
		{"CONNECT", "example.com:443"},
		{"CONNECT", "/rpc"},
		{"GET", "example.com"},
		{"GET", ""},
	}
	for _, tt := range tests {
		var u url.URL
		err := parseTarget(&u, tt.method, tt.target)
		want, wantErr := wantURL(tt.method, tt.target)
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%s %q: error %v, net/http's %v", tt.method, tt.target, err, wantErr)
			continue
		}
		if err == nil && !reflect.DeepEqual(&u, want) {
			t.Errorf("%s %q: %#v, want %#v", tt.method, tt.target, u, *want)
		}
	}
}

func TestCanonicalKey(t *testing.T) {
	for _, name := range []string{"a", "A", "content-type", "Content-Type", "X-Foo-bar", "x-FOO", "X-Foo", "foo_bar", "1abc", "a-", "-a"} {
		if got, want := canonicalKey(name), http.CanonicalHeaderKey(name); got != want {
			t.Errorf("canonicalKey(%q) = %q, want %q", name, got, want)
		}
	}
	for _, name := range commonHeaderNames {
		if http.CanonicalHeaderKey(name) != name {
			t.Errorf("common name %q is not canonical", name)
		}
	}
}

func TestCopyHeader(t *testing.T) {
	src := http.Header{
		"Content-Type":              {"text/plain"},
		"X-Multi":                   {"a", "b"},
		"X-Spaces":                  {"  padded\t"},
		"X-Newline":                 {"one\r\ntwo"},
		http.TrailerPrefix + "X-Tr": {"later"},
		"Bad Name":                  {"v"},
	}
	var dst turbohttp.Header
	dst.Add("Stale", "x")
	if _, n := copyHeader(&dst, src, nil); n != 1 {
		t.Errorf("%d trailer keys, want 1", n)
	}
	var got []string
	for name, value := range dst.All() {
		got = append(got, string(name)+": "+string(value))
	}
	want := []string{"Bad Name: v", "Content-Type: text/plain", "X-Multi: a", "X-Multi: b", "X-Newline: one  two", "X-Spaces: padded"}
	if !slices.Equal(got, want) {
		t.Errorf("copied %q, want %q", got, want)
	}
}

// FuzzConvertRequest checks the conversion of a request target and header
// against what net/http's server makes of them, reusing one exchange as
// the pool does.
func FuzzConvertRequest(f *testing.F) {
	f.Add("GET", "/a/b?c=d", "Host: example.com\nuser-agent: x\nAccept: */*")
	f.Add("CONNECT", "example.com:443", "Host: example.com:443")
	f.Add("GET", "/caf%C3%A9?q", "x-a: 1\nX-A: 2\nPragma: no-cache")
	f.Add("OPTIONS", "*", "")
	f.Add("GET", "http://h/p#f", "cookie: a=b\ncookie: c=d")
	f.Add("POST", "/x", "Transfer-Encoding: chunked\nTrailer: a, b")
	x := newExchange()
	f.Fuzz(func(t *testing.T, method, target, fields string) {
		r := newRequest(method, target)
		for _, line := range strings.Split(fields, "\n") {
			name, value, _ := strings.Cut(line, ":")
			value = strings.Trim(value, " \t")
			if !turbohttp.ValidFieldName(name) || !turbohttp.ValidFieldValue(value) {
				continue // the server would have refused the request
			}
			r.Header.Add(name, value)
			if strings.EqualFold(name, "Host") && r.Host == nil {
				r.Host = []byte(value)
			}
			if strings.EqualFold(name, "Transfer-Encoding") {
				r.ContentLength = -1
			}
		}
		defer x.release()
		err := x.prepare(&recorder{}, r)
		wantU, wantErr := wantURL(method, target)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%s %q: error %v, net/http's %v", method, target, err, wantErr)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(x.req.URL, wantU) {
			t.Fatalf("%s %q: URL %#v, want %#v", method, target, *x.req.URL, *wantU)
		}
		if want := wantHeader(r, r.ContentLength < 0); !reflect.DeepEqual(x.req.Header, want) {
			t.Fatalf("header %v, want %v", x.req.Header, want)
		}
		if x.req.RequestURI != target || x.req.Method != method {
			t.Fatalf("request URI %q, method %q", x.req.RequestURI, x.req.Method)
		}
	})
}
