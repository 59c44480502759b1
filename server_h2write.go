package turbohttp

import (
	"runtime"
	"time"
)

// The writer of an HTTP/2 connection: one goroutine, started when output
// is first queued and stopped while the connection is quiet, that sends
// everything the engine holds with one Write per batch. Whoever queues
// output (the reader's Feed, a handler's write) calls wake under mu; the
// wake is a flag and, only when the writer waits, one channel send: many
// streams' frames then leave in one system call. While a Write is in
// flight the engine's queues are the second buffer, filled for the next.

// h2MaxKeptOut is the largest output buffer the writer keeps between
// batches.
const h2MaxKeptOut = 64 << 10

// wake asks the writer to send what is queued; called with mu held.
func (hc *h2conn) wake() {
	if hc.writeWanted || hc.finished {
		return
	}
	if !hc.writerOn && hc.closed && !hc.lastFlush {
		return // the connection is over; teardown started the last writer
	}
	hc.writeWanted = true
	if !hc.writerOn {
		hc.writerOn, hc.writerStop = true, false
		hc.writers.Add(1)
		go hc.writeLoop()
		return
	}
	select {
	case hc.wakeW <- struct{}{}:
	default:
	}
}

// stopWriter asks the writer to exit once it has nothing to send (a quiet
// connection); the next wake starts another. Called with mu held.
func (hc *h2conn) stopWriter() {
	if !hc.writerOn {
		return
	}
	hc.writerStop = true
	select {
	case hc.wakeW <- struct{}{}:
	default:
	}
}

// writeLoop sends batches until it is stopped, the connection is over or
// a Write fails. A panic ends the connection only.
func (hc *h2conn) writeLoop() {
	defer hc.writers.Done()
	defer func() {
		if p := recover(); p != nil {
			hc.c.logPanic("turbohttp: panic in HTTP/2 writer", p)
			hc.rwc.Close()
			hc.mu.Lock()
			hc.writerOn, hc.closed, hc.writing = false, true, false
			hc.sendWait.Broadcast()
			hc.drained.Broadcast()
			hc.inlineDone.Broadcast()
			hc.mu.Unlock()
		}
	}()
	var out []byte
	var armed time.Time // when the write deadline was last set
	for {
		// Let the handlers woken by the same batch of frames queue their
		// responses first, so that they leave together.
		runtime.Gosched()
		hc.mu.Lock()
		for hc.writing { // a goroutine writes inline: take what it leaves
			hc.writerWaits = true
			hc.inlineDone.Wait()
		}
		hc.writing = true
		out = hc.eng.AppendOutput(out[:0])
		hc.writeWanted = false
		if hc.sendWaiters > 0 && len(out) > 0 { // the send queues have room again
			hc.sendWait.Broadcast()
		}
		if hc.readerBlocked {
			hc.drained.Broadcast()
		}
		done := hc.eng.Done()
		hc.mu.Unlock()
		if len(out) > 0 {
			armed = hc.armWrite(armed)
			if _, err := hc.rwc.Write(out); err != nil {
				hc.writeFailed(err)
				return
			}
		}
		hc.mu.Lock()
		hc.writing = false
		hc.mu.Unlock()
		if cap(out) > h2MaxKeptOut {
			out = nil
		}
		if done {
			hc.kickReader()
		}
		if !hc.awaitWork() {
			return
		}
	}
}

// armWrite moves the write deadline h2WriteStall ahead when it was last
// set more than a tenth of that ago, and returns when it was set.
func (hc *h2conn) armWrite(armed time.Time) time.Time {
	now := time.Now()
	if now.Sub(armed) < h2WriteStall/10 {
		return armed
	}
	hc.mu.Lock()
	closing := hc.closed
	hc.mu.Unlock()
	if !closing { // teardown set a short deadline for the last flush
		hc.rwc.SetWriteDeadline(now.Add(h2WriteStall))
	}
	return now
}

// awaitWork waits until there is output to send and reports true, or
// false when the writer must exit (stopped, or the connection is over).
func (hc *h2conn) awaitWork() bool {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	for !hc.writeWanted {
		if hc.closed || hc.writerStop {
			hc.writerOn, hc.writerStop = false, false
			return false
		}
		hc.mu.Unlock()
		<-hc.wakeW
		hc.mu.Lock()
	}
	return true
}

// writeInline sends what the engine holds from the calling goroutine,
// with buf as the output buffer, when no one else is writing: the reader
// answering control frames on a connection with no stream, or the last
// handler of a batch to finish, which saves waking the writer (a
// goroutine switch) when nothing else is running. Otherwise it wakes the
// writer. Called with mu held, which it releases while writing.
func (hc *h2conn) writeInline(buf *[]byte) {
	if hc.writing || hc.closed {
		hc.wake()
		return
	}
	hc.writing = true
	hc.writeWanted = false
	*buf = hc.eng.AppendOutput((*buf)[:0])
	done := hc.eng.Done()
	hc.mu.Unlock()
	var err error
	if len(*buf) > 0 {
		hc.rwc.SetWriteDeadline(time.Now().Add(h2WriteStall))
		_, err = hc.rwc.Write(*buf)
	}
	if cap(*buf) > h2MaxKeptOut {
		*buf = nil
	}
	if done {
		hc.kickReader()
	}
	hc.mu.Lock()
	hc.writing = false
	if hc.writerWaits {
		hc.writerWaits = false
		hc.inlineDone.Broadcast()
	}
	if err != nil {
		hc.writeErr, hc.closed = err, true
		hc.rwc.Close()
		hc.sendWait.Broadcast()
		hc.drained.Broadcast()
		return
	}
	if hc.sendWaiters > 0 && len(*buf) > 0 {
		hc.sendWait.Broadcast()
	}
	if hc.readerBlocked {
		hc.drained.Broadcast()
	}
	if hc.eng.OutputPending() > 0 { // queued while we wrote
		hc.writeWanted = false
		hc.wake()
	}
}

// writeFailed ends the connection after a failed Write: the client is
// gone or stalled; every handler's wait ends.
func (hc *h2conn) writeFailed(err error) {
	hc.rwc.Close()
	hc.mu.Lock()
	defer hc.mu.Unlock()
	hc.writeErr = err
	hc.writerOn, hc.closed, hc.writing = false, true, false
	hc.sendWait.Broadcast()
	hc.drained.Broadcast()
	hc.inlineDone.Broadcast()
}
