package turbohttp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
)

// h2NetHTTPServer serves h with net/http's HTTP/2 server: over TLS (ALPN
// h2) or, with tls unset, h2c by prior knowledge. It returns the base URL
// and a Transport configured for it.
func h2NetHTTPServer(t testing.TB, h http.HandlerFunc, tls bool) (string, *Transport, *connCounter) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	cnt := &connCounter{}
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			cnt.n.Add(1)
		}
	}
	tr := &Transport{}
	if tls {
		srv.EnableHTTP2 = true
		srv.StartTLS()
		tr.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
		h2TLSConfigs.Store(srv.URL, tr.TLSClientConfig.Clone())
	} else {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		srv.Config.Protocols = &p
		srv.Start()
		tr.HTTP2PriorKnowledge = true
	}
	t.Cleanup(srv.Close)
	t.Cleanup(tr.CloseIdleConnections)
	return srv.URL, tr, cnt
}

// h2TLSConfigs holds, by base URL, the client TLS configuration trusting
// each TLS server h2NetHTTPServer started.
var h2TLSConfigs sync.Map

// tlsConfigOfURL returns a TLS configuration trusting the server at url.
func tlsConfigOfURL(t *testing.T, url string) *tls.Config {
	c, ok := h2TLSConfigs.Load(url)
	if !ok {
		t.Fatalf("no TLS configuration for %s", url)
	}
	return c.(*tls.Config).Clone()
}

// forBothH2 runs f against net/http's HTTP/2 server over TLS and h2c.
func forBothH2(t *testing.T, h http.HandlerFunc, f func(t *testing.T, url string, tr *Transport, cnt *connCounter)) {
	for _, tls := range []bool{true, false} {
		name := "h2c"
		if tls {
			name = "TLS"
		}
		t.Run(name, func(t *testing.T) {
			url, tr, cnt := h2NetHTTPServer(t, h, tls)
			noLeaks(t, tr)
			f(t, url, tr, cnt)
		})
	}
}

func TestH2NetHTTPGet(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Proto", r.Proto)
		w.Header().Set("X-Host", r.Host)
		io.WriteString(w, "hello "+r.URL.RequestURI())
	}
	forBothH2(t, h, func(t *testing.T, url string, tr *Transport, cnt *connCounter) {
		for i := range 3 {
			resp, body := roundTrip(t, tr, newReq(t, MethodGet, url+"/a?b=c", nil))
			if resp.StatusCode != 200 || body != "hello /a?b=c" || resp.ProtoMajor != 2 {
				t.Fatalf("request %d: %d %q proto %d", i, resp.StatusCode, body, resp.ProtoMajor)
			}
			if got := resp.Header.Get("X-Proto"); got != "HTTP/2.0" {
				t.Fatalf("server saw %s", got)
			}
			if resp.ContentLength != int64(len(body)) {
				t.Fatalf("ContentLength %d", resp.ContentLength)
			}
		}
		if n := cnt.count(); n != 1 {
			t.Fatalf("%d connections, want 1", n)
		}
		if s := tr.Stats(); len(s) != 1 || s[0].H2Conns != 1 || s[0].H2Streams != 0 {
			t.Fatalf("stats %+v", s)
		}
	})
}

