package turbohttp

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"turbohttp/h2"
)

// goGets starts n GETs at once and returns their results.
func goGets(t *testing.T, tr *Transport, url string, n int) []h2Result {
	var wg sync.WaitGroup
	out := make([]h2Result, n)
	for i := range n {
		wg.Go(func() { out[i] = <-goGet(t, tr, url) })
	}
	wg.Wait()
	return out
}

// Concurrent first requests to an https host share one dial when it
// speaks HTTP/2 (they all become streams of its connection).
func TestH2SharedFirstDial(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) }
	url, tr, cnt := h2NetHTTPServer(t, h, true)
	for _, r := range goGets(t, tr, url, 20) {
		if r.err != nil || r.body != "HTTP/2.0" {
			t.Fatalf("%q, %v", r.body, r.err)
		}
	}
	if s := tr.Stats()[0]; s.Dials != 1 || cnt.count() != 1 || s.H2Conns != 1 {
		t.Fatalf("%d dials, %d connections: %+v", s.Dials, cnt.count(), s)
	}
}

// When the shared first dial negotiates http/1.1, the other waiters dial
// their own at once, and the host is remembered as HTTP/1.1: later
// requests dial in parallel.
func TestH2ALPNFallbackToHTTP1(t *testing.T) {
	block := make(chan struct{})
	var started sync.WaitGroup
	started.Add(5)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			started.Done()
			<-block
		}
		io.WriteString(w, r.Proto)
	}))
	ts.StartTLS() // no EnableHTTP2: ALPN gives http/1.1
	defer ts.Close()
	tr := &Transport{TLSClientConfig: ts.Client().Transport.(*http.Transport).TLSClientConfig.Clone()}
	defer tr.CloseIdleConnections()
	results := make(chan []h2Result)
	go func() { results <- goGets(t, tr, ts.URL+"/block", 5) }()
	started.Wait() // five requests in progress at once: five connections
	close(block)
	for _, r := range <-results {
		if r.err != nil || r.body != "HTTP/1.1" || r.resp.ProtoMajor != 1 {
			t.Fatalf("%q, %v", r.body, r.err)
		}
	}
	p := tr.pools[tr.Stats()[0].Key]
	if s := tr.Stats()[0]; s.Dials != 5 || s.H2Conns != 0 || p.proto != protoH1 {
		t.Fatalf("stats %+v, protocol %d", s, p.proto)
	}
}

// DisableHTTP2 offers only http/1.1, even to a server that speaks h2.
func TestH2Disabled(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) }
	url, tr, _ := h2NetHTTPServer(t, h, true)
	tr.DisableHTTP2 = true
	if resp, body := roundTrip(t, tr, newReq(t, MethodGet, url, nil)); body != "HTTP/1.1" || resp.ProtoMajor != 1 {
		t.Fatalf("%q HTTP/%d", body, resp.ProtoMajor)
	}
}

// A server allowing 2 streams: a third concurrent request opens a second
// connection, or with StrictMaxConcurrentStreams (or at MaxConnsPerHost)
// waits for a stream of the first.
func TestH2MaxConcurrentStreams(t *testing.T) {
	for _, mode := range []string{"new connection", "strict", "MaxConnsPerHost"} {
		t.Run(mode, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tr, peers := h2PeerTransport(t, h2.Setting{ID: h2.SettingMaxConcurrentStreams, Val: 2})
				defer tr.CloseIdleConnections()
				tr.StrictMaxConcurrentStreams = mode == "strict"
				if mode == "MaxConnsPerHost" {
					tr.MaxConnsPerHost = 1
				}
				// The first request learns the server's SETTINGS.
				first := goGet(t, tr, "http://peer/")
				p := <-peers
				p.respond(p.want(h2.FrameHeaders).StreamID, "0")
				wantOK(t, first, "0")

				a := goGet(t, tr, "http://peer/a")
				ida := p.want(h2.FrameHeaders).StreamID
				b := goGet(t, tr, "http://peer/b")
				idb := p.want(h2.FrameHeaders).StreamID
				c := goGet(t, tr, "http://peer/c")
				synctest.Wait()
				if mode == "new connection" {
					p2 := <-peers
					p2.respond(p2.want(h2.FrameHeaders).StreamID, "c")
					wantOK(t, c, "c")
				} else {
					if len(peers) != 0 || tr.Stats()[0].Waiting != 1 {
						t.Fatalf("third request did not wait: %+v", tr.Stats()[0])
					}
					p.respond(ida, "a")
					idc := p.want(h2.FrameHeaders).StreamID
					p.respond(idc, "c")
					wantOK(t, c, "c")
				}
				if mode == "new connection" {
					p.respond(ida, "a")
				}
				p.respond(idb, "b")
				wantOK(t, a, "a")
				wantOK(t, b, "b")
				s := tr.Stats()[0]
				if want := map[bool]uint64{true: 2, false: 1}[mode == "new connection"]; s.Dials != want {
					t.Fatalf("%d dials, want %d", s.Dials, want)
				}
			})
		})
	}
}

