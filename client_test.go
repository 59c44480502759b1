package turbohttp

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// echoFinal answers with the method, body and credential headers it got.
func echoFinal(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	fmt.Fprintf(w, "%s %s body=%q auth=%q cookie=%q custom=%q ctype=%q",
		r.Method, r.URL.Path, b, r.Header.Get("Authorization"), r.Header.Get("Cookie"),
		r.Header.Get("X-Custom"), r.Header.Get("Content-Type"))
}

func redirectServer(t *testing.T) string {
	srv, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		if code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/")); err == nil {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Location", "/final")
			w.WriteHeader(code)
			return
		}
		echoFinal(w, r)
	}, false)
	return srv.URL
}

func TestClientRedirectCodes(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	base := redirectServer(t)
	c := &Client{Transport: tr}
	cases := []struct {
		code   int
		method string
		want   string
	}{
		{301, "POST", `GET /final body="" auth="" cookie="" custom="" ctype=""`},
		{302, "POST", `GET /final body="" auth="" cookie="" custom="" ctype=""`},
		{303, "POST", `GET /final body="" auth="" cookie="" custom="" ctype=""`},
		{303, "PUT", `GET /final body="" auth="" cookie="" custom="" ctype=""`},
		{307, "POST", `POST /final body="payload" auth="" cookie="" custom="" ctype="text/plain"`},
		{308, "PUT", `PUT /final body="payload" auth="" cookie="" custom="" ctype="text/plain"`},
		{301, "HEAD", ``},
		{303, "HEAD", ``},
	}
	for _, tc := range cases {
		var body io.Reader
		if tc.method != "HEAD" {
			body = strings.NewReader("payload")
		}
		req, err := NewRequest(tc.method, base+"/r/"+strconv.Itoa(tc.code), body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "text/plain")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%d %s: %v", tc.code, tc.method, err)
		}
		got := readClose(t, resp)
		if got != tc.want || resp.StatusCode != 200 {
			t.Errorf("%d %s: got %d %s\nwant %s", tc.code, tc.method, resp.StatusCode, got, tc.want)
		}
		if tc.method == "HEAD" && resp.Request.Method != "HEAD" {
			t.Errorf("%d HEAD became %s", tc.code, resp.Request.Method)
		}
		if string(resp.Request.URL.Path) != "/final" {
			t.Errorf("Response.Request is %s", resp.Request.URL.String())
		}
	}
}

func TestClientRedirect307WithoutGetBody(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	base := redirectServer(t)
	req := newReq(t, MethodPost, base+"/r/307", nil)
	req.Body = io.MultiReader(strings.NewReader("once"))
	_, err := (&Client{Transport: tr}).Do(req)
	if !errors.Is(err, ErrRedirectBody) {
		t.Fatalf("got %v", err)
	}
}

func TestClientRedirectLimit(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	var hits atomic.Int64
	srv, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		http.Redirect(w, r, "/loop/"+strconv.FormatInt(n, 10), http.StatusFound)
	}, false)
	_, err := (&Client{Transport: tr}).Get(srv.URL + "/loop/0")
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("got %v", err)
	}
	if n := hits.Load(); n != MaxRedirects+1 {
		t.Fatalf("server hit %d times, want %d", n, MaxRedirects+1)
	}
	if s := tr.HostStats(strings.TrimPrefix(srv.URL, "http://")); s.InUse != 0 || s.Dials != 1 {
		t.Fatalf("stats %+v (redirect bodies must be drained and connections reused)", s)
	}
}

func TestClientCheckRedirect(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	base := redirectServer(t)
	var vias []int
	c := &Client{Transport: tr, CheckRedirect: func(req *Request, via []*Request) error {
		vias = append(vias, len(via))
		if string(req.URL.Path) != "/final" || string(via[0].URL.Path) != "/r/302" {
			t.Errorf("next %s, via[0] %s", req.URL.String(), via[0].URL.String())
		}
		return ErrUseLastResponse
	}}
	resp, err := c.Get(base + "/r/302")
	if err != nil || resp.StatusCode != 302 || resp.Header.Get("Location") != "/final" {
		t.Fatalf("%v %+v", err, resp)
	}
	resp.Body.Close()
	if len(vias) != 1 || vias[0] != 1 {
		t.Fatalf("CheckRedirect saw via lengths %v", vias)
	}
	stop := errors.New("stop here")
	c.CheckRedirect = func(*Request, []*Request) error { return stop }
	if _, err := c.Get(base + "/r/301"); !errors.Is(err, stop) {
		t.Fatalf("got %v", err)
	}
}

