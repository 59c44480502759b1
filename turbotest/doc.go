// Package turbotest provides what net/http/httptest provides, for handlers
// written against turbohttp's native API: a Server on a loopback listener
// with a Client preconfigured for it (plain or TLS), and a ResponseRecorder
// with NewRequest to call a handler with no network at all.
//
// A handler and its test look like this:
//
//	func TestHello(t *testing.T) {
//		w := turbotest.NewRecorder()
//		hello(w, turbotest.NewRequest("GET", "/hello?name=Ada", nil))
//		if w.Code != 200 || w.Body.String() != "hello, Ada" { … }
//	}
//
// and over the network, when the connection matters:
//
//	srv := turbotest.NewServer(turbohttp.HandlerFunc(hello))
//	defer srv.Close()
//	resp, err := srv.Client().Get(srv.URL + "/hello?name=Ada")
//
// The package imports no net/http; it sits above package turbohttp, beside
// nethttp, in the import layers of shared/DESIGN.md.
package turbotest