// Through a CONNECT tunnel, of an http proxy or of an https one (TLS in
// TLS), the origin's ALPN picks h2: the requests share one tunnel as
// HTTP/2 streams. The https proxy itself is spoken to in HTTP/1.1.
func TestH2ThroughProxyTunnel(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) }
	origin, _, _ := h2NetHTTPServer(t, h, true)
	originTLS := tlsConfigOfURL(t, origin)
	certSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer certSrv.Close()
	for _, secure := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		scheme := "http"
		if secure {
			scheme = "https"
			cfg := certSrv.TLS.Clone()
			cfg.NextProtos = []string{"http/1.1"}
			ln = tls.NewListener(ln, cfg)
		}
		proxy, log := httpProxyOn(t, ln, false)
		pu, _ := url.Parse(scheme + "://" + proxy.addr)
		tr := &Transport{Proxy: ProxyURL(pu), TLSClientConfig: originTLS}
		tr.TLSClientConfig.RootCAs.AddCert(certSrv.Certificate())
		for _, r := range goGets(t, tr, origin+"/x", 10) {
			if r.err != nil || r.body != "HTTP/2.0" {
				t.Fatalf("%s proxy: %q, %v", scheme, r.body, r.err)
			}
		}
		if lines, _ := log.get(); len(lines) != 1 || !strings.HasPrefix(lines[0], "CONNECT ") {
			t.Fatalf("%s proxy saw %q", scheme, lines)
		}
		tr.CloseIdleConnections()
	}
}

// An HTTP/2 connection without streams for IdleConnTimeout is closed.
func TestH2IdleConnTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, peers := h2PeerTransport(t)
		tr.IdleConnTimeout = time.Minute
		tr.ReadIdleTimeout = -1 // no PING in the way
		defer tr.CloseIdleConnections()
		res := goGet(t, tr, "http://peer/")
		p := <-peers
		p.respond(p.want(h2.FrameHeaders).StreamID, "ok")
		wantOK(t, res, "ok")
		time.Sleep(time.Minute - time.Second)
		synctest.Wait()
		if s := tr.Stats()[0]; s.H2Conns != 1 {
			t.Fatalf("closed early: %+v", s)
		}
		time.Sleep(2 * time.Second)
		p.closed()
		synctest.Wait()
		if s := tr.Stats()[0]; s.H2Conns != 0 || s.Open != 0 || s.IdleTimeouts != 1 {
			t.Fatalf("after IdleConnTimeout: %+v", s)
		}
	})
}

// DisableKeepAlives over HTTP/2: one stream per connection, which then
// closes.
func TestH2DisableKeepAlives(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) }
	url, tr, cnt := h2NetHTTPServer(t, h, false)
	tr.DisableKeepAlives = true
	for range 3 {
		if _, body := roundTrip(t, tr, newReq(t, MethodGet, url, nil)); body != "HTTP/2.0" {
			t.Fatalf("%q", body)
		}
	}
	for _, r := range goGets(t, tr, url, 4) {
		if r.err != nil || r.body != "HTTP/2.0" {
			t.Fatalf("%q, %v", r.body, r.err)
		}
	}
	if n := cnt.count(); n != 7 {
		t.Fatalf("%d connections for 7 requests", n)
	}
	waitFor(t, "connections closed", func() bool { s := tr.Stats()[0]; return s.Open == 0 })
}
