package turbohttp

// This file holds the plain-text error replies ServeMux sends, for
// handlers to use too.

// Error replies to the request with code and msg, followed by a newline,
// as plain text. It removes any Content-Length the handler set and sets
// Content-Type: text/plain; charset=utf-8 and X-Content-Type-Options:
// nosniff. The handler should write nothing more.
func Error(w ResponseWriter, msg string, code int) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.WriteString(msg)
	_, _ = w.WriteString("\n")
}

// NotFound replies to the request with 404 and the body
// "404 page not found\n".
func NotFound(w ResponseWriter, r *Request) { Error(w, "404 page not found", StatusNotFound) }

// NotFoundHandler returns a handler that answers every request with
// NotFound.
func NotFoundHandler() Handler { return HandlerFunc(NotFound) }
