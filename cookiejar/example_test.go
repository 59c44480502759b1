package cookiejar_test

import (
	"fmt"
	"io"

	"turbohttp"
	"turbohttp/cookiejar"
	"turbohttp/turbotest"
)

// A Client with a jar carries a session cookie from one request to the
// next, as a browser would.
func ExampleNew() {
	mux := turbohttp.NewServeMux()
	mux.HandleFunc("GET /login", func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		turbohttp.SetCookie(w, &turbohttp.Cookie{Name: "session", Value: "s3cr3t", Path: "/"})
	})
	mux.HandleFunc("GET /me", func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		if c, err := r.Cookie("session"); err == nil {
			fmt.Fprintf(w, "session %s", c.Value)
		}
	})
	srv := turbotest.NewServer(mux)
	defer srv.Close()

	jar, _ := cookiejar.New(nil) // with the public suffix list of x/net
	client := &turbohttp.Client{Transport: srv.Transport(), Jar: jar}
	for _, path := range []string{"/login", "/me"} {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s: %q\n", path, body)
	}
	// Output:
	// /login: ""
	// /me: "session s3cr3t"
}
