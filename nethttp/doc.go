// Package nethttp adapts turbohttp to net/http, both ways: Handler runs any
// http.Handler (net/http's ServeMux, chi, gorilla/mux, …) on a
// turbohttp.Server unchanged, and RoundTripper puts a turbohttp.Transport
// under net/http's http.Client.
//
// It is the only package of the module, besides tests, bench/ and cmd/,
// that imports net/http.
//
// # Lifetimes
//
// To keep the cost per request below net/http's own, the adapter reuses the
// objects it hands to a handler: the *http.Request, its URL, Header and
// Trailer maps and Body, and the http.ResponseWriter. net/http already
// forbids using the ResponseWriter or reading the Body after ServeHTTP
// returns; with this adapter, a handler must not touch the *http.Request
// (or a shallow copy of it made with WithContext or Clone, which share its
// maps and URL) after it returns either. The request's context, and any
// string taken from the request, stay valid: they are never reused. A
// handler tree that keeps requests after returning (http.TimeoutHandler
// does, when it times out) must be wrapped with an Adapter whose NoReuse is
// set.
//
// # Differences from net/http's Server
//
// The request context carries the values of the turbohttp Server's
// connection context (see its BaseContext and ConnContext), not
// net/http's ServerContextKey and LocalAddrContextKey. It ends when the
// handler returns or, once the request body has been read, when the
// client goes away. Setting a header key to nil to suppress a field the server
// adds (Header()["Content-Type"] = nil against content sniffing,
// Header()["Date"] = nil) is not supported: the key is simply absent.
package nethttp
