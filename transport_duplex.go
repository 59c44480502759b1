package turbohttp

import (
	"io"
	"sync"
	"time"

	"turbohttp/h1"
)

// Full duplex: a request body that must stream is written by a second
// goroutine while the caller's goroutine reads the response, as net/http's
// persistConn does with its write and read loops. A server may answer
// before it has read the whole body (an echo that streams the body back, a
// gRPC-style exchange, a 413 to a large upload); a client that writes the
// whole body before it reads anything deadlocks with such a server once
// both sides' socket buffers are full.
//
// Only bodies that must stream pay for the goroutine: those of unknown
// length (chunked) and those longer than maxInlineBody. A GET and a small
// body of known length are written inline by the caller, then the head is
// read, as before, with no goroutine and no allocation.
//
// The exchange then runs so:
//   - the writer writes the head and the body, flushes, and reports;
//   - the caller reads the final head meanwhile. ResponseHeaderTimeout
//     starts only once the writer has finished, as its doc says;
//   - a final non-2xx response that arrives before the upload ended stops
//     the upload (RFC 9112 §9.5's early error response: the server does not
//     want the rest) and the connection closes after the response;
//   - a 2xx response is returned at once, and the upload goes on while the
//     caller reads the response body. When the response body ends the
//     connection is reused only if the upload has finished too (within
//     uploadWaitBeforeReuse); otherwise the upload stops and the connection
//     closes;
//   - a failure of the body's own Read (or ErrBodyLength) aborts the
//     exchange: the server waits for bytes that will not come, so reading
//     the response is cut off and the caller gets a *RequestWriteError;
//   - a failure of the connection while writing lets the caller read the
//     response the server may have sent first (within earlyResponseWait);
//     without one, the caller gets the *RequestWriteError.
//
// The writer goroutine is owned by the exchange, which joins it before it
// ends: before Do returns an error, and before the response body's end or
// Close returns. It ends when the body is written, or when stopUpload has
// moved the connection's write deadline into the past and closed the body
// (if it is an io.Closer); a body whose Read blocks and cannot be closed
// holds the join until that Read returns. So once the response body has
// ended or been closed, the request and its body are the caller's again.

// maxInlineBody is the longest body of known length written inline by the
// caller before it reads the response (no second goroutine). Longer
// bodies, and bodies of unknown length, stream from a writer goroutine
// while the response is read.
const maxInlineBody = 64 << 10

// uploadWaitBeforeReuse bounds how long the end of a response body waits
// for an upload still in progress before the connection is closed instead
// of reused (the writer may be a moment behind the server's last byte).
const uploadWaitBeforeReuse = 50 * time.Millisecond

// streamsBody reports whether a body framed by length is written by a
// second goroutine (see maxInlineBody).
func streamsBody(length int64) bool {
	return length == h1.Chunked || length > maxInlineBody
}

// upload is the state shared by a connection's caller and its body writer
// during one full-duplex exchange.
type upload struct {
	// done receives the writer's result once; made per exchange.
	done chan error
	// active: a writer was started in the current exchange and has not
	// been joined (its result received from done). Owned by the caller.
	active bool
	// stopped: stopUpload ran in the current exchange. Owned by the
	// caller.
	stopped bool
	body    io.Reader

	mu sync.Mutex
	// headRead: the caller is done with the final head (deadlines on
	// reads are the body's business from then on).
	headRead bool
	finished bool  // the writer has finished
	err      error // the writer's error, once finished
	connErr  bool  // err came from the connection, not the body
	stopOnce sync.Once
}

// RequestWriteError reports that the request could not be written in
// full: Err is the connection's write error, or the body's (its Read
// error, ErrBodyLength, io.ErrNoProgress). The connection is closed.
type RequestWriteError struct {
	Err error
}

