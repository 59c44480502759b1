package turbohttp

import (
	"io"
	"os"
	"sync"
	"time"

	"turbohttp/h1"
	"turbohttp/h2"
	"turbohttp/internal/ascii"
)

// h2stream is a worker of an HTTP/2 connection together with the request
// it serves: its goroutine runs one stream's handler at a time and is
// reused for the next, and so are its Request, ResponseWriter and body
// buffer. A worker waits, idle, on wake for the next stream handed to it
// by the reader (dispatch); a closed wake tells it to exit.
type h2stream struct {
	hc      *h2conn
	wake    chan struct{}
	started bool // the goroutine exists (guarded by hc.mu)

	id   uint32
	req  Request
	resp h2response
	body h2body

	// Guarded by hc.mu: the request body and the stream's fate.
	buf        []byte // body received, not yet read: buf[boff:]
	boff       int
	eof        bool   // the client's END_STREAM arrived
	err        error  // the stream was reset, or the connection ended
	bodyClosed bool   // the handler returned: body data is given back at once
	trailer    Header // request trailers, moved to req.Trailer at EOF
	trailed    bool
	expect100  bool // a 100 Continue is owed before the first read
	asterisk   bool // "OPTIONS *"
	readWait   sync.Cond
	readers    int
	// Deadlines set through the ResponseWriter (DeadlineSetter), with
	// the timers that enforce them (made on first use).
	readDue, writeDue     time.Time
	readTimer, writeTimer *time.Timer
	readExpired           bool
}

// h2MaxKeptBody is the largest request-body buffer a worker keeps for
// its next stream.
const h2MaxKeptBody = 64 << 10

// dispatch hands a new request to a worker: an idle one, or a new one. A
// request beyond MAX_CONCURRENT_STREAMS running handlers (possible when
// streams the client reset leave their handlers running) waits for one to
// finish; more than that many waiting ends the connection with
// ENHANCE_YOUR_CALM. Called with mu held.
func (hc *h2conn) dispatch(h *h2.Headers) {
	var s *h2stream
	if n := len(hc.idle); n > 0 {
		s, hc.idle = hc.idle[n-1], hc.idle[:n-1]
	} else {
		s = &h2stream{hc: hc, wake: make(chan struct{}, 1)}
		s.readWait.L = &hc.mu
		s.body.s = s
		s.resp.s = s
	}
	s.prepare(h)
	hc.streams[s.id] = s
	hc.opened++
	if hc.running >= hc.maxRun {
		if len(hc.pending) >= hc.maxRun {
			hc.eng.Abort(h2.ErrCodeEnhanceYourCalm, "too many handlers still running")
			return
		}
		hc.pending = append(hc.pending, s)
		return
	}
	hc.start(s)
}

// start runs s's handler on its worker; called with mu held.
func (hc *h2conn) start(s *h2stream) {
	hc.running++
	if !s.started {
		s.started = true
		go s.run()
		return
	}
	s.wake <- struct{}{}
}

// prepare fills the request from the header section, copying what it
// keeps (h is a view into the engine's buffers).
func (s *h2stream) prepare(h *h2.Headers) {
	hc := s.hc
	r := &s.req
	r.reset()
	s.id = h.StreamID
	r.Method = internMethod(h.Method)
	r.ProtoMajor, r.ProtoMinor = 2, 0
	r.arena = append(r.arena[:0], h.Path...)
	path := r.arena[:len(h.Path):len(h.Path)]
	authority := h.Authority
	if authority == nil {
		authority = hostField(h.Fields)
	}
	start := len(r.arena)
	r.arena = append(r.arena, authority...)
	r.Host = r.arena[start:len(r.arena):len(r.arena)]
	r.RequestURI = path
	s.asterisk = string(path) == "*"
	switch {
	case r.Method == MethodConnect && len(path) == 0:
		r.URL.Host = r.Host
	case s.asterisk:
		r.URL.Path = path
	default:
		splitTarget(&r.URL, path, h1.OriginForm)
	}
	s.expect100 = false
	r.Header.grow(len(h.Fields), h2FieldBytes(h.Fields))
	for i := range h.Fields {
		f := &h.Fields[i]
		r.Header.AddBytes(f.Name, f.Value)
		if string(f.Name) == "expect" && ascii.EqualFold(f.Value, "100-continue") {
			s.expect100 = !h.EndStream
		}
	}
	r.ContentLength = h.ContentLength
	if h.EndStream {
		r.ContentLength = 0
	}
	r.RemoteAddr = hc.rwc.RemoteAddr()
	r.TLS = hc.c.tlsState
	r.baseCtx = hc.ctx
	r.Body = &s.body
	s.buf, s.boff = s.buf[:0], 0
	s.eof, s.err, s.bodyClosed, s.trailed = h.EndStream, nil, false, false
	s.trailer.Reset()
	s.resp.reset(r.Method == MethodHead)
}

