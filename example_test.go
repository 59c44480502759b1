package turbohttp_test

import (
	"fmt"
	"io"
	"net"

	"turbohttp"
)

// A server with a Go 1.22 ServeMux pattern, and the native client's
// caller-owned, reusable request and response.
func Example() {
	mux := turbohttp.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteString("Hello, " + r.PathValue("name") + "!\n")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &turbohttp.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()

	var t turbohttp.Transport
	defer t.CloseIdleConnections()
	var req turbohttp.Request
	var resp turbohttp.Response
	for _, name := range []string{"gopher", "world"} {
		if err := req.SetURL("http://" + ln.Addr().String() + "/hello/" + name); err != nil {
			panic(err)
		}
		if err := t.Do(&req, &resp); err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Print(resp.StatusCode, " ", string(body))
	}
	fmt.Println("connections dialed:", t.Stats()[0].Dials)
	// Output:
	// 200 Hello, gopher!
	// 200 Hello, world!
	// connections dialed: 1
}