func (e *RequestWriteError) Error() string {
	return "turbohttp: writing the request: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *RequestWriteError) Unwrap() error { return e.Err }

// ResponseReadError reports that the response head or body could not be
// read: Err is the connection's error (io.ErrUnexpectedEOF for a response
// cut short). A malformed response is a *MalformedResponseError instead,
// and a cancelled request returns its context's error.
type ResponseReadError struct {
	Err error
}

func (e *ResponseReadError) Error() string {
	return "turbohttp: reading the response: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *ResponseReadError) Unwrap() error { return e.Err }

// exchangeDuplex carries the rest of an exchange whose body streams: the
// head is in the write buffer, and the writer goroutine sends it with the
// body while this goroutine reads the response head.
func (pc *persistConn) exchangeDuplex(req *Request, body io.Reader, resp *Response, m string, length int64, gzip bool) error {
	up := &pc.up
	up.done, up.active, up.stopped, up.body = make(chan error, 1), true, false, body
	up.headRead, up.finished, up.err, up.connErr = false, false, nil, false
	up.stopOnce = sync.Once{}
	pc.bodyOwned = true
	go pc.writeUpload(req, body, length)
	n, err := pc.readInterim(m, req)
	finished, werr := pc.headDone()
	switch {
	case err != nil && finished && werr != nil:
		return werr
	case err != nil:
		pc.stopUpload()
		return err
	case finished && werr != nil && !up.connErr:
		return werr // the response came, but the upload failed on its own
	case !finished && pc.head.Tunnel:
		if werr = pc.collectUpload(); werr != nil { // a tunnel needs the whole request sent
			return werr
		}
	case !finished && pc.head.Status >= 300:
		pc.stopUpload() // the server answered early: it does not want the rest
		pc.closing = true
	case finished && werr != nil:
		pc.closing = true // the server answered, then the connection broke
	}
	return pc.setResponse(req, resp, n, gzip)
}

// uploadBufSize is the size of the read buffer of a streamed body, borrowed
// from uploadBufs for the upload: writes of this size reach the connection
// directly, not through the 4 KiB write buffer.
const uploadBufSize = 32 << 10

var uploadBufs = sync.Pool{New: func() any { return new([uploadBufSize]byte) }}

// writeUpload is the writer goroutine: it writes the head already buffered
// and the body, then reports to the caller.
func (pc *persistConn) writeUpload(req *Request, body io.Reader, length int64) {
	buf := uploadBufs.Get().(*[uploadBufSize]byte)
	var err error
	if length == h1.Chunked {
		err = pc.writeChunked(req, body, buf[:])
	} else {
		err = pc.copyBody(body, length, buf[:])
	}
	uploadBufs.Put(buf)
	if err == nil {
		err = pc.bw.Flush()
	}
	pc.trace.wroteRequest(err) // trace hooks may run on any goroutine, as with httptrace
	connErr := pc.w.err != nil
	if err != nil {
		err = &RequestWriteError{Err: err}
	}
	pc.closeUploadBody()
	up := &pc.up
	up.mu.Lock()
	up.finished, up.err, up.connErr = true, err, connErr
	switch {
	case err == nil:
		if d := pc.t.ResponseHeaderTimeout; d > 0 && !up.headRead {
			pc.setReadDeadline(time.Now().Add(d))
		}
	case !connErr:
		// The server waits for body bytes that will not come: cut the
		// response off.
		pc.conn.SetReadDeadline(aLongTimeAgo)
	case !up.headRead:
		pc.setReadDeadline(time.Now().Add(earlyResponseWait))
	}
	up.mu.Unlock()
	up.done <- err
}

// copyBody writes a request body of known length, length bytes of body,
// to the write buffer: read into buf (a streamed upload's own buffer), or,
// with buf nil, straight into the write buffer's free space (a body
// written inline). It returns ErrBodyLength if the body ends early or goes
// on past length, io.ErrNoProgress if its Read keeps returning nothing.
func (pc *persistConn) copyBody(body io.Reader, length int64, buf []byte) error {
	left := length
	for zeros := 0; left > 0; {
		dst := buf
		if dst == nil {
			if pc.bw.Available() == 0 {
				if err := pc.bw.Flush(); err != nil {
					return err
				}
			}
			free := pc.bw.AvailableBuffer()
			dst = free[:cap(free)]
		}
		n, err := body.Read(dst[:min(int64(len(dst)), left)])
		if _, werr := pc.bw.Write(dst[:n]); werr != nil {
			return werr
		}
		left -= int64(n)
		if err == io.EOF && left > 0 {
			return ErrBodyLength
		} else if err != nil && err != io.EOF {
			return err
		}
		if zeros = zeros + 1; n > 0 {
			zeros = 0
		} else if zeros > maxEmptyReads {
			return io.ErrNoProgress
		}
	}
	probe := pc.one[:]
	if buf != nil {
		probe = buf[:1]
	}
	if n, _ := body.Read(probe); n > 0 {
		return ErrBodyLength
	}
	return nil
}

// headDone marks the end of the caller's reading of the final head (or its
// failure) and clears a deadline the writer set for it; it returns the
// writer's result so far.
func (pc *persistConn) headDone() (finished bool, err error) {
	up := &pc.up
	up.mu.Lock()
	defer up.mu.Unlock()
	up.headRead = true
	if up.finished && (up.err == nil || up.connErr) {
		pc.setReadDeadline(time.Time{})
	}
	return up.finished, up.err
}

// uploadErr returns the writer's error if it has finished with one. Only
// meaningful while pc.bodyOwned.
func (pc *persistConn) uploadErr() error {
	if !pc.bodyOwned {
		return nil
	}
	up := &pc.up
	up.mu.Lock()
	defer up.mu.Unlock()
	if up.finished {
		return up.err
	}
	return nil
}

// collectUpload waits for the writer and returns its error.
func (pc *persistConn) collectUpload() error {
	err := <-pc.up.done
	pc.up.active = false
	return err
}

// joinUpload waits for a writer that was started in this exchange to end,
// so that the request and its body are the caller's again.
func (pc *persistConn) joinUpload() {
	if pc.up.active {
		pc.collectUpload()
	}
}

// stopUpload stops a writer still running: its writes fail at once and its
// body is closed (if it is an io.Closer), which also ends a Read blocked
// in a pipe. The connection must not be reused. The writer may still be
// inside the body's Read; joinUpload waits for it.
func (pc *persistConn) stopUpload() {
	if !pc.up.active || pc.up.stopped {
		return
	}
	pc.up.stopped = true
	pc.closing = true
	pc.conn.SetWriteDeadline(aLongTimeAgo)
	pc.closeUploadBody()
}

// closeUploadBody closes the body once, from whichever goroutine comes
// first.
func (pc *persistConn) closeUploadBody() {
	pc.up.stopOnce.Do(func() {
		if c, ok := pc.up.body.(io.Closer); ok {
			c.Close()
		}
	})
}

// endUpload is called as the response body ends; ok reports a clean end.
// It reports whether the connection may be reused: the upload finished
// cleanly, waiting for it at most uploadWaitBeforeReuse. Otherwise the
// upload is stopped. Either way the writer has ended when it returns (a
// body whose Read blocks and is not an io.Closer is waited for).
func (pc *persistConn) endUpload(ok bool) bool {
	if !pc.up.active {
		return ok
	}
	if ok && !pc.up.stopped {
		t := time.NewTimer(uploadWaitBeforeReuse)
		select {
		case err := <-pc.up.done:
			t.Stop()
			pc.up.active = false
			return err == nil
		case <-t.C:
		}
	}
	pc.stopUpload()
	pc.joinUpload()
	return false
}
