package turbohttp

import (
	"errors"
	"io"
	"time"

	"turbohttp/h2"
	"turbohttp/internal/ascii"
)

// h2Body is the Response.Body of an HTTP/2 exchange: it reads what the
// reader goroutine buffered for the stream, hands each byte read back to
// the flow-control windows (the engine sends WINDOW_UPDATE at half a
// window), and ends the exchange at the body's end. Closing it early
// resets the stream (CANCEL) and returns the unread bytes' window. It is
// part of its recycled stream: it must not be used after Close.
type h2Body struct {
	cs    *clientStream
	state uint8 // bodyActive, bodyFinished, bodyClosed
	gzip  bool  // read through the stream's gzip decoder
	err   error
}

func (b *h2Body) Read(p []byte) (int, error) {
	switch b.state {
	case bodyFinished:
		return 0, b.err
	case bodyClosed:
		return 0, errRespBodyClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var err error
	if b.gzip {
		n, err = b.cs.gz.Read(p)
	} else {
		n, err = b.cs.raw.Read(p)
	}
	if err != nil && b.state == bodyActive { // else h2Raw.Read ended it
		b.end(err)
	}
	return n, err
}

// h2Raw reads a stream's response body as received (the gzip decoder's
// source, when the Transport asked for gzip).
type h2Raw struct{ cs *clientStream }

// Read returns buffered bytes (handing them back to the windows), waits
// for more, or returns io.EOF at the end of the stream, the stream's
// error, or the context's. The last bytes of a stream that ended come
// with io.EOF, saving the caller a call.
func (r *h2Raw) Read(p []byte) (int, error) {
	cs := r.cs
	cc := cs.cc
	ctxDone := cs.ctx.Done()
	for {
		cc.mu.Lock()
		if n := len(cs.buf) - cs.off; n > 0 {
			k := copy(p, cs.buf[cs.off:])
			cs.off += k
			var err error
			free := false
			if cs.off == len(cs.buf) {
				cs.buf, cs.off = cs.buf[:0], 0
				if cs.remoteDone && cs.err == nil {
					err = io.EOF
					free = cs.endLocked()
				}
			}
			cc.eng.Consumed(cs.id, k)
			if cc.eng.OutputPending() > 0 {
				cc.sendLocked(false)
			}
			cc.mu.Unlock()
			if free {
				cc.t.h2SlotFreed(cc)
			}
			return k, err
		}
		done, err := cs.remoteDone, cs.err
		free := done && err == nil && cs.endLocked()
		cs.asleep = !done && err == nil
		cc.mu.Unlock()
		if free {
			cc.t.h2SlotFreed(cc)
		}
		switch {
		case err != nil:
			return 0, err
		case done:
			return 0, io.EOF
		}
		if ctxDone == nil {
			<-cs.ch
			continue
		}
		select {
		case <-cs.ch:
		case <-ctxDone:
			return 0, cs.ctx.Err()
		}
	}
}

// endLocked ends the exchange at the end of its body, read straight (not
// through the gzip decoder), when nothing is left to stop: the request was
// sent in full. It does what h2Body.end does then (clientStream.finish),
// under the lock Read holds, and reports whether the slot was released, in
// which case the caller hands it to the pool (h2SlotFreed) once mu is
// unlocked. mu is held.
func (cs *clientStream) endLocked() bool {
	if cs.body.gzip || cs.body.state != bodyActive || !cs.wroteAll || cs.uploading {
		return false // h2Body.end does it
	}
	cs.body.state, cs.body.err = bodyFinished, io.EOF
	cs.forgetLocked()
	return cs.releaseLocked()
}

// Done reports whether the stream's body was read in full: nothing is
// left unread, and the stream ended (it waits for the END_STREAM when the
// decoder has read all that arrived so far).
func (r *h2Raw) Done() bool {
	cs := r.cs
	cc := cs.cc
	for {
		cc.mu.Lock()
		left, done, err := len(cs.buf)-cs.off, cs.remoteDone, cs.err
		cs.asleep = left == 0 && !done && err == nil
		cc.mu.Unlock()
		switch {
		case left > 0 || err != nil:
			return false
		case done:
			return true
		}
		select {
		case <-cs.ch:
		case <-cs.ctx.Done():
			return false
		}
	}
}

// end finishes the exchange with err (io.EOF: the response is complete).
func (b *h2Body) end(err error) {
	b.state, b.err = bodyFinished, err
	if err == io.EOF {
		b.cs.finish()
		return
	}
	b.cs.abort(h2.ErrCodeCancel)
}

// Close ends the body; an exchange not yet over is reset (CANCEL). The
// stream is then recycled.
func (b *h2Body) Close() error {
	if b.state == bodyClosed {
		return nil
	}
	if b.state == bodyActive {
		b.state = bodyFinished
		b.cs.abort(h2.ErrCodeCancel)
	}
	b.state = bodyClosed
	b.cs.recycle()
	return nil
}

// startUpload starts the body writer of the exchange: the body streams
// under flow control while the response is read.
func (cs *clientStream) startUpload(body io.Reader, length int64, expect bool) {
	cc := cs.cc
	cc.mu.Lock()
	cs.uploading = true
	cc.uploads++
	cs.upBody = body
	cc.mu.Unlock()
	go cs.writeBody(body, length, expect)
}

// joinUpload waits for the body writer, if one runs; the caller has
// stopped it (stopWriterLocked) or it ends by itself.
func (cs *clientStream) joinUpload() {
	cc := cs.cc
	cc.mu.Lock()
	running := cs.uploading
	cc.mu.Unlock()
	if running {
		<-cs.wdone
	}
	// else the writer, if any, has ended; reset drains its result
}

// errUploadStopped ends a body writer the exchange stopped.
var errUploadStopped = errors.New("turbohttp: request body upload stopped")

// writeBody is the body writer goroutine.
func (cs *clientStream) writeBody(body io.Reader, length int64, expect bool) {
	err := cs.upload(body, length, expect)
	if c, ok := body.(io.Closer); ok {
		c.Close()
	}
	if trace := ContextClientTrace(cs.ctx); trace != nil && err != errUploadStopped {
		trace.wroteRequest(err)
	}
	cc := cs.cc
	cc.mu.Lock()
	// The result goes into wdone (buffered, so this never blocks) in the
	// same critical section that clears uploading: whoever sees uploading
	// false knows it is there, and reset drains one nobody joined.
	cs.wdone <- err
	cs.uploading = false
	cc.uploads--
	if err != nil && err != errUploadStopped {
		// The body failed: the server must not take a truncated
		// request for a whole one.
		if cc.err == nil {
			cs.cancelLocked(h2.ErrCodeCancel)
		}
		cs.failLocked(&RequestWriteError{Err: err})
	}
	cc.mu.Unlock()
	cc.flush(false)
}

// upload sends the body, then the trailers, under flow control.
func (cs *clientStream) upload(body io.Reader, length int64, expect bool) error {
	if expect && !cs.await100() {
		return errUploadStopped
	}
	bp := uploadBufs.Get().(*[uploadBufSize]byte)
	defer uploadBufs.Put(bp)
	var sent int64
	empty := 0
	for {
		n, rerr := body.Read(bp[:])
		sent += int64(n)
		if rerr != nil && rerr != io.EOF {
			return rerr
		}
		if length > 0 && (sent > length || rerr == io.EOF && sent != length) {
			return ErrBodyLength
		}
		if n == 0 && rerr == nil {
			if empty++; empty >= 100 {
				return io.ErrNoProgress
			}
			continue
		}
		empty = 0
		end := rerr == io.EOF
		trailers := end && cs.req.Trailer.Len() > 0 // final once the body ended
		if err := cs.writeData(bp[:n], end && !trailers); err != nil {
			return err
		}
		if end {
			return cs.endUpload(trailers)
		}
	}
}

// endUpload sends the trailers, if any, and marks the request sent.
func (cs *clientStream) endUpload(trailers bool) error {
	cc := cs.cc
	cc.mu.Lock()
	var err error
	if trailers {
		err = cc.writeTrailersLocked(cs)
	}
	cs.wroteAll = err == nil
	cs.wake() // ResponseHeaderTimeout starts now
	cc.mu.Unlock()
	cc.flush(true)
	return err
}

// writeTrailersLocked queues the request's trailers, names lowercased.
func (cc *h2ClientConn) writeTrailersLocked(cs *clientStream) error {
	if cs.stopWrite || cc.err != nil {
		return errUploadStopped
	}
	tr := &cs.req.Trailer
	b := cc.fbuf[:0]
	for i := range tr.fields {
		b = ascii.AppendLower(b, tr.fields[i].Name)
	}
	cc.fbuf = b
	cc.fields = cc.fields[:0]
	o := 0
	for i := range tr.fields {
		f := &tr.fields[i]
		cc.fields = append(cc.fields, h2.Field{Name: b[o : o+len(f.Name)], Value: f.Value})
		o += len(f.Name)
	}
	err := cc.eng.WriteTrailers(cs.id, cc.fields)
	clear(cc.fields)
	return err
}

// writeData queues data on the stream as the windows allow, waiting for
// them to open; end ends the stream with the last of it.
func (cs *clientStream) writeData(data []byte, end bool) error {
	cc := cs.cc
	for {
		cc.mu.Lock()
		if cs.stopWrite || cc.err != nil {
			cc.mu.Unlock()
			return errUploadStopped
		}
		k, err := cc.eng.WriteData(cs.id, data, end)
		if err != nil {
			cc.mu.Unlock()
			return err
		}
		data = data[k:]
		if len(data) == 0 {
			cs.wroteAll = cs.wroteAll || end
			cc.mu.Unlock()
			cc.flush(true)
			return nil
		}
		cc.mu.Unlock()
		cc.flush(true)
		if k == 0 {
			if err := cs.waitWriter(nil); err != nil {
				return err
			}
		}
	}
}

// waitWriter waits for a token on wch, the context's end or timeout.
func (cs *clientStream) waitWriter(timeout <-chan time.Time) error {
	select {
	case <-cs.wch:
		return nil
	case <-timeout:
		return nil
	case <-cs.ctx.Done():
		return errUploadStopped
	}
}

// await100 waits, for "Expect: 100-continue", for the 100 (true), the
// ExpectContinueTimeout (true), or a final response or the exchange's
// end (false: the body is not sent).
func (cs *clientStream) await100() bool {
	cc := cs.cc
	var timeout <-chan time.Time
	if d := orDefault(cc.t.ExpectContinueTimeout, DefaultExpectContinueTimeout); d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		timeout = timer.C
	} else {
		return true
	}
	for {
		cc.mu.Lock()
		got100, final, stop := cs.got100, cs.gotHead, cs.stopWrite || cc.err != nil
		cc.mu.Unlock()
		switch {
		case got100:
			return true
		case final || stop:
			return false
		}
		select {
		case <-cs.wch:
		case <-timeout:
			return true
		case <-cs.ctx.Done():
			return false
		}
	}
}
