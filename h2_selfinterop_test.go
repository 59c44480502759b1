package turbohttp

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"sync"
	"testing"
)

// Our HTTP/2 client against our HTTP/2 server, over h2c and over TLS: a
// GET, a 16 MiB echo through windows smaller than the body, and 200
// concurrent requests sharing the connection.
func TestH2OwnClientOwnServer(t *testing.T) {
	echo := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("X-Proto", fmt.Sprintf("%d.%d", r.ProtoMajor, r.ProtoMinor))
		io.Copy(w, r.Body)
	})
	cert, clientCfg := testTLS(t)
	for _, mode := range []string{"h2c", "tls"} {
		t.Run(mode, func(t *testing.T) {
			windows := &HTTP2Config{MaxReceiveBufferPerStream: 64 << 10, MaxReceiveBufferPerConnection: 128 << 10}
			tr := &Transport{}
			noLeaks(t, tr)
			var base string
			var host string
			if mode == "h2c" {
				_, host = h2cServer(t, echo, func(s *Server) { s.HTTP2 = windows })
				tr.HTTP2PriorKnowledge = true
				base = "http://" + host
			} else {
				host = serveTLSOn(t, &Server{Handler: echo, HTTP2: windows,
					TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}})
				tr.TLSClientConfig = clientCfg
				base = "https://" + host
			}
			resp, body := roundTrip(t, tr, newReq(t, MethodGet, base+"/", nil))
			if resp.ProtoMajor != 2 || string(resp.Header.Peek("X-Proto")) != "2.0" || body != "" {
				t.Fatalf("GET: HTTP/%d, X-Proto %q, body %q", resp.ProtoMajor, resp.Header.Peek("X-Proto"), body)
			}
			big := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
			resp, body = roundTrip(t, tr, newReq(t, MethodPost, base+"/echo", bytes.NewReader(big)))
			if resp.StatusCode != 200 || body != string(big) {
				t.Fatalf("echo: %d, %d of %d bytes back", resp.StatusCode, len(body), len(big))
			}
			var wg sync.WaitGroup
			for i := range 200 {
				wg.Go(func() {
					msg := fmt.Sprintf("request %d", i)
					req := newReq(t, MethodPost, base+"/", bytes.NewReader([]byte(msg)))
					r := &Response{}
					if err := tr.Do(req, r); err != nil {
						t.Error(err)
						return
					}
					got, _ := io.ReadAll(r.Body)
					r.Body.Close()
					if string(got) != msg {
						t.Errorf("got %q, want %q", got, msg)
					}
				})
			}
			wg.Wait()
			if s := tr.HostStats(host); s.Dials != 1 {
				t.Errorf("stats %+v: want every request on the one HTTP/2 connection", s)
			}
		})
	}
}
