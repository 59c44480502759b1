package turbohttp

import (
	"strconv"
	"time"

	"turbohttp/h2"
	"turbohttp/internal/ascii"
)

// h2response is the HTTP/2 ResponseWriter. It belongs to its worker and
// is reused for every stream the worker serves. The head and body are
// queued in the engine under the connection's lock and sent by the
// connection's writer: Write queues and returns (waiting only while the
// client's windows or the send queue are full), Flush wakes the writer,
// and the handler's return ends the stream.
type h2response struct {
	responseState
	s *h2stream

	ended bool // END_STREAM is queued, or the stream was reset

	// Scratch for the header section: fields refer into names.
	fields []h2.Field
	names  []byte
}

func (w *h2response) reset(isHead bool) {
	w.responseState.reset(isHead)
	w.ended = false
}

// WriteHeader chooses the status, or sends a 1xx response at once. HTTP/2
// has no 101 (RFC 9113 §8.6): it is refused like an invalid code.
func (w *h2response) WriteHeader(code int) {
	if !w.wroteHeader && w.setStatus(code) {
		w.writeInformational(code)
	}
}

// writeInformational queues a 1xx response with the fields in the header.
func (w *h2response) writeInformational(code int) {
	s := w.s
	fields := w.appendSection(code, &w.header, false)
	s.hc.mu.Lock()
	defer s.hc.mu.Unlock()
	if code == StatusContinue {
		s.expect100 = false
	}
	err := s.hc.eng.WriteHeaders(s.id, fields, false)
	if _, ok := err.(*h2.FieldError); ok {
		err = s.hc.eng.WriteHeaders(s.id, w.dropInvalid(fields), false)
	}
	if err == nil {
		s.hc.wake()
	}
}

