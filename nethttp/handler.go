package nethttp

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"

	"turbohttp"
)

// Adapter runs a net/http Handler as a turbohttp.Handler.
//
// Each request reaches Handler as a full *http.Request: URL parsed from
// the target as net/http does (an unparsable one gets 400 Bad Request),
// Header with canonical names (Host moved to Host; Transfer-Encoding and
// Trailer moved to TransferEncoding and Trailer for a chunked body),
// RemoteAddr as "ip:port", TLS, Body (http.NoBody when empty), Trailer
// filled when Body reaches EOF, and a context cancelled when the handler
// returns or the connection closes. The http.ResponseWriter implements
// http.Flusher, http.Hijacker (on HTTP/1) and everything
// http.ResponseController looks for, and follows net/http's rules for
// WriteHeader (1xx responses sent at once, later final codes ignored) and
// trailers (the "Trailer" field and http.TrailerPrefix).
//
// A panic(http.ErrAbortHandler) aborts the response quietly, as
// turbohttp.ErrAbortHandler does; other panics reach the server, which
// logs them and closes the connection.
//
// The objects handed to Handler are reused once it returns; see the
// package documentation for what a handler may keep.
type Adapter struct {
	// Handler answers every request; nil means http.DefaultServeMux, as
	// for net/http's Server.
	Handler http.Handler

	// NoReuse makes every request use fresh objects, for handler trees
	// that use the *http.Request or its maps after returning (such as
	// http.TimeoutHandler when it times out). It costs a few allocations
	// per request.
	NoReuse bool
}

// Handler returns a turbohttp.Handler that serves h (nil:
// http.DefaultServeMux), reusing the per-request objects (see Adapter).
func Handler(h http.Handler) turbohttp.Handler { return &Adapter{Handler: h} }

// exchange holds everything the adapter hands to the net/http handler for
// one request. It is pooled: a free exchange keeps its maps and buffers.
type exchange struct {
	req     http.Request
	url     url.URL
	header  http.Header // request header
	trailer http.Header // request trailer, used when the body has one
	te      [1]string   // backs req.TransferEncoding
	body    requestBody
	rw      responseWriter
	hj      hijackWriter
	strs    requestStrings
	cr      convertedRequest

	// remote and remoteStr cache the string form of the last peer
	// address: a pooled exchange usually serves the same connection
	// again.
	remote    net.Addr
	remoteStr string
}

var exchangePool = sync.Pool{New: func() any { return newExchange() }}

func newExchange() *exchange {
	x := &exchange{header: make(http.Header), trailer: make(http.Header)}
	x.body.x = x
	x.rw.x = x
	x.rw.header = make(http.Header)
	x.hj.responseWriter = &x.rw
	return x
}

// ServeHTTP converts the request, runs the net/http handler and completes
// the response as net/http would.
func (a *Adapter) ServeHTTP(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	x := a.get()
	a.serve(x, w, r)
	a.put(x) // not reached on a panic: x is then left to the garbage collector
}

// serve answers r with x's objects.
func (a *Adapter) serve(x *exchange, w turbohttp.ResponseWriter, r *turbohttp.Request) {
	if err := x.prepare(w, r); err != nil {
		badRequest(w)
		return
	}
	if r.Method == http.MethodOptions && x.req.RequestURI == "*" {
		globalOptions(w, r)
		return
	}
	var hw http.ResponseWriter = &x.rw
	if _, ok := w.(turbohttp.Hijacker); ok {
		hw = &x.hj
	}
	returned := false
	defer func() {
		x.body.done()
		if f := x.req.MultipartForm; f != nil {
			f.RemoveAll() // as net/http: the temporary files go
		}
		if !returned {
			if p := recover(); p != nil { // nil: runtime.Goexit, let it go on
				abortPanic(p)
			}
		}
	}()
	h := a.Handler
	if h == nil {
		h = http.DefaultServeMux
	}
	h.ServeHTTP(hw, &x.req)
	returned = true
	x.rw.finish()
}