// Concurrent first requests share one dial and one connection, and 1,000
// concurrent requests go over it (net/http's server allows 250 streams).
func TestH2NetHTTPConcurrent(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Path) }
	forBothH2(t, h, func(t *testing.T, url string, tr *Transport, cnt *connCounter) {
		var wg sync.WaitGroup
		errs := make(chan error, 1000)
		for i := range 1000 {
			wg.Go(func() {
				resp := &Response{}
				path := "/" + strings.Repeat("x", i%7)
				if err := tr.Do(newReq(t, MethodGet, url+path, nil), resp); err != nil {
					errs <- err
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || string(b) != path {
					errs <- errors.New("bad body " + string(b))
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := cnt.count(); n < 1 || n > 8 {
			t.Fatalf("%d connections for 1,000 requests", n)
		}
		t.Logf("%d connections", cnt.count())
	})
}

// A 64 MiB upload and a 64 MiB download, through windows much smaller
// than the body, checked by digest; the upload is echoed in full duplex.
func TestH2NetHTTPLargeBodies(t *testing.T) {
	const size = 64 << 20
	h := func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/down":
			w.Header().Set("Content-Length", "67108864")
			buf := bytes.Repeat([]byte("0123456789abcdef"), 4096)
			for n := 0; n < size; n += len(buf) {
				w.Write(buf)
			}
		case "/echo":
			http.NewResponseController(w).EnableFullDuplex()
			w.WriteHeader(200)
			io.Copy(w, r.Body)
		}
	}
	forBothH2(t, h, func(t *testing.T, url string, tr *Transport, cnt *connCounter) {
		resp := &Response{}
		if err := tr.Do(newReq(t, MethodGet, url+"/down", nil), resp); err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || n != size {
			t.Fatalf("download: %d bytes, %v", n, err)
		}

		src := bytes.Repeat([]byte("abcdefghijklmnopq"), size/17+1)[:size]
		want := sha256.Sum256(src)
		req := newReq(t, MethodPost, url+"/echo", bytes.NewReader(src))
		if err := tr.Do(req, resp); err != nil {
			t.Fatal(err)
		}
		hash := sha256.New()
		n, err = io.Copy(hash, resp.Body)
		resp.Body.Close()
		if err != nil || n != size || !bytes.Equal(hash.Sum(nil), want[:]) {
			t.Fatalf("echo: %d bytes, %v", n, err)
		}
	})
}

// Trailers both ways: the request's after a streamed body, the response's
// after its body.
func TestH2NetHTTPTrailers(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Trailer", "X-Sum")
		w.Header().Set(http.TrailerPrefix+"X-Late", "late")
		io.WriteString(w, "got "+r.Trailer.Get("X-Req-Trailer"))
		w.Header().Set("X-Sum", "42")
	}
	forBothH2(t, h, func(t *testing.T, url string, tr *Transport, cnt *connCounter) {
		req := newReq(t, MethodPost, url, io.MultiReader(strings.NewReader("body")))
		req.ContentLength = -1
		req.Trailer.Set("X-Req-Trailer", "rt")
		resp, body := roundTrip(t, tr, req)
		if body != "got rt" {
			t.Fatalf("body %q", body)
		}
		if resp.Trailer.Get("X-Sum") != "42" || resp.Trailer.Get("X-Late") != "late" {
			t.Fatalf("trailers %v", resp.Trailer.fields)
		}
	})
}

// Cancelling a request resets its stream and frees its slot; closing a
// body early does the same, and the connection goes on.
func TestH2NetHTTPCancel(t *testing.T) {
	block := make(chan struct{})
	h := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-block:
			}
			return
		}
		if r.URL.Path == "/big" {
			w.Write(make([]byte, 1<<20))
			return
		}
		io.WriteString(w, "ok")
	}
	defer close(block)
	forBothH2(t, h, func(t *testing.T, url string, tr *Transport, cnt *connCounter) {
		ctx, cancel := context.WithCancel(context.Background())
		req := newReq(t, MethodGet, url+"/block", nil)
		req.SetContext(ctx)
		resp := &Response{}
		if err := tr.Do(req, resp); err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, err := resp.Body.Read(make([]byte, 1)); !errors.Is(err, context.Canceled) {
			t.Fatalf("read after cancel: %v", err)
		}
		resp.Body.Close()

		if err := tr.Do(newReq(t, MethodGet, url+"/big", nil), resp); err != nil {
			t.Fatal(err)
		}
		resp.Body.Read(make([]byte, 10))
		resp.Body.Close()
		if _, body := roundTrip(t, tr, newReq(t, MethodGet, url+"/", nil)); body != "ok" {
			t.Fatalf("body %q", body)
		}
		if s := tr.Stats()[0]; s.H2Streams != 0 || s.H2Conns != 1 {
			t.Fatalf("stats %+v", s)
		}
		if n := cnt.count(); n != 1 {
			t.Fatalf("%d connections", n)
		}
	})
}

