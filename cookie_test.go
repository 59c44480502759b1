package turbohttp_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"turbohttp"
	"turbohttp/turbotest"
)

var cookieHeaders = [][]string{
	{"a=1; b=2"},
	{"a=1", "b=2; c=3"},
	{`q="quoted"; e=; =noname; bad name=1; ok=x`},
	{"sp=a b; comma=a,b; semi=a\\b; ctl=a\x01b"},
	{" a = 1 ;; ; b=2 ", "\tc=3\t"},
	{`x="`, `y=""`, `z="a"b"`},
	{"dup=1; dup=2"},
	{"ünï=1; a=ü"},
	{""},
	{strings.Repeat("k=v; ", 2999) + "last=1"},
	{strings.Repeat("k=v; ", 3000) + "over=1"},
}

// TestRequestCookiesNetHTTP reads the same Cookie fields with net/http and
// with us: the same cookies, in the same order.
func TestRequestCookiesNetHTTP(t *testing.T) {
	for _, lines := range cookieHeaders {
		theirs := httptest.NewRequest("GET", "/", nil)
		ours := turbotest.NewRequest("GET", "/", nil)
		for _, l := range lines {
			theirs.Header.Add("Cookie", l)
			ours.Header.Add("Cookie", l)
		}
		want, got := theirs.Cookies(), ours.Cookies()
		name := strings.Join(lines, "|")
		if len(name) > 60 {
			name = name[:60]
		}
		if len(got) != len(want) {
			t.Errorf("%q: %d cookies, net/http %d", name, len(got), len(want))
			continue
		}
		for i := range got {
			if got[i].Name != want[i].Name || got[i].Value != want[i].Value {
				t.Errorf("%q: cookie %d %s=%s, net/http %s=%s", name, i, got[i].Name, got[i].Value, want[i].Name, want[i].Value)
			}
		}
		for _, n := range []string{"a", "b", "q", "dup", "sp", "e"} {
			tc, terr := theirs.Cookie(n)
			oc, oerr := ours.Cookie(n)
			if (terr == nil) != (oerr == nil) || terr == nil && tc.Value != oc.Value {
				t.Errorf("%q: Cookie(%q) = %v, %v; net/http %v, %v", name, n, oc, oerr, tc, terr)
			}
		}
	}
}

func TestRequestCookieErrors(t *testing.T) {
	r := turbotest.NewRequest("GET", "/", nil)
	if _, err := r.Cookie("a"); !errors.Is(err, turbohttp.ErrNoCookie) {
		t.Errorf("no Cookie field: %v", err)
	}
	r.Header.Set("Cookie", strings.Repeat("k=v;", turbohttp.MaxRequestCookies))
	if _, err := r.Cookie("k"); !errors.Is(err, turbohttp.ErrTooManyCookies) || len(r.Cookies()) != 0 {
		t.Errorf("over MaxRequestCookies: %v, %d cookies", err, len(r.Cookies()))
	}
	// The cache follows changes to the header.
	r.Header.Set("Cookie", "k=new")
	if c, err := r.Cookie("k"); err != nil || c.Value != "new" {
		t.Errorf("after Set: %v, %v", c, err)
	}
	r.Header.Add("Cookie", "m=2")
	if c, err := r.Cookie("m"); err != nil || c.Value != "2" {
		t.Errorf("after Add: %v, %v", c, err)
	}
	r.Header.Del("Cookie")
	if _, err := r.Cookie("k"); !errors.Is(err, turbohttp.ErrNoCookie) {
		t.Errorf("after Del: %v", err)
	}
	// A field of the same length at the same place in the header's
	// storage is still seen as a change.
	r.Header.Reset()
	r.Header.Set("Cookie", "k=aaa")
	r.Cookie("k")
	r.Header.Reset()
	r.Header.Set("Cookie", "k=bbb")
	if c, err := r.Cookie("k"); err != nil || c.Value != "bbb" {
		t.Errorf("after Reset and Set: %v, %v", c, err)
	}
}