func (w *h2response) Write(p []byte) (int, error) {
	if n, done, err := h2BufferBody(w, p); done {
		return n, err
	}
	if err := w.send(p, false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// WriteString is Write for a string: what is not buffered goes to the
// engine through a scratch buffer.
func (w *h2response) WriteString(p string) (int, error) {
	if n, done, err := h2BufferBody(w, p); done {
		return n, err
	}
	for off := 0; off < len(p); {
		n := min(len(p)-off, 16<<10)
		w.scratch = append(w.scratch[:0], p[off:off+n]...)
		if err := w.send(w.scratch, false); err != nil {
			return off, err
		}
		off += n
	}
	return len(p), nil
}

// h2BufferBody does what Write does before sending: the checks, the
// count, and holding a short body back until the head is committed. It
// reports done when nothing is left to send.
func h2BufferBody[S ~string | ~[]byte](w *h2response, p S) (n int, done bool, err error) {
	if !w.wroteHeader {
		w.WriteHeader(StatusOK)
	}
	switch {
	case w.err != nil:
		return 0, true, w.err
	case len(p) == 0:
		return 0, true, nil
	case !statusAllowsBody(w.status):
		return 0, true, ErrBodyNotAllowed
	case w.declared >= 0 && w.written+int64(len(p)) > w.declared:
		return 0, true, ErrContentLength
	}
	w.written += int64(len(p))
	if w.isHead {
		return len(p), true, nil
	}
	if !w.committed {
		if len(w.body)+len(p) <= bodyBufSize {
			w.body = append(w.body, p...)
			return len(p), true, nil
		}
		if err := w.commit(false); err != nil {
			return 0, true, err
		}
	}
	return 0, false, nil
}

// send queues p as DATA, waiting while the client's windows or the send
// queues are full; end ends the stream after it.
func (w *h2response) send(p []byte, end bool) error {
	hc := w.s.hc
	hc.mu.Lock()
	defer hc.mu.Unlock()
	return w.sendLocked(p, end)
}

// sendLocked is send with mu held. It waits while the connection's output
// is over h2OutputBudget: a client that does not read stops the handlers
// that write to it.
func (w *h2response) sendLocked(p []byte, end bool) error {
	hc := w.s.hc
	for {
		if err := w.failed(); err != nil {
			return err
		}
		if len(p) == 0 || hc.eng.OutputPending() <= h2OutputBudget {
			n, err := hc.eng.WriteData(w.s.id, p, end)
			if err != nil {
				return w.fail(err)
			}
			if p = p[n:]; len(p) == 0 {
				w.ended = w.ended || end
				return nil
			}
		}
		if hc.eng.OutputPending() > 0 {
			hc.wake() // the queues drain only as the writer takes them
		}
		hc.sendWaiters++
		hc.sendWait.Wait()
		hc.sendWaiters--
	}
}

// failed returns the error that ends the response's writes, if any;
// called with mu held.
func (w *h2response) failed() error {
	s := w.s
	switch {
	case w.err != nil:
	case s.err != nil:
		w.err = s.err
	case s.hc.closed:
		w.err = errH2ConnClosed
	}
	return w.err
}

// fail records err, from the engine, as the response's error.
func (w *h2response) fail(err error) error {
	if w.err == nil {
		w.err = err
		if f := w.failed(); f != nil && err == h2.ErrStreamClosed {
			w.err = f
		}
	}
	return w.err
}

// commit queues the HEADERS, and the body held back so far. final is set
// when the handler has returned and no trailers follow: the body's
// length is then known, and the stream may end with it.
func (w *h2response) commit(final bool) error {
	w.committed = true
	fields := w.appendSection(w.status, &w.header, true)
	if !w.header.Has("Date") {
		fields = append(fields, h2.Field{Name: nameDate, Value: cachedDate(time.Now())})
	}
	if statusAllowsBody(w.status) && !w.header.Has("Content-Type") && w.written > 0 {
		start := len(w.names)
		w.names = append(w.names, DetectContentType(w.body)...)
		fields = append(fields, h2.Field{Name: nameContentType, Value: w.names[start:len(w.names):len(w.names)]})
	}
	if final && w.declared < 0 && statusAllowsBody(w.status) {
		start := len(w.names)
		w.names = strconv.AppendInt(w.names, w.written, 10)
		fields = append(fields, h2.Field{Name: nameContentLength, Value: w.names[start:len(w.names):len(w.names)]})
	}
	w.fields = fields
	end := final && len(w.body) == 0
	hc := w.s.hc
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if err := w.failed(); err != nil {
		return err
	}
	err := hc.eng.WriteHeaders(w.s.id, fields, end)
	if _, ok := err.(*h2.FieldError); ok {
		err = hc.eng.WriteHeaders(w.s.id, w.dropInvalid(fields), end)
	}
	if err != nil {
		return w.fail(err)
	}
	w.ended = end
	if len(w.body) > 0 {
		err := w.sendLocked(w.body, final)
		w.body = w.body[:0]
		return err
	}
	return nil
}

// appendSection returns the fields of a header section with status: the
// handler's fields lowercased, leaving out those HTTP/2 does not carry
// (connection-specific ones, and content-length where the server decides
// it). The engine checks every field it sends; when it refuses one,
// dropInvalid leaves out what it would refuse and the section is written
// again, so that valid fields are checked once.
func (w *h2response) appendSection(status int, h *Header, final bool) []h2.Field {
	w.names = strconv.AppendInt(w.names[:0], int64(status), 10)
	fields := append(w.fields[:0], h2.Field{Name: nameStatus, Value: w.names[:len(w.names):len(w.names)]})
	keepLength := final && w.declared >= 0 && status != StatusNoContent
	for i := range h.fields {
		f := &h.fields[i]
		if connectionSpecific(f.Name) || owned(f.Name, ownContentLength) && !keepLength {
			continue
		}
		start := len(w.names)
		w.names = AppendLowerKey(w.names, f.Name)
		fields = append(fields, h2.Field{Name: w.names[start:len(w.names):len(w.names)], Value: f.Value})
	}
	w.fields = fields
	return fields
}

// dropInvalid removes from fields the regular fields the engine refuses,
// logging the first.
func (w *h2response) dropInvalid(fields []h2.Field) []h2.Field {
	kept := fields[:0]
	for _, f := range fields {
		if len(f.Name) == 0 || f.Name[0] != ':' {
			if err := h2.CheckField(f); err != nil {
				w.drop(w.s.hc.srv, f.Name, err)
				continue
			}
		}
		kept = append(kept, f)
	}
	return kept
}

// Names of the fields the server adds; never modified.
var (
	nameStatus        = []byte(":status")
	nameDate          = []byte("date")
	nameContentType   = []byte("content-type")
	nameContentLength = []byte("content-length")
)

// connectionSpecific reports the fields HTTP/2 forbids (RFC 9113 §8.2.2),
// which a handler written for HTTP/1 may set: they are left out quietly.
func connectionSpecific(name []byte) bool {
	for _, n := range [...]string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade"} {
		if len(name) == len(n) && ascii.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// finish completes the response once the handler has returned: the head
// if it was not sent, then the end of the stream, with the trailers if
// there are any. A body shorter than the content-length the handler
// declared resets the stream instead: the client must not take it for
// the whole.
func (w *h2response) finish() {
	if !w.wroteHeader {
		w.WriteHeader(StatusOK)
	}
	trailers := w.trailer.Len() > 0
	if !w.committed {
		if w.commit(!trailers) != nil {
			return
		}
	}
	hc := w.s.hc
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if w.ended || w.failed() != nil {
		return
	}
	if w.declared >= 0 && w.written < w.declared && !w.isHead && statusAllowsBody(w.status) {
		hc.eng.Reset(w.s.id, h2.ErrCodeInternal)
		w.ended = true
		hc.wake()
		return
	}
	if trailers {
		fields := w.appendSection(0, &w.trailer, false)[1:]
		err := hc.eng.WriteTrailers(w.s.id, fields)
		if _, ok := err.(*h2.FieldError); ok {
			err = hc.eng.WriteTrailers(w.s.id, w.dropInvalid(fields))
		}
		if err != nil {
			w.fail(err)
		}
		w.ended = true
		hc.wake()
		return
	}
	w.sendLocked(nil, true)
	hc.wake()
}

// Flush sends the head, and what the body holds so far, to the client.
func (w *h2response) Flush() error {
	if !w.wroteHeader {
		w.WriteHeader(StatusOK)
	}
	if !w.committed {
		if err := w.commit(false); err != nil {
			return err
		}
	}
	hc := w.s.hc
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if err := w.failed(); err != nil {
		return err
	}
	hc.wake()
	return nil
}

// SetReadDeadline sets the deadline for reading the request body: a read
// waiting past it returns os.ErrDeadlineExceeded. Zero means none.
func (w *h2response) SetReadDeadline(t time.Time) error {
	s := w.s
	s.hc.mu.Lock()
	defer s.hc.mu.Unlock()
	s.readExpired = !t.IsZero() && !time.Now().Before(t)
	s.setDeadline(&s.readDue, &s.readTimer, t, s.readDeadlinePassed)
	s.signalReaders()
	return nil
}

// SetWriteDeadline sets the deadline for the whole response: past it, the
// stream is reset (CANCEL) and writes fail. Zero means none.
func (w *h2response) SetWriteDeadline(t time.Time) error {
	s := w.s
	s.hc.mu.Lock()
	defer s.hc.mu.Unlock()
	s.setDeadline(&s.writeDue, &s.writeTimer, t, s.writeDeadlinePassed)
	return nil
}

// EnableFullDuplex lets the handler read the request body after it has
// started writing the response; HTTP/2 always allows it.
func (w *h2response) EnableFullDuplex() error { return nil }

var _ DeadlineSetter = (*h2response)(nil)