// hostField returns the value of a host field, for a request without
// :authority.
func hostField(fields []h2.Field) []byte {
	for _, f := range fields {
		if string(f.Name) == "host" {
			return f.Value
		}
	}
	return nil
}

// run is the worker's loop: serve the stream, hand the stream back, wait
// for the next. A panic outside the handler ends the connection only.
func (s *h2stream) run() {
	hc := s.hc
	defer func() {
		if p := recover(); p != nil {
			hc.c.logPanic("turbohttp: panic in HTTP/2 worker", p)
			hc.mu.Lock()
			hc.eng.Abort(h2.ErrCodeInternal, "internal error")
			hc.closed = true
			hc.wake()
			hc.mu.Unlock()
			hc.kickReader()
		}
	}()
	for {
		s.serve()
		if !s.finish() {
			return
		}
		if _, ok := <-s.wake; !ok {
			return
		}
	}
}

// serve runs the handler and completes the response. A panic in it is
// logged (but ErrAbortHandler) and resets the stream only.
func (s *h2stream) serve() {
	defer func() {
		if p := recover(); p != nil {
			if p != ErrAbortHandler {
				s.hc.c.logPanic("turbohttp: panic serving HTTP/2 request", p)
			}
			s.hc.mu.Lock()
			s.hc.eng.Reset(s.id, h2.ErrCodeInternal)
			s.hc.mu.Unlock()
		}
	}()
	if d := s.hc.srv.WriteTimeout; d > 0 {
		s.resp.SetWriteDeadline(time.Now().Add(d))
	}
	if d := s.hc.srv.ReadTimeout; d > 0 {
		s.resp.SetReadDeadline(time.Now().Add(d)) // for the body
	}
	h := s.hc.srv.Handler
	if s.asterisk && s.req.Method == MethodOptions && !s.hc.srv.DisableGeneralOptionsHandler {
		h = generalOptions
	}
	h.ServeHTTP(&s.resp, &s.req)
	s.resp.finish()
}

// finish hands the stream back once its handler returned: body bytes left
// unread go back to the flow-control windows, and a body still arriving
// is stopped with RST_STREAM(NO_ERROR) after the response (RFC 9113
// §8.1). The worker then takes a waiting stream's place or goes idle; it
// reports false when it must exit instead.
func (s *h2stream) finish() bool {
	s.req.endContext()
	hc := s.hc
	hc.mu.Lock()
	defer hc.mu.Unlock()
	s.stopTimers()
	s.bodyClosed = true
	if unread := len(s.buf) - s.boff; unread > 0 {
		hc.eng.Consumed(s.id, unread)
	}
	s.buf, s.boff = s.buf[:0], 0
	if cap(s.buf) > h2MaxKeptBody {
		s.buf = nil
	}
	if !s.eof && s.err == nil {
		hc.eng.Reset(s.id, h2.ErrCodeNo)
	}
	delete(hc.streams, s.id)
	if len(hc.streams) == 0 {
		hc.idleSince = time.Now()
	}
	hc.running--
	if hc.running == 0 && len(hc.pending) == 0 {
		hc.writeInline(&hc.rout) // the last of its batch: no need to wake the writer
	} else {
		hc.wake()
	}
	if len(hc.pending) > 0 && !hc.closed {
		next := hc.pending[0]
		copy(hc.pending, hc.pending[1:])
		hc.pending[len(hc.pending)-1] = nil
		hc.pending = hc.pending[:len(hc.pending)-1]
		hc.start(next)
	}
	if hc.closed || len(hc.idle) >= hc.maxRun {
		return false
	}
	hc.idle = append(hc.idle, s)
	return true
}

// data buffers request body bytes; called with mu held. The engine's
// flow control bounds what is buffered to the stream's window.
func (s *h2stream) data(p []byte, end bool) {
	if s.boff > 0 && len(s.buf)+len(p) > cap(s.buf) {
		n := copy(s.buf, s.buf[s.boff:])
		s.buf, s.boff = s.buf[:n], 0
	}
	s.buf = append(s.buf, p...)
	s.eof = s.eof || end
	s.signalReaders()
}