// TestCookieAllocs: once the Cookie field is parsed, a lookup allocates
// nothing; the parse itself costs one string per Cookie field.
func TestCookieAllocs(t *testing.T) {
	r := turbotest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", "session=abc123; theme=dark; lang=en")
	if c, err := r.Cookie("theme"); err != nil || c.Value != "dark" {
		t.Fatal(c, err)
	}
	if n := testing.AllocsPerRun(100, func() {
		r.Cookie("session")
		r.Cookie("lang")
		r.Cookie("missing")
	}); n != 0 {
		t.Errorf("%v allocations per lookup round", n)
	}
}

func TestAddCookie(t *testing.T) {
	r, _ := turbohttp.NewRequest("GET", "http://example.com/", nil)
	theirs, _ := http.NewRequest("GET", "http://example.com/", nil)
	for _, c := range []turbohttp.Cookie{{Name: "a", Value: "1"}, {Name: "b", Value: "x=y", Path: "/ignored"}} {
		if err := r.AddCookie(&c); err != nil {
			t.Fatal(err)
		}
		theirs.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	if got, want := r.Header.Get("Cookie"), theirs.Header.Get("Cookie"); got != want {
		t.Errorf("Cookie %q, net/http %q", got, want)
	}
	for _, bad := range []turbohttp.Cookie{{Name: "a b", Value: "1"}, {Name: "a", Value: "x;y"}, {Name: "", Value: "1"}} {
		if err := r.AddCookie(&bad); err == nil {
			t.Errorf("AddCookie(%+v) accepted", bad)
		}
	}
}

// TestSetCookieNetHTTP writes valid cookies with SetCookie and with
// net/http's: the same Set-Cookie field.
func TestSetCookieNetHTTP(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))
	sameSite := map[string]http.SameSite{"": 0, "Lax": http.SameSiteLaxMode, "Strict": http.SameSiteStrictMode, "None": http.SameSiteNoneMode}
	for _, c := range []turbohttp.Cookie{
		{Name: "a", Value: "1"},
		{Name: "sid", Value: "x", Path: "/app", Domain: ".Example.com", Expires: exp, MaxAge: 60, Secure: true, HttpOnly: true, SameSite: "Lax"},
		{Name: "gone", Value: "", MaxAge: -1, SameSite: "Strict"},
		{Name: "chip", Value: "v", Secure: true, SameSite: "None", Partitioned: true},
		{Name: "ip", Value: "v", Domain: "192.0.2.1"},
	} {
		w := turbotest.NewRecorder()
		if err := turbohttp.SetCookie(w, &c); err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		hw := httptest.NewRecorder()
		http.SetCookie(hw, &http.Cookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain, Expires: c.Expires,
			MaxAge: c.MaxAge, Secure: c.Secure, HttpOnly: c.HttpOnly, SameSite: sameSite[c.SameSite], Partitioned: c.Partitioned})
		if got, want := w.Header().Get("Set-Cookie"), hw.Header().Get("Set-Cookie"); got != want {
			t.Errorf("Set-Cookie %q\n   net/http %q", got, want)
		}
		// And it reads back as it was written.
		back, err := turbohttp.ParseSetCookie(w.Header().Get("Set-Cookie"))
		if err != nil || back.Name != c.Name || back.Value != c.Value || back.Partitioned != c.Partitioned || back.SameSite != c.SameSite {
			t.Errorf("read back %+v, %v", back, err)
		}
	}
}