// TestClientRedirectStripsCredentials: Authorization and Cookie survive a
// redirect within the origin and are dropped on one to another origin
// (here another port of the same host).
func TestClientRedirectStripsCredentials(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	other, _ := tpNetHTTPServer(t, echoFinal, false)
	src, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/cross":
			http.Redirect(w, r, other.URL+"/final", http.StatusFound)
		default:
			echoFinal(w, r)
		}
	}, false)
	c := &Client{Transport: tr}
	for path, want := range map[string]string{
		"/same":  `GET /final body="" auth="Bearer secret" cookie="k=v" custom="kept" ctype=""`,
		"/cross": `GET /final body="" auth="" cookie="" custom="kept" ctype=""`,
	} {
		req := newReq(t, MethodGet, src.URL+path, nil)
		req.Header.Set("Authorization", "Bearer secret")
		req.Header.Set("Cookie", "k=v")
		req.Header.Set("X-Custom", "kept")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if got := readClose(t, resp); got != want {
			t.Errorf("%s: got %s\nwant %s", path, got, want)
		}
		if req.Header.Get("Authorization") != "Bearer secret" {
			t.Fatal("Client.Do modified the caller's request")
		}
	}
}

// netJar adapts net/http/cookiejar to CookieJar, as package nethttp will.
type netJar struct{ j *cookiejar.Jar }

func (a netJar) SetCookies(u *url.URL, cookies []*Cookie) {
	hc := make([]*http.Cookie, len(cookies))
	for i, c := range cookies {
		hc[i] = &http.Cookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain,
			Expires: c.Expires, MaxAge: c.MaxAge, Secure: c.Secure, HttpOnly: c.HttpOnly}
	}
	a.j.SetCookies(u, hc)
}

func (a netJar) Cookies(u *url.URL) []*Cookie {
	var out []*Cookie
	for _, c := range a.j.Cookies(u) {
		out = append(out, &Cookie{Name: c.Name, Value: c.Value})
	}
	return out
}

func TestClientCookieJar(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	srv, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc123", Path: "/"})
			http.SetCookie(w, &http.Cookie{Name: "scoped", Value: "x", Path: "/other"})
			http.Redirect(w, r, "/check", http.StatusFound)
		case "/logout":
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "", Path: "/", MaxAge: -1})
		default:
			fmt.Fprintf(w, "cookie=%q", r.Header.Get("Cookie"))
		}
	}, false)
	j, _ := cookiejar.New(nil)
	c := &Client{Transport: tr, Jar: netJar{j}}
	resp, err := c.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	if got := readClose(t, resp); got != `cookie="session=abc123"` {
		t.Fatalf("after login: %s", got)
	}
	resp, _ = c.Get(srv.URL + "/logout")
	readClose(t, resp)
	resp, _ = c.Get(srv.URL + "/check")
	if got := readClose(t, resp); got != `cookie=""` {
		t.Fatalf("after logout: %s", got)
	}
}

func TestClientTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			w.Write([]byte("start"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, false)
	tr := &Transport{}
	c := &Client{Transport: tr, Timeout: 50 * time.Millisecond}
	_, err := c.Get(srv.URL + "/head")
	var ne interface{ Timeout() bool }
	if !errors.Is(err, ErrClientTimeout) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("head stall: %v", err)
	}
	resp, err := c.Get(srv.URL + "/body")
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, ErrClientTimeout) {
		t.Fatalf("body stall: %v", err)
	}
	if s := tr.HostStats(strings.TrimPrefix(srv.URL, "http://")); s.Open != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestClientMethods(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	srv, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		fmt.Fprintf(w, "%s %s a=%s", r.Method, r.Header.Get("Content-Type"), r.Form.Get("a"))
	}, false)
	c := &Client{Transport: tr}
	check := func(resp *Response, err error, want string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if got := readClose(t, resp); got != want {
			t.Fatalf("got %q want %q", got, want)
		}
	}
	resp, err := c.Get(srv.URL + "/?a=1")
	check(resp, err, "GET  a=1")
	resp, err = c.Head(srv.URL)
	check(resp, err, "")
	resp, err = c.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader("a=2"))
	check(resp, err, "POST application/x-www-form-urlencoded a=2")
	resp, err = c.PostForm(srv.URL, url.Values{"a": {"3 &"}})
	check(resp, err, "POST application/x-www-form-urlencoded a=3 &")
}

func TestParseSetCookie(t *testing.T) {
	c, err := ParseSetCookie(`id="a3fWa"; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/docs; Domain=.Example.com; Max-Age=60; Secure; HttpOnly; SameSite=lax; Unknown=1`)
	if err != nil {
		t.Fatal(err)
	}
	want := Cookie{Name: "id", Value: "a3fWa", Path: "/docs", Domain: "example.com",
		Expires: time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC), MaxAge: 60, Secure: true, HttpOnly: true, SameSite: "Lax"}
	if *c != want {
		t.Fatalf("got %+v\nwant %+v", *c, want)
	}
	if c, _ := ParseSetCookie("a=b; Max-Age=0"); c.MaxAge != -1 {
		t.Fatalf("Max-Age=0 gave %d", c.MaxAge)
	}
	for _, bad := range []string{"", "novalue", "=x", "a b=c", "a=b c", `a=b"`, "a=\x01"} {
		if _, err := ParseSetCookie(bad); !errors.Is(err, ErrBadCookie) {
			t.Errorf("%q: got %v", bad, err)
		}
	}
}
