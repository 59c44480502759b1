package turbotest_test

import (
	"fmt"
	"io"

	"turbohttp"
	"turbohttp/turbotest"
)

// greet is the handler under test: it answers GET /greet?name=… .
func greet(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	name := r.FormValue("name")
	if name == "" {
		turbohttp.Error(w, "missing name", turbohttp.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "hello, %s", name)
}

// A handler is called directly with a recorder: no network, no server.
func ExampleNewRecorder() {
	w := turbotest.NewRecorder()
	greet(w, turbotest.NewRequest("GET", "/greet?name=Ada", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"), w.Body.String())

	w = turbotest.NewRecorder()
	greet(w, turbotest.NewRequest("GET", "/greet", nil))
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// 200 text/plain; charset=utf-8 hello, Ada
	// 400 missing name
}

// A test server answers over a loopback connection, with a client ready
// for it (for NewTLSServer, one that trusts its certificate).
func ExampleNewServer() {
	mux := turbohttp.NewServeMux()
	mux.HandleFunc("GET /greet", greet)
	srv := turbotest.NewServer(mux)
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/greet?name=Grace")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 hello, Grace
}

// A TLS test server, with a client that trusts its certificate.
func ExampleNewTLSServer() {
	srv := turbotest.NewTLSServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		fmt.Fprintf(w, "secure: %v", r.TLS != nil)
	}))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output: secure: true
}
