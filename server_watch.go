package turbohttp

import (
	"sync"
	"time"
)

// watcher notices a client that goes away while its request is handled,
// and cancels the request's context then, as net/http does. It costs a
// goroutine and two deadline changes per request, so it runs only for
// handlers that asked for their request's context, and only once the
// request body has been read (a read of the connection would otherwise
// take body bytes): a background read of one byte, which either fails
// (the client is gone) or returns the first byte of a pipelined request,
// kept for the next head.
type watcher struct {
	c *conn

	mu       sync.Mutex
	wanted   bool // the handler asked for the context
	bodyDone bool // the request body has been read to its end
	running  bool
	stopping bool
	gone     bool // the client went away
	got      int  // bytes the background read took (0 or 1)
	done     chan struct{}
	buf      [1]byte
}

func (w *watcher) reset(bodyDone bool) {
	w.wanted, w.bodyDone, w.running, w.stopping, w.gone, w.got = false, bodyDone, false, false, false, 0
}

// want is Request.watch: the handler asked for the context.
func (w *watcher) want() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.wanted = true
	w.startLocked()
}

// bodyRead is called once the request body has been read to its end.
func (w *watcher) bodyRead() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.bodyDone = true
	w.startLocked()
}

func (w *watcher) startLocked() {
	c := w.c
	if !w.wanted || !w.bodyDone || w.running || w.stopping || c.hijacked || c.in.buffered() > 0 {
		return
	}
	w.running = true
	w.done = make(chan struct{})
	c.rwc.SetReadDeadline(time.Time{})
	go w.read()
}

func (w *watcher) read() {
	n, err := w.c.rwc.Read(w.buf[:])
	w.mu.Lock()
	w.got = n
	gone := err != nil && !w.stopping
	w.gone = gone
	w.mu.Unlock()
	if gone {
		w.c.req.cancelContext()
	}
	close(w.done)
}

// stop ends the background read, if one runs, and keeps the byte it may
// have read for the next request. It reports whether the client went away.
// Owned by the serve goroutine (and Hijack), after the handler.
func (w *watcher) stop() (gone bool) {
	w.mu.Lock()
	w.stopping = true
	running := w.running
	w.mu.Unlock()
	if !running {
		return false
	}
	c := w.c
	c.rwc.SetReadDeadline(aLongTimeAgo)
	<-w.done
	c.deadline = aLongTimeAgo // whatever comes next sets its own
	w.running = false
	if w.got > 0 {
		c.in.unread(w.buf[:w.got])
	}
	return w.gone
}
