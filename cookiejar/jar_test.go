package cookiejar_test

import (
	"fmt"
	"net/http"
	netjar "net/http/cookiejar"
	"net/url"
	"sort"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/publicsuffix"

	"turbohttp"
	"turbohttp/cookiejar"
)

// step sets cookies from a URL (set non-empty) or asks which a URL gets.
type step struct {
	url  string
	set  []string // Set-Cookie values
	want string   // for a query: "a=1 b=2", in the jar's order
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func render[C any](cs []C, nv func(C) (string, string)) string {
	var parts []string
	for _, c := range cs {
		n, v := nv(c)
		parts = append(parts, n+"="+v)
	}
	return strings.Join(parts, " ")
}

// runOurs plays the steps on our jar and returns what each query got.
func runOurs(t *testing.T, steps []step) []string {
	jar, _ := cookiejar.New(nil)
	var got []string
	for _, s := range steps {
		u := mustURL(t, s.url)
		if s.set != nil {
			var cs []*turbohttp.Cookie
			for _, line := range s.set {
				if c, err := turbohttp.ParseSetCookie(line); err == nil {
					cs = append(cs, c)
				}
			}
			jar.SetCookies(u, cs)
			continue
		}
		got = append(got, render(jar.Cookies(u), func(c *turbohttp.Cookie) (string, string) { return c.Name, c.Value }))
	}
	return got
}

// runNetHTTP plays the steps on net/http's jar with the same list.
func runNetHTTP(t *testing.T, steps []step) []string {
	jar, _ := netjar.New(&netjar.Options{PublicSuffixList: publicsuffix.List})
	var got []string
	for _, s := range steps {
		u := mustURL(t, s.url)
		if s.set != nil {
			var cs []*http.Cookie
			for _, line := range s.set {
				if c, err := http.ParseSetCookie(line); err == nil {
					cs = append(cs, c)
				}
			}
			jar.SetCookies(u, cs)
			continue
		}
		got = append(got, render(jar.Cookies(u), func(c *http.Cookie) (string, string) { return c.Name, c.Value }))
	}
	return got
}

// common holds scenarios where our jar and net/http's must agree.
var common = map[string][]step{
	"host-only": {
		{url: "http://www.example.com/", set: []string{"a=1"}},
		{url: "http://www.example.com/x", want: "a=1"},
		{url: "http://example.com/", want: ""},
		{url: "http://sub.www.example.com/", want: ""},
	},
	"domain": {
		{url: "http://www.example.com/", set: []string{"a=1; Domain=example.com", "b=2; Domain=.EXAMPLE.com"}},
		{url: "http://example.com/", want: "a=1 b=2"},
		{url: "http://deep.sub.example.com/", want: "a=1 b=2"},
		{url: "http://notexample.com/", want: ""},
	},
	"foreign domain refused": {
		{url: "http://www.example.com/", set: []string{"a=1; Domain=other.com", "b=2; Domain=www.example.com.evil"}},
		{url: "http://other.com/", want: ""},
		{url: "http://www.example.com/", want: ""},
	},
	"public suffix refused": {
		{url: "http://www.example.co.uk/", set: []string{"a=1; Domain=co.uk", "b=2; Domain=uk", "c=3; Domain=example.co.uk"}},
		{url: "http://other.co.uk/", want: ""},
		{url: "http://x.example.co.uk/", want: "c=3"},
	},
	"public suffix host": {
		{url: "http://github.io/", set: []string{"a=1; Domain=github.io"}},
		{url: "http://github.io/", want: "a=1"},
		{url: "http://user.github.io/", want: ""},
	},
	"paths": {
		{url: "http://h.example/docs/page", set: []string{"d=1", "r=2; Path=/", "w=3; Path=/docs/web", "bad=4; Path=relative"}},
		{url: "http://h.example/docs/web/x", want: "w=3 d=1 bad=4 r=2"},
		{url: "http://h.example/docs", want: "d=1 bad=4 r=2"},
		{url: "http://h.example/docsx", want: "r=2"},
		{url: "http://h.example/", want: "r=2"},
	},
	"replace and delete": {
		{url: "http://h.example/", set: []string{"a=1", "b=2"}},
		{url: "http://h.example/", set: []string{"a=3", "b=; Max-Age=0"}},
		{url: "http://h.example/", want: "a=3"},
		{url: "http://h.example/", set: []string{"a=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}},
		{url: "http://h.example/", want: ""},
	},
	"secure": {
		{url: "https://h.example/", set: []string{"s=1; Secure", "p=2"}},
		{url: "https://h.example/", want: "s=1 p=2"},
		{url: "http://h.example/", want: "p=2"},
	},
	"ip address": {
		{url: "http://192.0.2.1:8080/", set: []string{"a=1", "b=2; Domain=192.0.2.1", "c=3; Domain=2.1"}},
		{url: "http://192.0.2.1/", want: "a=1 b=2"},
	},
	"other schemes ignored": {
		{url: "ftp://h.example/", set: []string{"a=1"}},
		{url: "http://h.example/", want: ""},
	},
	"ports do not matter": {
		{url: "http://h.example:8080/", set: []string{"a=1"}},
		{url: "http://h.example:9090/", want: "a=1"},
	},
}

// TestJarNetHTTP plays each common scenario on both jars.
func TestJarNetHTTP(t *testing.T) {
	for name, steps := range common {
		ours, theirs := runOurs(t, steps), runNetHTTP(t, steps)
		var want []string
		for _, s := range steps {
			if s.set == nil {
				want = append(want, s.want)
			}
		}
		if fmt.Sprint(ours) != fmt.Sprint(theirs) || fmt.Sprint(ours) != fmt.Sprint(want) {
			t.Errorf("%s:\n ours     %q\n net/http %q\n want     %q", name, ours, theirs, want)
		}
	}
}

// TestJarSaferThanNetHTTP covers where we differ from net/http's jar on
// purpose (see the package doc).
func TestJarSaferThanNetHTTP(t *testing.T) {
	for name, steps := range map[string][]step{
		"secure needs https": {
			{url: "http://h.example/", set: []string{"s=1; Secure"}},
			{url: "https://h.example/", want: ""},
		},
		"http cannot shadow secure": {
			{url: "https://h.example/", set: []string{"s=secret; Secure; Path=/"}},
			{url: "http://h.example/", set: []string{"s=evil; Path=/app", "t=ok"}},
			{url: "https://h.example/app", want: "s=secret t=ok"},
		},
		"__Secure- prefix": {
			{url: "https://h.example/", set: []string{"__Secure-a=1", "__Secure-b=2; Secure", "__secure-c=3"}},
			{url: "https://h.example/", want: "__Secure-b=2"},
		},
		"__Host- prefix": {
			{url: "https://h.example/", set: []string{"__Host-a=1; Secure; Path=/", "__Host-b=2; Secure; Path=/; Domain=h.example",
				"__Host-c=3; Secure; Path=/x", "__Host-d=4; Path=/"}},
			{url: "https://h.example/x", want: "__Host-a=1"},
		},
	} {
		var want []string
		for _, s := range steps {
			if s.set == nil {
				want = append(want, s.want)
			}
		}
		if got := runOurs(t, steps); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

func TestJarExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		u := mustURL(t, "http://h.example/")
		jar.SetCookies(u, []*turbohttp.Cookie{
			{Name: "short", Value: "1", MaxAge: 60},
			{Name: "dated", Value: "2", Expires: time.Now().Add(2 * time.Minute)},
			{Name: "session", Value: "3"},
			{Name: "forever", Value: "4", MaxAge: 1 << 40},
		})
		check := func(want string) {
			t.Helper()
			if got := render(jar.Cookies(u), func(c *turbohttp.Cookie) (string, string) { return c.Name, c.Value }); got != want {
				t.Errorf("after %v: %q, want %q", time.Since(time.Unix(946684800, 0)), got, want)
			}
		}
		check("short=1 dated=2 session=3 forever=4")
		time.Sleep(61 * time.Second)
		check("dated=2 session=3 forever=4")
		time.Sleep(time.Minute)
		check("session=3 forever=4")
		time.Sleep(400 * 24 * time.Hour) // lifetimes are capped at 400 days
		check("session=3")
	})
}

// TestJarLimits: the jar keeps MaxCookiesPerDomain per domain and
// MaxCookies in all, evicting the least recently used, and ignores a
// cookie over MaxCookieBytes.
func TestJarLimits(t *testing.T) {
	jar, _ := cookiejar.New(nil)
	u := mustURL(t, "http://h.example/")
	for i := range cookiejar.MaxCookiesPerDomain + 10 {
		jar.SetCookies(u, []*turbohttp.Cookie{{Name: fmt.Sprintf("c%03d", i), Value: "v"}})
	}
	cs := jar.Cookies(u)
	if len(cs) != cookiejar.MaxCookiesPerDomain {
		t.Fatalf("%d cookies kept", len(cs))
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	sort.Strings(names)
	if names[0] != "c010" {
		t.Errorf("oldest kept %s, want c010", names[0])
	}
	jar.SetCookies(u, []*turbohttp.Cookie{{Name: "huge", Value: strings.Repeat("x", cookiejar.MaxCookieBytes)}})
	for _, c := range jar.Cookies(u) {
		if c.Name == "huge" {
			t.Error("kept a cookie over MaxCookieBytes")
		}
	}
	for d := range cookiejar.MaxCookies/100 + 5 {
		du := mustURL(t, fmt.Sprintf("http://d%d.example/", d))
		for i := range 100 {
			jar.SetCookies(du, []*turbohttp.Cookie{{Name: fmt.Sprintf("c%d", i), Value: "v"}})
		}
	}
	total := 0
	for d := range cookiejar.MaxCookies/100 + 5 {
		total += len(jar.Cookies(mustURL(t, fmt.Sprintf("http://d%d.example/", d))))
	}
	total += len(jar.Cookies(u))
	if total != cookiejar.MaxCookies {
		t.Errorf("%d cookies in all, want %d", total, cookiejar.MaxCookies)
	}
	if n := len(jar.Cookies(u)); n != 0 {
		t.Errorf("the least recently used domain kept %d cookies", n)
	}
}

func TestJarIDN(t *testing.T) {
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(mustURL(t, "http://bücher.example/"), []*turbohttp.Cookie{{Name: "a", Value: "1", Domain: "bücher.example"}})
	if got := jar.Cookies(mustURL(t, "http://www.xn--bcher-kva.example/")); len(got) != 1 {
		t.Errorf("IDN domain: %v", got)
	}
}
