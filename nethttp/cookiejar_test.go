package nethttp

import (
	"io"
	"net/http/cookiejar"
	"net/url"
	"testing"

	"turbohttp"
	"turbohttp/turbotest"
)

// TestCookieJarAdapter: a turbohttp.Client over net/http's jar keeps a
// session cookie, and net/http code sees the same jar.
func TestCookieJarAdapter(t *testing.T) {
	srv := turbotest.NewServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		if string(r.URL.Path) == "/login" {
			turbohttp.SetCookie(w, &turbohttp.Cookie{Name: "sid", Value: "42", Path: "/", SameSite: "Strict"})
			return
		}
		c, err := r.Cookie("sid")
		if err != nil {
			io.WriteString(w, "anonymous")
			return
		}
		io.WriteString(w, "sid "+c.Value)
	}))
	defer srv.Close()
	hjar, _ := cookiejar.New(nil)
	client := &turbohttp.Client{Transport: srv.Transport(), Jar: CookieJar(hjar)}
	var body []byte
	for _, p := range []string{"/login", "/me"} {
		resp, err := client.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if string(body) != "sid 42" {
		t.Errorf("got %q", body)
	}
	u, _ := url.Parse(srv.URL)
	if cs := hjar.Cookies(u); len(cs) != 1 || cs[0].Value != "42" {
		t.Errorf("net/http's view of the jar: %v", cs)
	}
	CookieJar(hjar).SetCookies(u, []*turbohttp.Cookie{{Name: "b", Value: "2", SameSite: "Lax"}})
	if cs := CookieJar(hjar).Cookies(u); len(cs) != 2 || cs[1].Name != "b" {
		t.Errorf("round trip: %v", cs)
	}
	if sameSiteName(sameSiteMode("None")) != "None" || sameSiteName(sameSiteMode("")) != "" {
		t.Error("SameSite names do not round-trip")
	}
}
