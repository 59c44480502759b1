package turbohttp

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TLS, transparent gzip and Expect: 100-continue.

func tlsConfigOf(t *testing.T, srvClient *http.Client) *tls.Config {
	t.Helper()
	return srvClient.Transport.(*http.Transport).TLSClientConfig.Clone()
}

func TestTransportTLS(t *testing.T) {
	srv, cc := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %v", r.Proto, r.TLS != nil)
	}, true)
	tr := &Transport{TLSClientConfig: tlsConfigOf(t, srv.Client())}
	noLeaks(t, tr)
	for range 3 {
		resp, body := roundTrip(t, tr, newReq(t, MethodGet, srv.URL, nil))
		if body != "HTTP/1.1 true" || resp.TLS == nil || !resp.TLS.HandshakeComplete {
			t.Fatalf("%q TLS %v", body, resp.TLS)
		}
	}
	if cc.count() != 1 {
		t.Fatalf("%d connections, want 1", cc.count())
	}
	if s := tr.HostStats(strings.TrimPrefix(srv.URL, "https://")); s.Reuses != 2 || s.Dials != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestTransportTLSUnknownAuthority(t *testing.T) {
	srv, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {}, true)
	tr := &Transport{}
	noLeaks(t, tr)
	err := tr.Do(newReq(t, MethodGet, srv.URL, nil), &Response{})
	var ce *tls.CertificateVerificationError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v", err)
	}
	wantNoConns(t, tr, strings.TrimPrefix(srv.URL, "https://"))
}

func TestTransportDialTLSContext(t *testing.T) {
	srv, _ := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }, true)
	cfg := tlsConfigOf(t, srv.Client())
	dials := 0
	tr := &Transport{DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials++
		d := tls.Dialer{Config: cfg}
		return d.DialContext(ctx, network, addr)
	}}
	noLeaks(t, tr)
	if _, body := roundTrip(t, tr, newReq(t, MethodGet, srv.URL, nil)); body != "ok" || dials != 1 {
		t.Fatalf("%q, %d dials", body, dials)
	}
}

func gzipBytes(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func gzipServer(t *testing.T) (string, *connCounter) {
	srv, cc := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Accept-Encoding", r.Header.Get("Accept-Encoding"))
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			io.WriteString(w, "plain text")
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzipBytes("decoded text " + strings.Repeat("z", 5000)))
	}, false)
	return srv.URL, cc
}

func TestTransportGzip(t *testing.T) {
	url, cc := gzipServer(t)
	tr := &Transport{}
	noLeaks(t, tr)
	want := "decoded text " + strings.Repeat("z", 5000)
	for range 3 {
		resp, body := roundTrip(t, tr, newReq(t, MethodGet, url, nil))
		if body != want {
			t.Fatalf("body %.40q", body)
		}
		if !resp.Uncompressed || resp.ContentLength != -1 || resp.Header.Has("Content-Encoding") ||
			resp.Header.Has("Content-Length") || resp.Header.Get("X-Accept-Encoding") != "gzip" {
			t.Fatalf("head %+v", resp)
		}
	}
	if cc.count() != 1 {
		t.Fatalf("%d connections: gzip bodies must end cleanly", cc.count())
	}
}

func TestTransportGzipNotAsked(t *testing.T) {
	url, _ := gzipServer(t)
	// The caller's own Accept-Encoding: the body comes as sent.
	tr := &Transport{}
	noLeaks(t, tr)
	req := newReq(t, MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, body := roundTrip(t, tr, req)
	if resp.Uncompressed || resp.Header.Get("Content-Encoding") != "gzip" || !bytes.HasPrefix([]byte(body), []byte("\x1f\x8b")) {
		t.Fatalf("%+v", resp)
	}
	// DisableCompression and HEAD: no Accept-Encoding.
	trNo := &Transport{DisableCompression: true}
	defer trNo.CloseIdleConnections()
	if resp, body := roundTrip(t, trNo, newReq(t, MethodGet, url, nil)); body != "plain text" || resp.Header.Get("X-Accept-Encoding") != "" {
		t.Fatalf("DisableCompression: %q", body)
	}
	if resp, _ := roundTrip(t, tr, newReq(t, MethodHead, url, nil)); resp.Header.Get("X-Accept-Encoding") != "" {
		t.Fatal("HEAD asked for gzip")
	}
}

func TestTransportGzipCorrupt(t *testing.T) {
	tr := &Transport{}
	noLeaks(t, tr)
	rs := scripted(t, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 16\r\n\r\nthis is not gzip")
	_, _, err := doRaw(t, tr, rs, MethodGet)
	if !errors.Is(err, gzip.ErrHeader) {
		t.Fatalf("got %v", err)
	}
	wantNoConns(t, tr, rs.addr)
}

func TestTransportExpectContinue(t *testing.T) {
	srv, cc := tpNetHTTPServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/reject" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "got %q", b)
	}, false)
	tr := &Transport{ExpectContinueTimeout: time.Minute} // only 100 or a status may release the body
	noLeaks(t, tr)
	req := newReq(t, MethodPut, srv.URL+"/accept", strings.NewReader("the body"))
	req.Header.Set("Expect", "100-continue")
	if resp, body := roundTrip(t, tr, req); body != `got "the body"` || resp.StatusCode != 200 {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	req = newReq(t, MethodPut, srv.URL+"/reject", strings.NewReader("never sent"))
	req.Header.Set("Expect", "100-continue")
	if resp, _ := roundTrip(t, tr, req); resp.StatusCode != 401 || !resp.Close {
		t.Fatalf("%d close=%v", resp.StatusCode, resp.Close)
	}
	if cc.count() != 1 {
		t.Fatalf("%d connections", cc.count())
	}
}

// TestTransportExpectContinueTimeout: a server that never answers 100 gets
// the body after ExpectContinueTimeout.
func TestTransportExpectContinueTimeout(t *testing.T) {
	tr := &Transport{ExpectContinueTimeout: 20 * time.Millisecond}
	noLeaks(t, tr)
	rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		head := readRequestHead(br)
		if headValue(head, "Expect") != "100-continue" {
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
			return
		}
		body := make([]byte, 4)
		io.ReadFull(br, body)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n")
		c.Write(body)
	})
	req := newReq(t, MethodPost, "http://"+rs.addr+"/", strings.NewReader("late"))
	req.Header.Set("Expect", "100-continue")
	if _, body := roundTrip(t, tr, req); body != "late" {
		t.Fatalf("%q", body)
	}
}

// TestTransportTLSOurServer: our client against our own Server over TLS,
// with the httptest certificate.
func TestTransportTLSOurServer(t *testing.T) {
	certSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer certSrv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int64
	srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
		fmt.Fprintf(w, "tls=%v", r.TLS != nil)
	}), ConnState: func(_ net.Conn, s ConnState) {
		if s == StateNew {
			conns.Add(1)
		}
	}}
	done := make(chan struct{})
	go func() { srv.Serve(tls.NewListener(ln, certSrv.TLS.Clone())); close(done) }()
	defer func() { srv.Close(); <-done }()
	tr := &Transport{TLSClientConfig: tlsConfigOf(t, certSrv.Client())}
	noLeaks(t, tr)
	for range 3 {
		resp, body := roundTrip(t, tr, newReq(t, MethodGet, "https://"+ln.Addr().String()+"/", nil))
		if body != "tls=true" || resp.TLS == nil {
			t.Fatalf("%q", body)
		}
	}
	if conns.Load() != 1 {
		t.Fatalf("%d connections", conns.Load())
	}
}
