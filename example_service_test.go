package turbohttp_test

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"

	"turbohttp"
	"turbohttp/cookiejar"
	"turbohttp/turbotest"
)

// notes is a small service, as a newcomer would write it: a ServeMux, a
// login that sets a cookie, a form to post, and JSON-free plain text.
type notes struct {
	mu    sync.Mutex
	byWho map[string][]string
}

func newNotes() turbohttp.Handler {
	n := &notes{byWho: map[string][]string{}}
	mux := turbohttp.NewServeMux()
	mux.HandleFunc("POST /login", n.login)
	mux.HandleFunc("POST /notes", n.add)
	mux.HandleFunc("GET /notes", n.list)
	return mux
}

func (n *notes) login(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	user := r.PostFormValue("user")
	if user == "" {
		turbohttp.Error(w, "user missing", turbohttp.StatusBadRequest)
		return
	}
	turbohttp.SetCookie(w, &turbohttp.Cookie{Name: "user", Value: url.QueryEscape(user), Path: "/", HttpOnly: true, SameSite: "Lax"})
	turbohttp.Redirect(w, r, "/notes", turbohttp.StatusSeeOther)
}

// who returns the user of the request's cookie, or "".
func who(r *turbohttp.Request) string {
	c, err := r.Cookie("user")
	if err != nil {
		return ""
	}
	u, _ := url.QueryUnescape(c.Value) // c is valid until the handler returns
	return u
}

func (n *notes) add(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	user := who(r)
	if user == "" {
		turbohttp.Error(w, "log in first", turbohttp.StatusUnauthorized)
		return
	}
	text := r.FormValue("text") // a string: it outlives the request
	n.mu.Lock()
	n.byWho[user] = append(n.byWho[user], text)
	n.mu.Unlock()
	w.WriteHeader(turbohttp.StatusCreated)
}

func (n *notes) list(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	user := who(r)
	n.mu.Lock()
	defer n.mu.Unlock()
	fmt.Fprintf(w, "%s: %s\n", user, strings.Join(n.byWho[user], "; "))
}

// The service's handlers tested one by one with a recorder, no network.
func Example_testingHandlers() {
	h := newNotes()

	w := turbotest.NewRecorder()
	r := turbotest.NewRequest("POST", "/login", strings.NewReader("user=ada"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Location"), w.Header().Get("Set-Cookie"))

	w = turbotest.NewRecorder()
	r = turbotest.NewRequest("POST", "/notes?text=buy+milk", nil)
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))

	w = turbotest.NewRecorder()
	r = turbotest.NewRequest("POST", "/notes?text=buy+milk", nil)
	r.AddCookie(&turbohttp.Cookie{Name: "user", Value: "ada"})
	h.ServeHTTP(w, r)
	fmt.Println(w.Code)
	// Output:
	// 303 /notes user=ada; Path=/; HttpOnly; SameSite=Lax
	// 401 log in first
	// 201
}

// The whole service over a loopback connection, with a Client whose jar
// keeps the login cookie.
func Example_testingService() {
	srv := turbotest.NewServer(newNotes())
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &turbohttp.Client{Transport: srv.Transport(), Jar: jar}

	resp, err := client.PostForm(srv.URL+"/login", url.Values{"user": {"grace"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	for _, text := range []string{"fix bug", "write test"} {
		resp, err := client.PostForm(srv.URL+"/notes", url.Values{"text": {text}})
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
	}
	resp, err = client.Get(srv.URL + "/notes")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(string(body))
	// Output: grace: fix bug; write test
}
