package nethttp_test

import (
	"fmt"
	"io"
	"net/http"

	"turbohttp/nethttp"
	"turbohttp/turbotest"
)

// An existing net/http handler runs on turbohttp's server unchanged, and
// is tested with turbotest like a native one.
func ExampleHandler() {
	legacy := http.NewServeMux()
	legacy.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s", r.PathValue("name"))
	})
	srv := turbotest.NewServer(nethttp.Handler(legacy))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/hello/gopher")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 hello, gopher
}