// Transparent gzip over HTTP/2, as over HTTP/1.1: asked for, decoded,
// the head rewritten; not asked for when the caller set Accept-Encoding.
func TestH2Gzip(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			io.WriteString(w, "plain:"+r.Header.Get("Accept-Encoding"))
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzipBytes(strings.Repeat("hello ", 1000)))
	}
	forBothH2(t, h, func(t *testing.T, url string, tr *Transport, cnt *connCounter) {
		for range 3 {
			resp, body := roundTrip(t, tr, newReq(t, MethodGet, url, nil))
			if body != strings.Repeat("hello ", 1000) || !resp.Uncompressed || resp.ContentLength != -1 || resp.Header.Has("Content-Encoding") {
				t.Fatalf("%d bytes, uncompressed %v, length %d", len(body), resp.Uncompressed, resp.ContentLength)
			}
		}
		req := newReq(t, MethodGet, url, nil)
		req.Header.Set("Accept-Encoding", "br")
		if _, body := roundTrip(t, tr, req); body != "plain:br" {
			t.Fatalf("%q", body)
		}
	})
}

// A response that ends while the request body is still being sent (its
// Read blocked) stops the upload: the stream is reset, the body closed,
// and closing the response returns.
func TestH2EarlyResponseStopsUpload(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		io.WriteString(w, "too large")
	}
	forBothH2(t, h, func(t *testing.T, url string, tr *Transport, cnt *connCounter) {
		pr, pw := io.Pipe()
		defer pw.Close()
		req := newReq(t, MethodPost, url, pr)
		resp := &Response{}
		if err := tr.Do(req, resp); err != nil {
			t.Fatal(err)
		}
		if body := readClose(t, resp); resp.StatusCode != 413 || body != "too large" {
			t.Fatalf("%d %q", resp.StatusCode, body)
		}
		if _, err := pw.Write([]byte("x")); err == nil {
			t.Fatal("the request body was not closed")
		}
		if _, body := roundTrip(t, tr, newReq(t, MethodGet, url, nil)); body != "too large" {
			t.Fatalf("next request: %q", body)
		}
	})
}

// ClientTrace over HTTP/2: GotConn (the first stream of a connection is
// not reused, the next are), WroteRequest (after the body; from the body
// writer, so in either order with the first response byte) and
// GotFirstResponseByte.
func TestH2ClientTrace(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) { io.Copy(w, r.Body) }
	forBothH2(t, h, func(t *testing.T, url string, tr *Transport, cnt *connCounter) {
		for i, body := range []string{"", "up"} {
			var mu sync.Mutex
			var events []string
			add := func(e string) {
				mu.Lock()
				events = append(events, e)
				mu.Unlock()
			}
			ct := &ClientTrace{
				GotConn:              func(info GotConnInfo) { add(fmt.Sprint("conn reused=", info.Reused)) },
				WroteRequest:         func(info WroteRequestInfo) { add(fmt.Sprint("wrote ", info.Err)) },
				GotFirstResponseByte: func() { add("first byte") },
			}
			var req *Request
			if body == "" {
				req = newReq(t, MethodGet, url, nil)
			} else {
				req = newReq(t, MethodPost, url, strings.NewReader(body))
			}
			req.SetContext(WithClientTrace(context.Background(), ct))
			resp, got := roundTrip(t, tr, req)
			if got != body || resp.ProtoMajor != 2 {
				t.Fatalf("%q", got)
			}
			mu.Lock()
			sort.Strings(events[1:])
			want := fmt.Sprintf("conn reused=%v,first byte,wrote <nil>", i > 0)
			if strings.Join(events, ",") != want {
				t.Fatalf("events %q, want %q", events, want)
			}
			mu.Unlock()
		}
	})
}