// abortPanic panics again with p, turning http.ErrAbortHandler into
// turbohttp.ErrAbortHandler so that the server aborts quietly.
func abortPanic(p any) {
	if p == http.ErrAbortHandler {
		p = turbohttp.ErrAbortHandler
	}
	panic(p)
}

func (a *Adapter) get() *exchange {
	if a.NoReuse {
		return newExchange()
	}
	return exchangePool.Get().(*exchange)
}

func (a *Adapter) put(x *exchange) {
	if a.NoReuse {
		return
	}
	x.release()
	exchangePool.Put(x)
}

// release drops what x refers to from the request just served, so that a
// pooled exchange keeps no request data, connection or context alive.
func (x *exchange) release() {
	x.req = http.Request{}
	x.url = url.URL{}
	clear(x.header)
	clear(x.trailer)
	x.body.r = nil
	x.rw.w = nil
	clear(x.rw.header)
	clear(x.rw.keys)
	clear(x.rw.declared)
	clear(x.strs.vals)
	clear(x.cr.trailer)
	x.cr.requestURI, x.cr.host = "", ""
}

// prepare fills x.req from r and sets up the response writer over w.
func (x *exchange) prepare(w turbohttp.ResponseWriter, r *turbohttp.Request) error {
	cr := &x.cr
	x.strs.convert(r, x.header, cr)
	if err := parseTarget(&x.url, r.Method, cr.requestURI); err != nil {
		return err
	}
	host := cr.host
	if x.url.Host != "" {
		host = x.url.Host // absolute form, as net/http
	}
	x.req = http.Request{
		Method:        r.Method,
		URL:           &x.url,
		Proto:         protoString(r.ProtoMajor, r.ProtoMinor),
		ProtoMajor:    r.ProtoMajor,
		ProtoMinor:    r.ProtoMinor,
		Header:        x.header,
		Body:          x.body.reset(r),
		ContentLength: r.ContentLength,
		Close:         r.Close,
		Host:          host,
		RemoteAddr:    x.remoteAddr(r.RemoteAddr),
		RequestURI:    cr.requestURI,
		TLS:           r.TLS,
	}
	if cr.chunked {
		x.te[0] = "chunked"
		x.req.TransferEncoding = x.te[:1:1]
	}
	if len(cr.trailer) > 0 {
		for _, name := range cr.trailer {
			x.trailer[name] = nil
		}
		x.req.Trailer = x.trailer
	}
	// WithContext is the only way to set the context of an http.Request;
	// it is inlined and its copy stays on the stack.
	x.req = *x.req.WithContext(r.Context())
	x.rw.reset(w)
	return nil
}

// remoteAddr returns a's string form, from the cache when a is the same
// address as last time.
func (x *exchange) remoteAddr(a net.Addr) string {
	if a == nil {
		return ""
	}
	if ta, ok := a.(*net.TCPAddr); ok && ta == x.remote {
		return x.remoteStr
	}
	s := a.String()
	if ta, ok := a.(*net.TCPAddr); ok {
		x.remote, x.remoteStr = ta, s
	}
	return s
}

// globalOptions answers "OPTIONS *", which net/http's server answers
// itself without calling the handler: 200 with an empty body.
func globalOptions(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	w.Header().Set("Content-Length", "0")
	if r.ContentLength != 0 {
		// A body of OPTIONS has no defined meaning: read a little of it
		// and let the server decide about the rest.
		io.CopyN(io.Discard, r.Body, maxOptionsBody)
	}
}

// maxOptionsBody is how much of the body of an "OPTIONS *" request is
// read, as net/http.
const maxOptionsBody = 4 << 10

// badRequest answers a request whose target net/http could not parse, as
// net/http does.
func badRequest(w turbohttp.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Connection", "close")
	w.WriteHeader(http.StatusBadRequest)
	w.WriteString("400 Bad Request")
}
