package turbohttp

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// ServeMux is an HTTP request multiplexer with the pattern syntax and
// matching rules of net/http's ServeMux since Go 1.22. It calls the
// handler of the registered pattern that matches the request most
// specifically.
//
// # Patterns
//
// A pattern is [METHOD ][HOST]/[PATH]:
//
//   - "/index.html" matches that path for any host and method;
//   - "GET /static/" matches GET and HEAD requests for paths under /static/;
//   - "example.com/" matches any request to host example.com;
//   - "example.com/{$}" matches host example.com and path "/" only;
//   - "/b/{bucket}/o/{object...}" matches paths whose first segment is "b"
//     and third "o"; the wildcard bucket names the second segment and
//     object the rest of the path.
//
// A pattern without a method matches every method; "GET" matches GET and
// HEAD; any other method matches only itself. A pattern without a host
// matches every host; the host of a pattern is compared with the request's
// Host without its port and without regard to case. Literal segments match
// case-sensitively.
//
// A wildcard {NAME} matches one whole path segment; {NAME...}, at the end
// only, matches the rest of the path, slashes included, and may be empty;
// a trailing slash is an anonymous {...}; {$} matches only the trailing
// slash ending a path ("/{$}" matches "/" alone, "/" matches everything).
// Names are Go identifiers. Request.PathValue returns what a wildcard
// matched.
//
// Paths are matched segment by segment, each segment unescaped: the path
// "/a%2Fb" has the one segment "a/b", matched by the pattern "/a%2fb"
// but not "/a/b"; wildcard values are unescaped likewise.
//
// # Precedence and conflicts
//
// When several patterns match a request, the most specific wins: a pattern
// with a host wins over one without; otherwise P1 wins over P2 when it
// matches a strict subset of the requests P2 matches ("/images/thumbnails/"
// over "/images/", "GET /posts/{id}" over "/posts/{id}"). Registering a
// pattern that matches some request in common with a registered one while
// neither is more specific (e.g. "/posts/{id}" and "/posts/{name}", or
// "/{x}/b" and "/a/{y}") panics, naming both.
//
// # Redirects and errors
//
// For a request whose path is not clean (repeated slashes, "." or ".."
// segments), ServeMux redirects to the clean path, keeping the query (but
// not for CONNECT, whose path and host are used as they are). For a request
// for /tree when only the subtree /tree/ is registered, it redirects to
// /tree/. Redirects are 301 Moved Permanently (the net/http of Go 1.26
// sends 307 Temporary Redirect instead); their Location keeps the
// request's escapes. When no pattern matches but some would with another
// method, it answers 405 Method Not Allowed with an Allow header listing
// those methods, sorted; otherwise 404 Not Found (see NotFound). A request
// for "*" (OPTIONS *) gets 400.
//
// Where net/http has quirks, ServeMux does not follow them: hosts are
// compared without case, "[::1]:80" matches the host pattern "[::1]", and
// a request segment "%2F" is the segment "/", not the trailing slash that
// {$} matches.
//
// Dispatching a request to a handler allocates nothing, but for wildcard
// values with escapes to decode (and the first growth of a Request's value
// storage, which the server reuses); redirects and 405 replies allocate.
// The routing tree is rebuilt on the first request after a registration, so
// a ServeMux may register patterns while it serves, and lookups take no
// lock. The zero value is ready to use.
type ServeMux struct {
	mu     sync.Mutex    // guards routes, index and the building of tree
	routes []*route      // in registration order
	index  conflictIndex // of the routes' patterns

	// tree is the lookup structure for routes, built on the first lookup
	// after a change (nil until then).
	tree atomic.Pointer[routingTree]
}

// NewServeMux returns a new, empty ServeMux.
func NewServeMux() *ServeMux { return &ServeMux{} }

// muxRedirectCode is the status of the redirects ServeMux sends.
const muxRedirectCode = StatusMovedPermanently

// Handle registers h for pattern. It panics when pattern is invalid or
// conflicts with a registered pattern, or h is nil.
func (mux *ServeMux) Handle(pattern string, h Handler) {
	if err := mux.register(pattern, h, callerLocation()); err != nil {
		panic(err)
	}
}