// trailers records the request's trailers; called with mu held.
func (s *h2stream) trailers(h *h2.Headers) {
	for i := range h.Fields {
		s.trailer.AddBytes(h.Fields[i].Name, h.Fields[i].Value)
	}
	s.eof = true
	s.signalReaders()
}

// reset ends the stream abnormally (RST_STREAM from the client, or a
// stream error); called with mu held.
func (s *h2stream) reset(code h2.ErrCode) {
	if s.err == nil {
		s.err = h2StreamError{code}
	}
	s.req.cancelContext()
	s.signalReaders()
	if s.hc.sendWaiters > 0 {
		s.hc.sendWait.Broadcast()
	}
}

// abandon ends the stream because the connection ended; called with mu
// held. A stream still waiting for a worker has its worker told to exit.
func (s *h2stream) abandon() {
	if s.err == nil {
		s.err = errH2ConnClosed
	}
	s.req.cancelContext()
	s.signalReaders()
	for i, p := range s.hc.pending {
		if p == s {
			s.hc.pending[i] = nil
			if s.started {
				close(s.wake)
			}
		}
	}
}

func (s *h2stream) signalReaders() {
	if s.readers > 0 {
		s.readWait.Broadcast()
	}
}

// h2body is the Body of an HTTP/2 request: it reads what the client sent
// on the stream, returning flow-control credit as it goes, so that the
// client sends more only as fast as the handler reads.
type h2body struct{ s *h2stream }

func (b *h2body) Read(p []byte) (int, error) {
	s := b.s
	hc := s.hc
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if s.bodyClosed {
		return 0, errBodyClosed
	}
	if s.expect100 {
		s.expect100 = false
		if !s.resp.committed && s.err == nil {
			hc.eng.WriteHeaders(s.id, continueFields, false)
			hc.wake()
		}
	}
	for s.boff == len(s.buf) && !s.eof && s.err == nil && !hc.closed && !s.readExpired {
		s.readers++
		s.readWait.Wait()
		s.readers--
	}
	if s.boff < len(s.buf) {
		n := copy(p, s.buf[s.boff:])
		s.boff += n
		if s.boff == len(s.buf) {
			s.buf, s.boff = s.buf[:0], 0
		}
		before := hc.eng.OutputPending()
		hc.eng.Consumed(s.id, n)
		if hc.eng.OutputPending() != before {
			hc.wake()
		}
		return n, nil
	}
	switch {
	case s.err != nil:
		return 0, s.err
	case s.eof:
		if !s.trailed {
			s.trailed = true
			s.trailer.CopyTo(&s.req.Trailer)
		}
		return 0, io.EOF
	case s.readExpired:
		return 0, os.ErrDeadlineExceeded
	}
	return 0, errH2ConnClosed
}

var continueFields = []h2.Field{{Name: []byte(":status"), Value: []byte("100")}}

// setDeadline moves one of the stream's deadlines, arming its timer;
// called with mu held.
func (s *h2stream) setDeadline(due *time.Time, timer **time.Timer, t time.Time, expire func()) {
	*due = t
	if t.IsZero() {
		if *timer != nil {
			(*timer).Stop()
		}
		return
	}
	if *timer == nil {
		*timer = time.AfterFunc(time.Until(t), expire)
		return
	}
	(*timer).Reset(time.Until(t))
}

// readDeadlinePassed ends the body reads waiting when the read deadline
// passed.
func (s *h2stream) readDeadlinePassed() {
	s.hc.mu.Lock()
	defer s.hc.mu.Unlock()
	if !s.readDue.IsZero() && !time.Now().Before(s.readDue) {
		s.readExpired = true
		s.signalReaders()
	}
}

// writeDeadlinePassed resets the stream when the write deadline passed
// before the response was complete, as net/http does.
func (s *h2stream) writeDeadlinePassed() {
	s.hc.mu.Lock()
	defer s.hc.mu.Unlock()
	if !s.writeDue.IsZero() && !time.Now().Before(s.writeDue) && !s.bodyClosed {
		s.hc.eng.Reset(s.id, h2.ErrCodeCancel)
		s.hc.wake()
		s.reset(h2.ErrCodeCancel)
		if s.err == (h2StreamError{h2.ErrCodeCancel}) {
			s.err = os.ErrDeadlineExceeded
		}
	}
}

// stopTimers disarms the deadlines once the handler returned; called with
// mu held.
func (s *h2stream) stopTimers() {
	s.readDue, s.writeDue, s.readExpired = time.Time{}, time.Time{}, false
	if s.readTimer != nil {
		s.readTimer.Stop()
	}
	if s.writeTimer != nil {
		s.writeTimer.Stop()
	}
}
