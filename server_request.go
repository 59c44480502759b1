package turbohttp

import (
	"bytes"
	"errors"
	"strconv"
	"time"

	"turbohttp/h1"
)

// serveRequest answers the request whose head of n bytes was just parsed
// into c.head. It returns false when the connection must close at once.
func (c *conn) serveRequest(n int) bool {
	h := &c.head
	if h.ExpectUnsupported {
		c.in.reader().Discard(n)
		c.writeError(StatusExpectationFailed, "unsupported expectation")
		c.linger = true
		return false
	}
	c.prepareRequest(n)
	if d := c.srv.WriteTimeout; d > 0 {
		c.rwc.SetWriteDeadline(time.Now().Add(d))
	}
	c.resp.reset(c.req.Method == MethodHead)
	if !c.runHandler() {
		return false
	}
	if c.hijacked {
		// the handler has returned: its context ends and its temporary
		// files go, as for any other request (the connection is its own)
		c.req.endContext()
		return false
	}
	if c.watch.stop() {
		c.closing = true
	}
	c.resp.finish()
	c.req.endContext()
	if c.resp.err != nil {
		return false
	}
	if !c.body.finish() {
		c.closing = true
		c.linger = true
	}
	return true
}

// prepareRequest fills c.req from c.head, copying what it keeps (the head
// is a view into the read buffer, which the body reads will overwrite),
// and sets up the body.
func (c *conn) prepareRequest(n int) {
	h := &c.head
	r := &c.req
	r.reset()
	r.Method = internMethod(h.Method)
	r.ProtoMajor, r.ProtoMinor = int(h.Major), int(h.Minor)
	r.arena = append(r.arena[:0], h.Target...)
	target := r.arena[:len(h.Target):len(h.Target)]
	r.RequestURI = target
	splitTarget(&r.URL, target, h.Form)
	start := len(r.arena)
	r.arena = append(r.arena, h.Host...)
	r.Host = r.arena[start:len(r.arena):len(r.arena)]
	for i := range h.Fields {
		r.Header.AddBytes(h.Fields[i].Name, h.Fields[i].Value)
	}
	r.ContentLength = h.ContentLength
	r.Close = h.Close || c.srv.DisableKeepAlives
	c.closing = r.Close
	r.RemoteAddr = c.rwc.RemoteAddr()
	r.TLS = c.tlsState
	c.in.reader().Discard(n)
	c.body.reset(h)
	c.watch.reset(h.Body == h1.BodyNone)
	r.Body = &c.body
}

// splitTarget fills u with views of a request target.
func splitTarget(u *URL, t []byte, form h1.TargetForm) {
	switch form {
	case h1.AbsoluteForm:
		i := bytes.Index(t, []byte("://"))
		u.Scheme, t = t[:i], t[i+3:]
		end := len(t)
		for k, ch := range t {
			if ch == '/' || ch == '?' {
				end = k
				break
			}
		}
		u.Host, t = t[:end], t[end:]
	case h1.AuthorityForm:
		u.Host = t
		return
	case h1.AsteriskForm:
		u.Path = t
		return
	}
	for i, ch := range t {
		if ch == '?' {
			u.Path, u.RawQuery = t[:i], t[i+1:]
			return
		}
	}
	u.Path = t
}

// runHandler calls the handler, recovering a panic: the panic is logged with
// its stack (unless it is ErrAbortHandler) and the connection closes. It
// reports whether the handler returned normally.
func (c *conn) runHandler() (ok bool) {
	defer func() {
		if ok {
			return
		}
		p := recover()
		c.watch.stop()
		c.req.endContext()
		if p != ErrAbortHandler {
			c.logPanic("turbohttp: panic serving request", p)
		}
		if !c.hijacked && !c.resp.committed && p != ErrAbortHandler {
			c.resp.reset(false)
			c.writeError(StatusInternalServerError, "")
		}
	}()
	h := c.srv.Handler
	if c.head.Form == h1.AsteriskForm && c.req.Method == MethodOptions && !c.srv.DisableGeneralOptionsHandler {
		h = generalOptions
	}
	h.ServeHTTP(&c.resp, &c.req)
	return true
}

// generalOptions answers "OPTIONS *" for the server as a whole.
var generalOptions = HandlerFunc(func(w ResponseWriter, r *Request) {
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(StatusOK)
})

// rejectRequest answers a request that could not be read: a malformed head
// gets the status the codec names, with Connection: close; a connection
// that closed or timed out gets nothing.
func (c *conn) rejectRequest(err error) {
	var he *h1.Error
	switch {
	case errors.As(err, &he) && c.notHTTP1():
		// on a port that also speaks h2c this may be a broken HTTP/2
		// preface, which is closed without an answer (RFC 9113 §3.4)
	case errors.As(err, &he):
		c.writeError(he.Status, "")
		c.linger = true
	case isTimeout(err) && c.in.buffered() > 0:
		c.writeError(StatusRequestTimeout, "")
	}
}

// writeError sends a minimal plain-text response with Connection: close.
// The text never echoes the request.
func (c *conn) writeError(code int, detail string) {
	c.closing = true
	body := strconv.Itoa(code) + " " + StatusText(code)
	if detail != "" {
		body += ": " + detail
	}
	c.wbuf = appendErrorResponse(c.wbuf, code, body)
	c.rwc.SetWriteDeadline(time.Now().Add(time.Second))
	c.flush()
}

// errorFields are the fields of the responses the server makes itself.
var errorFields = []h1.Field{
	{Name: []byte("Content-Type"), Value: []byte("text/plain; charset=utf-8")},
	{Name: []byte("Connection"), Value: []byte("close")},
}

// appendErrorResponse appends a complete plain-text response with body
// that closes the connection.
func appendErrorResponse(b []byte, code int, body string) []byte {
	b, _ = h1.AppendResponseHead(b, code, nil, errorFields, int64(len(body)))
	return append(b, body...)
}

// flush writes c.wbuf to the connection; it reports false, and records
// the error on the response, if that failed.
func (c *conn) flush() bool {
	if len(c.wbuf) == 0 {
		return true
	}
	_, err := c.rwc.Write(c.wbuf)
	c.headSent = c.headSent || len(c.wbuf) > c.wdone && c.resp.committed
	c.wbuf, c.wdone = c.wbuf[:0], 0
	if err != nil {
		c.resp.err = err
		c.closing = true
		return false
	}
	return true
}
