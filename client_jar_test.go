package turbohttp_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"turbohttp"
	"turbohttp/cookiejar"
	"turbohttp/turbotest"
)

// TestClientJarSession logs in through a redirect that sets a cookie, with
// the Client's Jar set: the cookie goes with the redirect and with later
// requests; without a Jar it does not.
func TestClientJarSession(t *testing.T) {
	mux := turbohttp.NewServeMux()
	mux.HandleFunc("POST /login", func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		turbohttp.SetCookie(w, &turbohttp.Cookie{Name: "session", Value: "s-" + r.FormValue("user"), Path: "/", HttpOnly: true})
		turbohttp.Redirect(w, r, "/home", turbohttp.StatusSeeOther)
	})
	mux.HandleFunc("GET /home", func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		c, err := r.Cookie("session")
		if err != nil {
			turbohttp.Error(w, "who are you?", turbohttp.StatusUnauthorized)
			return
		}
		io.WriteString(w, "welcome "+c.Value)
	})
	srv := turbotest.NewServer(mux)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	withJar := &turbohttp.Client{Transport: srv.Transport(), Jar: jar}
	without := &turbohttp.Client{Transport: srv.Transport()}
	for _, c := range []struct {
		client *turbohttp.Client
		want   string
	}{{withJar, "welcome s-ada"}, {without, "who are you?\n"}} {
		resp, err := c.client.PostForm(srv.URL+"/login", url.Values{"user": {"ada"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != c.want {
			t.Errorf("after login: %q, want %q", b, c.want)
		}
	}
	resp, err := withJar.Get(srv.URL + "/home")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "welcome s-ada" {
		t.Errorf("later request: %q", b)
	}
}

// hopRecorder is a server that redirects /r/N to /r/N-1 down to /r/0 and
// records the Referer and User-Agent each hop received.
type hopRecorder struct {
	mu   sync.Mutex
	hops []string
}

func (h *hopRecorder) ServeHTTP(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	h.mu.Lock()
	h.hops = append(h.hops, string(r.URL.Path)+" ref="+r.Referer()+" ua="+r.UserAgent())
	h.mu.Unlock()
	switch p := string(r.URL.Path); p {
	case "/r/2":
		turbohttp.Redirect(w, r, "/r/1?x=1", 302)
	case "/r/1":
		turbohttp.Redirect(w, r, "0", 307)
	}
}

func (h *hopRecorder) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.hops
	h.hops = nil
	return out
}

// TestClientRefererNetHTTP follows the same redirects with our Client and
// net/http's: the same Referer on every hop; and our default User-Agent.
func TestClientRefererNetHTTP(t *testing.T) {
	rec := &hopRecorder{}
	srv := turbotest.NewServer(rec)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/r/2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ours := rec.take()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	hreq, _ := http.NewRequest("GET", srv.URL+"/r/2", nil)
	hreq.Header.Set("User-Agent", turbohttp.DefaultUserAgent)
	hresp, err := hc.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	hresp.Body.Close()
	theirs := rec.take()
	if strings.Join(ours, "\n") != strings.Join(theirs, "\n") || len(ours) != 3 {
		t.Errorf("ours:\n%s\nnet/http:\n%s", strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
	}
	// A Referer and User-Agent the caller set are kept.
	req, _ := turbohttp.NewRequest("GET", srv.URL+"/r/1", nil)
	req.Header.Set("Referer", "https://app.example/")
	req.Header.Set("User-Agent", "mine/2")
	resp, err = srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := rec.take(); len(got) != 2 || got[1] != "/r/0 ref=https://app.example/ ua=mine/2" {
		t.Errorf("explicit: %q", got)
	}
}

// TestClientNoRefererToHTTP: no Referer goes from an https page to an
// http one, not even one the caller set.
func TestClientNoRefererToHTTP(t *testing.T) {
	rec := &hopRecorder{}
	plain := turbotest.NewServer(rec)
	defer plain.Close()
	secure := turbotest.NewTLSServer(turbohttp.RedirectHandler(plain.URL+"/r/0", 302))
	defer secure.Close()
	for _, explicit := range []string{"", "https://app.example/"} {
		req, _ := turbohttp.NewRequest("GET", secure.URL+"/", nil)
		if explicit != "" {
			req.Header.Set("Referer", explicit)
		}
		resp, err := secure.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := rec.take(); len(got) != 1 || !strings.Contains(got[0], "ref= ") {
			t.Errorf("referer %q: hop saw %q", explicit, got)
		}
	}
}

// TestClientCloseIdleConnections: the server sees the Client's idle
// connection close.
func TestClientCloseIdleConnections(t *testing.T) {
	srv := turbotest.NewUnstartedServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {}))
	closed := make(chan struct{}, 1)
	srv.Config.ConnState = func(_ net.Conn, st turbohttp.ConnState) {
		if st == turbohttp.StateClosed {
			closed <- struct{}{}
		}
	}
	srv.Start()
	defer srv.Close()
	c := srv.Client()
	resp, err := c.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	c.CloseIdleConnections()
	<-closed // a connection left open hangs the test until it times out
}

// TestPackageClientFuncs: Get, Head, Post and PostForm use DefaultClient.
func TestPackageClientFuncs(t *testing.T) {
	srv := turbotest.NewServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		io.WriteString(w, r.Method+" "+r.FormValue("k")+" "+r.Header.Get("Content-Type"))
	}))
	defer srv.Close()
	defer turbohttp.DefaultClient.CloseIdleConnections()
	check := func(resp *turbohttp.Response, err error, want string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != want {
			t.Errorf("got %q, want %q", b, want)
		}
	}
	resp, err := turbohttp.Get(srv.URL + "/?k=g")
	check(resp, err, "GET g ")
	resp, err = turbohttp.Head(srv.URL + "/")
	check(resp, err, "")
	resp, err = turbohttp.Post(srv.URL+"/?k=q", "text/plain", strings.NewReader("x"))
	check(resp, err, "POST q text/plain")
	resp, err = turbohttp.PostForm(srv.URL+"/", url.Values{"k": {"f"}})
	check(resp, err, "POST f application/x-www-form-urlencoded")
}
