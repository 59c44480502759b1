package turbohttp_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"turbohttp"
	"turbohttp/turbotest"
)

func TestTimeoutHandlerInTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := turbohttp.TimeoutHandler(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
			time.Sleep(time.Second) // fake time: the handler takes 1 s of its 2
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Inner", "1")
			w.WriteHeader(201)
			w.Write(append([]byte("got "), b...))
			w.Trailer().Set("X-Trailer", "t")
			if err := w.Flush(); err == nil {
				t.Error("Flush under TimeoutHandler succeeded")
			}
		}), 2*time.Second, "too slow")
		w := turbotest.NewRecorder()
		w.Header().Set("X-Outer", "kept")
		h.ServeHTTP(w, turbotest.NewRequest("POST", "/", strings.NewReader("body")))
		if w.Code != 201 || w.Body.String() != "got body" || w.Header().Get("X-Inner") != "1" ||
			w.Header().Get("X-Outer") != "kept" || w.Trailer().Get("X-Trailer") != "t" {
			t.Errorf("%d %q %v %v", w.Code, w.Body.String(), w.Header(), w.Trailer())
		}
	})
}

// TestTimeoutHandlerTimesOut: past the limit the client gets 503 with the
// message, the handler's context ends, its writes and body reads fail, and
// what it kept of its request stays valid after the server reused its own.
func TestTimeoutHandlerTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		innerDone := make(chan error, 1)
		kept := make(chan *turbohttp.Request, 1)
		h := turbohttp.TimeoutHandler(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
			kept <- r
			<-r.Context().Done()
			<-release
			_, werr := w.Write([]byte("late"))
			_, rerr := r.Body.Read(make([]byte, 1))
			if !errors.Is(werr, turbohttp.ErrHandlerTimeout) || !errors.Is(rerr, turbohttp.ErrHandlerTimeout) {
				innerDone <- errors.Join(werr, rerr)
				return
			}
			if r.Header.Get("X-Id") != "42" || string(r.URL.Path) != "/slow" || r.PathValue("id") != "7" {
				innerDone <- errors.New("the kept request changed: " + r.Header.Get("X-Id") + " " + string(r.URL.Path))
				return
			}
			innerDone <- nil
		}), time.Second, "too slow")
		r := turbotest.NewRequest("GET", "/slow", strings.NewReader("unread"))
		r.Header.Set("X-Id", "42")
		r.SetPathValue("id", "7")
		w := turbotest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, r)
		if d := time.Since(start); d != time.Second {
			t.Errorf("answered after %v", d)
		}
		if w.Code != 503 || w.Body.String() != "too slow" || w.Header().Get("Connection") != "close" {
			t.Errorf("%d %q %v", w.Code, w.Body.String(), w.Header())
		}
		if <-kept == r {
			t.Fatal("the handler got the server's request, not a clone")
		}
		r.Reset() // as the server does for its next request
		r.Header.Set("X-Id", "other")
		close(release)
		if err := <-innerDone; err != nil {
			t.Error(err)
		}
	})
}

func TestTimeoutHandlerPanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := turbohttp.TimeoutHandler(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
			panic("boom")
		}), time.Second, "")
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v", p)
			}
		}()
		h.ServeHTTP(turbotest.NewRecorder(), turbotest.NewRequest("GET", "/", nil))
	})
}

func TestTimeoutHandlerBufferBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var werr error
		h := turbohttp.TimeoutHandler(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
			chunk := make([]byte, 1<<20)
			for range turbohttp.DefaultTimeoutBufferBytes>>20 + 1 {
				if _, werr = w.Write(chunk); werr != nil {
					return
				}
			}
		}), time.Second, "")
		w := turbotest.NewRecorder()
		h.ServeHTTP(w, turbotest.NewRequest("GET", "/", nil))
		if !errors.Is(werr, turbohttp.ErrTimeoutBufferFull) || w.Code != 500 {
			t.Errorf("write error %v, status %d", werr, w.Code)
		}
	})
}

// TestTimeoutHandlerOnServer runs a timed-out handler behind a real
// server: the client gets 503 and the connection closes.
func TestTimeoutHandlerOnServer(t *testing.T) {
	release := make(chan struct{})
	srv := turbotest.NewServer(turbohttp.TimeoutHandler(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		<-release
	}), time.Millisecond, "timed out"))
	defer srv.Close()
	defer close(release)
	resp, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || string(b) != "timed out" || !resp.Close {
		t.Errorf("%d %q close=%v", resp.StatusCode, b, resp.Close)
	}
}