// TestSetCookieInvalid: where net/http sanitizes and logs, SetCookie
// refuses the cookie whole and says why.
func TestSetCookieInvalid(t *testing.T) {
	for _, c := range []turbohttp.Cookie{
		{Name: "a;b", Value: "1"},
		{Name: "a", Value: "x\r\nSet-Cookie: evil=1"},
		{Name: "a", Value: "has space"},
		{Name: "a", Value: "1", Path: "/x;Domain=evil"},
		{Name: "a", Value: "1", Domain: "ex ample.com"},
		{Name: "a", Value: "1", Expires: time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Name: "a", Value: "1", SameSite: "lax; Secure"},
		{Name: "a", Value: "1", Partitioned: true},
	} {
		w := turbotest.NewRecorder()
		if err := turbohttp.SetCookie(w, &c); err == nil || w.Header().Has("Set-Cookie") {
			t.Errorf("%+v: accepted (%v)", c, err)
		}
		if s := c.String(); s != "" {
			t.Errorf("%+v: String %q", c, s)
		}
	}
}

// TestParseSetCookieNetHTTP reads Set-Cookie values with net/http and
// with us. We accept what it accepts, with the same fields, except where
// we differ on purpose (docs/migrating.md): values with a space or comma
// are refused (RFC 6265 §4.1.1), a Domain is lower-cased without its
// leading dot, a Path must start with "/", and an unknown SameSite is "".
func TestParseSetCookieNetHTTP(t *testing.T) {
	for _, line := range []string{
		"a=1",
		`id="a3fWa"; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/docs; Domain=example.com; Max-Age=60; Secure; HttpOnly; SameSite=lax`,
		"a=b; Max-Age=0", "a=b; Max-Age=-5", "a=b; max-age=notanumber",
		"a=b; Partitioned; Secure", "a=b; SameSite=None; Secure", "a=b; samesite=STRICT",
		"a=b; Expires=Wed, 21-Oct-2015 07:28:00 GMT", "a=b; Expires=garbage",
		"a=b;;;=;x", "novalue", "=x", "", "a b=c", `a=b"`, "a=\x01",
	} {
		ours, oerr := turbohttp.ParseSetCookie(line)
		theirs, terr := http.ParseSetCookie(line)
		if terr != nil {
			if oerr == nil {
				t.Errorf("%q: accepted, net/http refuses (%v)", line, terr)
			}
			continue
		}
		if oerr != nil {
			t.Errorf("%q: refused (%v), net/http accepts", line, oerr)
			continue
		}
		if ours.Name != theirs.Name || ours.Value != theirs.Value || ours.Path != theirs.Path ||
			ours.Domain != theirs.Domain || !ours.Expires.Equal(theirs.Expires) || ours.MaxAge != theirs.MaxAge ||
			ours.Secure != theirs.Secure || ours.HttpOnly != theirs.HttpOnly || ours.Partitioned != theirs.Partitioned ||
			ours.SameSite != sameSiteName(theirs.SameSite) {
			t.Errorf("%q:\n ours     %+v\n net/http %+v", line, ours, theirs)
		}
	}
	for _, line := range []string{"a=b c", "a=b,c"} { // accepted by net/http
		if _, err := turbohttp.ParseSetCookie(line); !errors.Is(err, turbohttp.ErrBadCookie) {
			t.Errorf("%q: %v, want ErrBadCookie", line, err)
		}
	}
}

func sameSiteName(s http.SameSite) string {
	return map[http.SameSite]string{http.SameSiteLaxMode: "Lax", http.SameSiteStrictMode: "Strict", http.SameSiteNoneMode: "None"}[s]
}

func TestResponseCookiesAndLocation(t *testing.T) {
	req, _ := turbohttp.NewRequest("GET", "http://example.com/a/b?x=1", nil)
	resp := &turbohttp.Response{Request: req}
	resp.Header.Add("Set-Cookie", "a=1; Path=/")
	resp.Header.Add("Set-Cookie", "bad cookie")
	resp.Header.Add("Set-Cookie", "b=2; Partitioned; Secure")
	cs := resp.Cookies()
	if len(cs) != 2 || cs[0].Name != "a" || !cs[1].Partitioned {
		t.Errorf("Cookies %+v", cs)
	}
	if _, err := resp.Location(); !errors.Is(err, turbohttp.ErrNoLocation) {
		t.Errorf("no Location: %v", err)
	}
	for loc, want := range map[string]string{
		"../c?y=2":              "http://example.com/c?y=2",
		"/root":                 "http://example.com/root",
		"https://other.example": "https://other.example",
	} {
		resp.Header.Set("Location", loc)
		if u, err := resp.Location(); err != nil || u.String() != want {
			t.Errorf("Location %q: %v, %v; want %s", loc, u, err, want)
		}
	}
	resp.Header.Set("Location", "http://[bad")
	if _, err := resp.Location(); err == nil {
		t.Error("malformed Location accepted")
	}
}

