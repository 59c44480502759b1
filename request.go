package turbohttp

import (
	"context"
	"crypto/tls"
	"io"
	"mime/multipart"
	"net"
	"net/url"
	"sync"
)

// Request is an HTTP request, received by a Server or sent by a Client.
//
// Lifetime: a Request a Server hands to a Handler, and every view in it
// (URL, Host, RequestURI, Header, Trailer, path values), is valid until the
// handler returns; the server then reuses it for the next request. A handler
// that keeps anything longer copies it (Clone copies the whole request
// except its Body). A Request a client builds belongs to the caller, who may
// reuse it for another request once the call that sent it has returned.
type Request struct {
	// Method is the request method, e.g. "GET". The server sets the
	// package's Method constants for the methods of RFC 9110, so parsing
	// allocates nothing for them. A client sends "GET" when it is empty.
	Method string

	// URL is the target. On the server it is split from the request-target
	// (Scheme and Host are set only for an absolute-form target); on a
	// client SetURL fills it.
	URL URL

	// ProtoMajor and ProtoMinor are the protocol version: 1.0, 1.1 or 2.0.
	ProtoMajor, ProtoMinor int

	// Header holds the request's header fields. On the server, Host is
	// not among them for HTTP/2 (it arrives as :authority; see Host).
	Header Header

	// Host is the authority the request is for: on the server, from the
	// Host field or an absolute-form target; on a client, when set, it
	// overrides URL.Host in the Host field sent.
	Host []byte

	// Body is the request body. On the server it is never nil (it reads as
	// empty when there is no body) and the server closes it; a handler may
	// read it until it returns. On a client, nil means no body; see also
	// GetBody and ContentLength.
	Body io.Reader

	// GetBody, when set on a client request, returns a fresh copy of Body,
	// so that the request can be retried or follow a 307/308 redirect.
	GetBody func() (io.Reader, error)

	// ContentLength is the length of Body: -1 when unknown (chunked), 0
	// with no body. On a client, 0 with a non-nil Body also means unknown.
	ContentLength int64

	// Trailer holds the trailer fields of a chunked request body. On the
	// server it is filled once Body has been read to its end.
	Trailer Header

	// RequestURI is the request-target as the server received it. Unused
	// by clients.
	RequestURI []byte

	// RemoteAddr is the peer's address, on the server. The adapter in
	// package nethttp renders it as net/http's string.
	RemoteAddr net.Addr

	// TLS describes the connection's TLS state on the server, nil for
	// plain connections. It must not be modified.
	TLS *tls.ConnectionState

	// Close asks for the connection to be closed after this exchange (on
	// a client, sends Connection: close); on the server it reports that
	// the connection will close after the response.
	Close bool

	// Form holds the query values and, after ParseForm, the values of a
	// url-encoded body (body values first), and after ParseMultipartForm
	// the multipart form's values too. Nil until a parse ran; see
	// form.go. On the server it lives as long as the request.
	Form url.Values

	// PostForm holds the values of a url-encoded or multipart body, after
	// ParseForm or ParseMultipartForm.
	PostForm url.Values

	// MultipartForm is the parsed multipart form, after
	// ParseMultipartForm. The server removes its temporary files when the
	// handler returns.
	MultipartForm *multipart.Form

	// ctx is the request's context. On the server it is made on first
	// use, from baseCtx (the connection's), and cancelled by endContext
	// when the handler returns: a handler that never asks costs nothing.
	ctxMu   sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	baseCtx context.Context
	// watch, set by the server, starts watching the connection for the
	// client going away once a handler asked for the context.
	watch func()

	// pattern and pathValues are set by ServeMux.
	pattern    string
	pathValues []pathValue

	// arena holds the bytes of a client's URL and other copies the request
	// owns; it is reused across Reset.
	arena []byte

	// cookies caches the parsed Cookie fields; see cookie_request.go.
	cookies cookieCache
}

// pathValue is one wildcard matched by ServeMux: its name (from the pattern)
// and its value (unescaped, a view into the request).
type pathValue struct {
	name  string
	value []byte
}

// Context returns the request's context: on the server it is cancelled when
// the client's connection closes, the request is cancelled (HTTP/2), or the
// handler returns; on a client it bounds the whole exchange. Never nil.
func (r *Request) Context() context.Context {
	r.ctxMu.Lock()
	defer r.ctxMu.Unlock()
	if r.ctx == nil {
		if r.baseCtx == nil {
			return context.Background()
		}
		r.ctx, r.cancel = context.WithCancel(r.baseCtx)
		if r.watch != nil {
			r.watch()
		}
	}
	return r.ctx
}

