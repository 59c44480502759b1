package turbohttp

import (
	"io"
	"strconv"
)

// MaxBytesError is the error of a body read past the limit of a
// MaxBytesReader, and of a form larger than the parse limits of form.go.
type MaxBytesError struct {
	Limit int64
}

func (e *MaxBytesError) Error() string {
	return "turbohttp: request body too large (limit " + strconv.FormatInt(e.Limit, 10) + " bytes)"
}

// MaxBytesReader bounds a request body to n bytes: past them, Read fails
// with a *MaxBytesError, and, if w is not nil and the response head is not
// sent yet, the response gets "Connection: close", so that the server does
// not read the rest of the body to keep the connection. Close closes r if
// it is an io.Closer. ParseForm and ParseMultipartForm respect the limit
// of a MaxBytesReader set as the request's Body instead of their own.
func MaxBytesReader(w ResponseWriter, r io.Reader, n int64) io.ReadCloser {
	if n < 0 {
		n = 0
	}
	return &maxBytesReader{w: w, r: r, n: n, limit: n}
}

type maxBytesReader struct {
	w     ResponseWriter
	r     io.Reader
	n     int64 // bytes left
	limit int64
	err   error // sticky
}

func (l *maxBytesReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Read one byte more than allowed, to tell a body of exactly the
	// limit (EOF next) from a longer one.
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	if int64(n) <= l.n {
		l.n -= int64(n)
		l.err = err
		return n, err
	}
	n = int(l.n)
	l.n = 0
	l.err = &MaxBytesError{Limit: l.limit}
	if l.w != nil {
		l.w.Header().Set("Connection", "close")
	}
	return n, l.err
}

func (l *maxBytesReader) Close() error {
	if c, ok := l.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// MaxBytesHandler returns a handler that runs h with the request's Body
// bounded by MaxBytesReader to n bytes. h sees a *MaxBytesError when it
// reads past them.
func MaxBytesHandler(h Handler, n int64) Handler {
	return HandlerFunc(func(w ResponseWriter, r *Request) {
		body := r.Body
		r.Body = MaxBytesReader(w, body, n)
		defer func() { r.Body = body }()
		h.ServeHTTP(w, r)
	})
}