// HandleFunc registers f for pattern, as Handle does.
func (mux *ServeMux) HandleFunc(pattern string, f func(ResponseWriter, *Request)) {
	var h Handler
	if f != nil {
		h = HandlerFunc(f)
	}
	if err := mux.register(pattern, h, callerLocation()); err != nil {
		panic(err)
	}
}

// callerLocation returns the file:line that called Handle or HandleFunc.
func callerLocation() string {
	if _, file, line, ok := runtime.Caller(2); ok {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return "unknown location"
}

var errNilHandler = errors.New("turbohttp: ServeMux: nil handler")

// register adds pattern and h to the mux, or says why it cannot.
func (mux *ServeMux) register(s string, h Handler, loc string) error {
	if h == nil {
		return errNilHandler
	}
	if f, ok := h.(HandlerFunc); ok && f == nil {
		return errNilHandler
	}
	p, err := parsePattern(s)
	if err != nil {
		return err
	}
	p.loc = loc
	rt := &route{pat: p, h: h}
	for _, seg := range p.segs {
		rt.wild = rt.wild || (seg.kind == segWild || seg.kind == segMulti) && seg.s != ""
	}
	mux.mu.Lock()
	defer mux.mu.Unlock()
	err = mux.index.candidates(p, func(q *pattern) error {
		if p.conflictsWith(q) {
			return conflictError(p, q)
		}
		return nil
	})
	if err != nil {
		return err
	}
	mux.index.add(p)
	mux.routes = append(mux.routes, rt)
	mux.tree.Store(nil)
	return nil
}

// currentTree returns the routing tree of the current routes, building it
// if need be.
func (mux *ServeMux) currentTree() *routingTree {
	if t := mux.tree.Load(); t != nil {
		return t
	}
	mux.mu.Lock()
	defer mux.mu.Unlock()
	t := mux.tree.Load()
	if t == nil {
		t = buildTree(mux.routes)
		mux.tree.Store(t)
	}
	return t
}

// lookupKind is the outcome of a lookup.
type lookupKind uint8

const (
	lookupFound    lookupKind = iota // route matched path
	lookupRedirect                   // redirect to location
	lookupNotFound
	lookupMethodNotAllowed // allow lists the methods that would match
)

// muxLookup is what ServeMux decided for a request.
type muxLookup struct {
	kind     lookupKind
	rt       *route // the route found, or the one the redirect leads to
	path     []byte // the path rt matched, for its wildcard values
	location string // for lookupRedirect
	allow    []string
}

// find decides how to answer r, without modifying it.
func (mux *ServeMux) find(r *Request) muxLookup {
	t := mux.currentTree()
	host, path := r.Host, r.URL.Path
	if len(host) == 0 {
		host = r.URL.Host
	}
	if r.Method == MethodConnect {
		// The path and host are used as they are, but the /tree → /tree/
		// redirect applies.
		rt, exact := t.match(host, r.Method, path, false)
		if l, ok := slashRedirect(t, host, r, path, exact); ok {
			return l
		}
		return respond(t, rt, host, path)
	}
	host = requestHost(host)
	if isCleanPath(path) {
		rt, exact := t.match(host, r.Method, path, false)
		if l, ok := slashRedirect(t, host, r, path, exact); ok {
			return l
		}
		return respond(t, rt, host, path)
	}
	return cleanRedirect(t, host, r)
}

// respond is the answer when no redirect applies.
func respond(t *routingTree, rt *route, host, path []byte) muxLookup {
	if rt != nil {
		return muxLookup{kind: lookupFound, rt: rt, path: path}
	}
	if allow := t.allowedMethods(host, path); len(allow) > 0 {
		return muxLookup{kind: lookupMethodNotAllowed, allow: allow}
	}
	return muxLookup{kind: lookupNotFound}
}

// slashRedirect returns the redirect to path + "/" when path, which did
// not match exactly, does so with a trailing slash.
func slashRedirect(t *routingTree, host []byte, r *Request, path []byte, exact bool) (muxLookup, bool) {
	if exact || len(path) == 0 || path[len(path)-1] == '/' {
		return muxLookup{}, false
	}
	rt, exact := t.match(host, r.Method, path, true)
	if rt == nil || !exact {
		return muxLookup{}, false
	}
	loc := make([]byte, 0, len(path)+2+len(r.URL.RawQuery))
	loc = append(append(loc, path...), '/')
	return muxLookup{kind: lookupRedirect, rt: rt, location: withQuery(loc, r)}, true
}

// cleanRedirect is the answer for a request whose path is not clean: a
// redirect to the clean path, or to it with a slash added.
func cleanRedirect(t *routingTree, host []byte, r *Request) muxLookup {
	path := []byte(cleanPath(string(r.URL.Path)))
	rt, exact := t.match(host, r.Method, path, false)
	if l, ok := slashRedirect(t, host, r, path, exact); ok {
		return l
	}
	return muxLookup{kind: lookupRedirect, rt: rt, location: withQuery(path, r)}
}

// withQuery appends r's query, if any, to the path in loc.
func withQuery(loc []byte, r *Request) string {
	if len(r.URL.RawQuery) > 0 {
		loc = append(append(loc, '?'), r.URL.RawQuery...)
	}
	return string(loc)
}

// Handler returns the handler for r and the pattern it was chosen by,
// without modifying r (it fills no path values). When no pattern applies
// it returns a handler that answers 404 or 405 and an empty pattern; for a
// redirect, one that redirects and the pattern the redirected request
// will match, if any. It consults r.Method, r.Host (or r.URL.Host when
// Host is empty) and r.URL.Path.
func (mux *ServeMux) Handler(r *Request) (h Handler, pattern string) {
	l := mux.find(r)
	switch l.kind {
	case lookupFound:
		return l.rt.h, l.rt.pat.str
	case lookupRedirect:
		return muxRedirectHandler(l.location), l.patternString()
	case lookupMethodNotAllowed:
		allow := strings.Join(l.allow, ", ")
		return HandlerFunc(func(w ResponseWriter, _ *Request) { muxMethodNotAllowed(w, allow) }), ""
	}
	return NotFoundHandler(), ""
}

func (l *muxLookup) patternString() string {
	if l.rt == nil {
		return ""
	}
	return l.rt.pat.str
}

// ServeHTTP dispatches r to the handler of the pattern that matches it
// best, after setting r's pattern (Request.Pattern) and path values
// (Request.PathValue), which replace any set before. Values are views of
// r.URL.Path where no unescaping was needed.
func (mux *ServeMux) ServeHTTP(w ResponseWriter, r *Request) {
	if len(r.URL.Path) == 1 && r.URL.Path[0] == '*' {
		if r.ProtoMajor == 1 && r.ProtoMinor >= 1 {
			w.Header().Set("Connection", "close")
		}
		w.WriteHeader(StatusBadRequest)
		return
	}
	l := mux.find(r)
	clear(r.pathValues)
	r.pathValues = r.pathValues[:0]
	r.pattern = l.patternString()
	switch l.kind {
	case lookupFound:
		if l.rt.wild {
			r.pathValues = l.rt.appendValues(r.pathValues, l.path)
		}
		l.rt.h.ServeHTTP(w, r)
	case lookupRedirect:
		muxRedirect(w, l.location)
	case lookupMethodNotAllowed:
		muxMethodNotAllowed(w, strings.Join(l.allow, ", "))
	default:
		NotFound(w, r)
	}
}

// muxRedirectHandler returns a handler that redirects to location.
func muxRedirectHandler(location string) Handler {
	return HandlerFunc(func(w ResponseWriter, _ *Request) { muxRedirect(w, location) })
}

// muxRedirect answers with a redirect to location, a path and query.
func muxRedirect(w ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.WriteHeader(muxRedirectCode)
}

// muxMethodNotAllowed answers 405 with allow, the methods that would match.
func muxMethodNotAllowed(w ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	Error(w, StatusText(StatusMethodNotAllowed), StatusMethodNotAllowed)
}
