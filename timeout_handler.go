package turbohttp

import (
	"context"
	"errors"
	"io"
	"strconv"
	"sync"
	"time"
)

// DefaultTimeoutBufferBytes bounds the response a TimeoutHandler holds
// back while its handler runs: past it, Write fails with
// ErrTimeoutBufferFull and the client gets 500. (net/http buffers without
// bound.)
const DefaultTimeoutBufferBytes = 4 << 20

var (
	// ErrHandlerTimeout is returned by the ResponseWriter of a
	// TimeoutHandler's inner handler once its time is up.
	ErrHandlerTimeout = errors.New("turbohttp: Handler timeout")
	// ErrTimeoutBufferFull is returned by that ResponseWriter's Write past
	// DefaultTimeoutBufferBytes.
	ErrTimeoutBufferFull = errors.New("turbohttp: TimeoutHandler response buffer full")
	// errTimeoutFlush: a TimeoutHandler holds the response back until the
	// handler returns, so it cannot flush.
	errTimeoutFlush = errors.New("turbohttp: Flush not supported under TimeoutHandler")
)

// TimeoutHandler returns a handler that runs h with a time limit of dt.
// h runs on its own goroutine, with a Clone of the request (whose context
// ends after dt) and a ResponseWriter that holds the response back: if h
// returns in time, its response is sent as it wrote it; if not, the client
// gets 503 with msg as body (or a default text), the connection closes,
// and h's further writes fail with ErrHandlerTimeout. Because h may
// outlive the request it was given, it never sees the server's pooled
// request: what it keeps of the clone stays valid. Its body reads go to
// the server's request body until the time is up, and fail afterwards.
// A panic in h is raised again in the server's goroutine. Flush is not
// supported, and at most DefaultTimeoutBufferBytes of body are held.
func TimeoutHandler(h Handler, dt time.Duration, msg string) Handler {
	return &timeoutHandler{h: h, dt: dt, msg: msg}
}

type timeoutHandler struct {
	h   Handler
	dt  time.Duration
	msg string
}

func (th *timeoutHandler) ServeHTTP(w ResponseWriter, r *Request) {
	ctx, cancel := context.WithTimeout(r.Context(), th.dt)
	defer cancel()
	inner := r.Clone()
	inner.SetContext(ctx)
	body := &guardedBody{r: r.Body}
	if r.Body != nil {
		inner.Body = body
	}
	tw := &timeoutWriter{}
	shared := r.MultipartForm // the clone's until it parses its own
	done, panicked := make(chan struct{}), make(chan any, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				panicked <- p
			}
		}()
		th.h.ServeHTTP(tw, inner)
		if inner.MultipartForm != shared {
			inner.removeMultipartFiles()
		}
		close(done)
	}()
	select {
	case p := <-panicked:
		panic(p)
	case <-done:
		tw.mu.Lock()
		defer tw.mu.Unlock()
		tw.sendTo(w)
	case <-ctx.Done():
		th.timedOut(w, tw, body, ctx.Err())
	}
}

// timedOut answers in place of a handler whose time is up, or whose
// client went away, and cuts the handler off from the request body.
func (th *timeoutHandler) timedOut(w ResponseWriter, tw *timeoutWriter, body *guardedBody, err error) {
	if ds, ok := w.(DeadlineSetter); ok {
		ds.SetReadDeadline(time.Now()) // unblock a body read in progress
	}
	body.close()
	tw.mu.Lock()
	tw.err = ErrHandlerTimeout
	tw.mu.Unlock()
	if err != context.DeadlineExceeded {
		return // the client went away: nobody to answer
	}
	msg := th.msg
	if msg == "" {
		msg = "<html><head><title>Timeout</title></head><body><h1>Timeout</h1></body></html>"
	}
	w.Header().Set("Connection", "close")
	w.WriteHeader(StatusServiceUnavailable)
	io.WriteString(w, msg)
}

// guardedBody lets a TimeoutHandler cut its handler off from the request
// body, which belongs to the server once the outer handler returns.
type guardedBody struct {
	mu     sync.Mutex
	r      io.Reader
	closed bool
}

func (b *guardedBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, ErrHandlerTimeout
	}
	return b.r.Read(p)
}

// close waits for a Read in progress and makes later ones fail.
func (b *guardedBody) close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
}

// timeoutWriter holds back the response of a TimeoutHandler's handler.
type timeoutWriter struct {
	mu          sync.Mutex
	header      Header
	trailer     Header
	body        []byte
	code        int
	wroteHeader bool
	err         error // ErrHandlerTimeout once the time is up
	full        bool  // the body went past DefaultTimeoutBufferBytes
}

func (tw *timeoutWriter) Header() *Header  { return &tw.header }
func (tw *timeoutWriter) Trailer() *Header { return &tw.trailer }
func (tw *timeoutWriter) Flush() error     { return errTimeoutFlush }

func (tw *timeoutWriter) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic("turbohttp: invalid WriteHeader code " + strconv.Itoa(code))
	}
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.err != nil || tw.wroteHeader || code < 200 {
		return // 1xx responses are not held back: dropped
	}
	tw.wroteHeader, tw.code = true, code
}

func (tw *timeoutWriter) Write(p []byte) (int, error) { return tw.write(p) }

func (tw *timeoutWriter) WriteString(s string) (int, error) { return tw.write([]byte(s)) }

func (tw *timeoutWriter) write(p []byte) (int, error) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.err != nil {
		return 0, tw.err
	}
	if !tw.wroteHeader {
		tw.wroteHeader, tw.code = true, StatusOK
	}
	if len(tw.body)+len(p) > DefaultTimeoutBufferBytes {
		tw.full = true
		return 0, ErrTimeoutBufferFull
	}
	tw.body = append(tw.body, p...)
	return len(p), nil
}

// sendTo writes the held-back response to w. The caller holds tw.mu.
func (tw *timeoutWriter) sendTo(w ResponseWriter) {
	if tw.full {
		Error(w, "500 response too large for TimeoutHandler", StatusInternalServerError)
		return
	}
	mergeHeader(w.Header(), &tw.header)
	mergeHeader(w.Trailer(), &tw.trailer)
	if !tw.wroteHeader {
		tw.code = StatusOK
	}
	w.WriteHeader(tw.code)
	w.Write(tw.body)
}

// mergeHeader replaces the fields of dst named in src with src's.
func mergeHeader(dst, src *Header) {
	for i := range src.fields {
		delFields(dst, src.fields[i].Name, 0)
	}
	for i := range src.fields {
		dst.AddBytes(src.fields[i].Name, src.fields[i].Value)
	}
}