// TestBasicAuthNetHTTP decodes the same Authorization fields as net/http.
func TestBasicAuthNetHTTP(t *testing.T) {
	for _, v := range []string{
		"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "BASIC YTo=",
		"Basic bm9jb2xvbg==", "Basic !!!", "Bearer abc", "Basic", "Basic ", "Basic Og==",
	} {
		theirs := httptest.NewRequest("GET", "/", nil)
		ours := turbotest.NewRequest("GET", "/", nil)
		theirs.Header.Set("Authorization", v)
		ours.Header.Set("Authorization", v)
		tu, tp, tok := theirs.BasicAuth()
		ou, op, ok := ours.BasicAuth()
		if tu != ou || tp != op || tok != ok {
			t.Errorf("%q: %q %q %v; net/http %q %q %v", v, ou, op, ok, tu, tp, tok)
		}
	}
	r, _ := turbohttp.NewRequest("GET", "http://example.com/", nil)
	r.SetBasicAuth("Aladdin", "open sesame")
	r.Header.Set("User-Agent", "ua/1")
	r.Header.Set("Referer", "http://ref.example/")
	if u, p, ok := r.BasicAuth(); u != "Aladdin" || p != "open sesame" || !ok || r.UserAgent() != "ua/1" || r.Referer() != "http://ref.example/" {
		t.Errorf("round trip: %q %q %v %q %q", u, p, ok, r.UserAgent(), r.Referer())
	}
}

// TestResponseLocationNetHTTP resolves the same Location fields as
// net/http's Response.Location.
func TestResponseLocationNetHTTP(t *testing.T) {
	for _, loc := range []string{"../c?y=2", "/root", "https://other.example/x", "//proto.example/rel", "?q", "", "http://[bad"} {
		req, _ := turbohttp.NewRequest("GET", "http://example.com/a/b?x=1", nil)
		resp := &turbohttp.Response{Request: req}
		resp.Header.Set("Location", loc)
		hreq, _ := http.NewRequest("GET", "http://example.com/a/b?x=1", nil)
		hresp := &http.Response{Request: hreq, Header: http.Header{"Location": {loc}}}
		ou, oerr := resp.Location()
		tu, terr := hresp.Location()
		if (oerr == nil) != (terr == nil) || oerr == nil && ou.String() != tu.String() {
			t.Errorf("%q: %v %v; net/http %v %v", loc, ou, oerr, tu, terr)
		}
	}
}

// BenchmarkRequestCookie measures a lookup once the Cookie field is
// parsed, and the parse itself (the field set anew each time, as the
// server does for the next request).
func BenchmarkRequestCookie(b *testing.B) {
	const field = "session=abc123; theme=dark; lang=en; _ga=GA1.2.3.4"
	r := turbotest.NewRequest("GET", "/", nil)
	b.Run("lookup", func(b *testing.B) {
		r.Header.Reset()
		r.Header.Set("Cookie", field)
		b.ReportAllocs()
		for b.Loop() {
			r.Cookie("lang")
		}
	})
	b.Run("parse", func(b *testing.B) {
		fields := [2]string{field, strings.Replace(field, "en", "fr", 1)}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r.Header.Reset()
			r.Header.Set("Cookie", fields[i&1])
			r.Cookie("lang")
			i++
		}
	})
}