// cancelContext cancels the context of a served request whose client went
// away, if it was made.
func (r *Request) cancelContext() {
	r.ctxMu.Lock()
	if r.cancel != nil {
		r.cancel()
	}
	r.ctxMu.Unlock()
}

// endContext runs when the handler has returned (and on reset): it
// cancels the context of a served request, if it was made, and removes the
// temporary files of a parsed multipart form.
func (r *Request) endContext() {
	r.removeMultipartFiles()
	r.ctxMu.Lock()
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
	r.ctx = nil
	r.ctxMu.Unlock()
}

// SetContext replaces the request's context. On a client it must be called
// before the request is sent.
func (r *Request) SetContext(ctx context.Context) {
	if ctx == nil {
		panic("turbohttp: nil context")
	}
	r.ctxMu.Lock()
	r.ctx = ctx
	r.ctxMu.Unlock()
}

// SetURL parses rawURL, an absolute http or https URL, into r.URL. The
// request keeps its own copy of the bytes.
func (r *Request) SetURL(rawURL string) error {
	r.arena = append(r.arena[:0], rawURL...)
	return parseURL(&r.URL, r.arena)
}

// Pattern returns the ServeMux pattern that matched the request, or "".
func (r *Request) Pattern() string { return r.pattern }

// PathValue returns the value matched by the wildcard name of the request's
// ServeMux pattern, unescaped, or "" if there is none. It allocates the
// string; PathValueBytes does not.
func (r *Request) PathValue(name string) string { return string(r.PathValueBytes(name)) }

// PathValueBytes is PathValue as a view, valid as long as the request.
func (r *Request) PathValueBytes(name string) []byte {
	for i := range r.pathValues {
		if r.pathValues[i].name == name {
			return r.pathValues[i].value
		}
	}
	return nil
}

// SetPathValue sets the value of wildcard name, as ServeMux does, so that
// middleware and tests can fill path values themselves. value is copied.
func (r *Request) SetPathValue(name, value string) {
	v := []byte(value)
	for i := range r.pathValues {
		if r.pathValues[i].name == name {
			r.pathValues[i].value = v
			return
		}
	}
	r.pathValues = append(r.pathValues, pathValue{name: name, value: v})
}

// ProtoAtLeast reports whether the request's protocol is at least
// major.minor.
func (r *Request) ProtoAtLeast(major, minor int) bool {
	return r.ProtoMajor > major || r.ProtoMajor == major && r.ProtoMinor >= minor
}

// Reset clears r for reuse, keeping its storage.
func (r *Request) Reset() {
	r.reset()
	r.baseCtx = nil
	r.watch = nil
}

// reset clears r for the server's next request on the same connection,
// keeping the connection's base context.
func (r *Request) reset() {
	r.Method = ""
	r.URL = URL{}
	r.ProtoMajor, r.ProtoMinor = 0, 0
	r.Header.Reset()
	r.Host = nil
	r.Body = nil
	r.GetBody = nil
	r.ContentLength = 0
	r.Trailer.Reset()
	r.RequestURI = nil
	r.RemoteAddr = nil
	r.TLS = nil
	r.Close = false
	r.endContext()
	r.Form, r.PostForm = nil, nil
	r.cookies.reset()
	r.pattern = ""
	clear(r.pathValues)
	r.pathValues = r.pathValues[:0]
	r.arena = r.arena[:0]
}

// Clone returns a deep copy of r, sharing no memory with it, that stays
// valid after the handler returns. The Body is not copied: the clone's Body
// is nil. The MultipartForm is shared, as net/http's Clone does: its
// files are removed when the original's handler returns.
func (r *Request) Clone() *Request {
	c := &Request{
		Method:        r.Method,
		ProtoMajor:    r.ProtoMajor,
		ProtoMinor:    r.ProtoMinor,
		Header:        r.Header.Clone(),
		Trailer:       r.Trailer.Clone(),
		GetBody:       r.GetBody,
		ContentLength: r.ContentLength,
		RemoteAddr:    r.RemoteAddr,
		TLS:           r.TLS,
		Close:         r.Close,
		ctx:           r.Context(),
		pattern:       r.pattern,
		Form:          cloneValues(r.Form),
		PostForm:      cloneValues(r.PostForm),
		MultipartForm: r.MultipartForm,
	}
	c.URL = URL{
		Scheme:   clone(r.URL.Scheme),
		Host:     clone(r.URL.Host),
		Path:     clone(r.URL.Path),
		RawQuery: clone(r.URL.RawQuery),
	}
	c.Host = clone(r.Host)
	c.RequestURI = clone(r.RequestURI)
	for _, pv := range r.pathValues {
		c.pathValues = append(c.pathValues, pathValue{pv.name, clone(pv.value)})
	}
	return c
}

// clone copies b, keeping nil as nil.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}
