//lint:file-ignore SA1019 x/net/http2's Transport, deprecated for net/http's, is still a client the server must serve

package turbohttp

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/http2"

	"turbohttp/h2"
)

// h2cServer serves h on a loopback listener with h2c enabled.
func h2cServer(t testing.TB, h Handler, configure ...func(*Server)) (*Server, string) {
	t.Helper()
	return startServer(t, h, append([]func(*Server){enableH2C}, configure...)...)
}

func enableH2C(srv *Server) {
	var p Protocols
	p.SetHTTP1(true)
	p.SetHTTP2(true)
	p.SetUnencryptedHTTP2(true)
	srv.Protocols = &p
}

// netHTTPH2CClient is net/http's client speaking h2c with prior knowledge.
func netHTTPH2CClient(t testing.TB) *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// xnetH2CClient is x/net/http2's Transport speaking h2c.
func xnetH2CClient(t testing.TB) *http.Client {
	tr := &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func echoHandler(w ResponseWriter, r *Request) {
	w.Header().Set("X-Proto", strings.Join([]string{string(rune('0' + r.ProtoMajor)), string(rune('0' + r.ProtoMinor))}, "."))
	w.Header().Set("X-Method", r.Method)
	if r.Method == MethodPost {
		io.Copy(w, r.Body)
		return
	}
	w.WriteString("hello " + string(r.URL.Path))
}

func TestH2CInteropGet(t *testing.T) {
	noLeaks(t)
	_, addr := h2cServer(t, HandlerFunc(echoHandler))
	for name, c := range map[string]*http.Client{"net/http": netHTTPH2CClient(t), "x/net/http2": xnetH2CClient(t)} {
		t.Run(name, func(t *testing.T) {
			for i := range 3 {
				resp, err := c.Get("http://" + addr + "/a")
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.ProtoMajor != 2 || string(body) != "hello /a" || resp.Header.Get("X-Proto") != "2.0" {
					t.Fatalf("request %d: %s %q %v", i, resp.Proto, body, resp.Header)
				}
				if resp.ContentLength != int64(len("hello /a")) {
					t.Errorf("content-length %d", resp.ContentLength)
				}
			}
		})
	}
}

func TestH2CInteropPostLarge(t *testing.T) {
	noLeaks(t)
	_, addr := h2cServer(t, HandlerFunc(echoHandler), func(s *Server) {
		s.HTTP2 = &HTTP2Config{MaxReceiveBufferPerStream: 64 << 10, MaxReceiveBufferPerConnection: 128 << 10}
	})
	c := xnetH2CClient(t)
	size := 8 << 20
	if !testing.Short() {
		size = 64 << 20
	}
	body := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	resp, err := c.Post("http://"+addr+"/up", "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, body) {
		t.Fatalf("echoed %d bytes, want %d", len(got), len(body))
	}
}

func TestH2CInteropConcurrent(t *testing.T) {
	noLeaks(t)
	_, addr := h2cServer(t, HandlerFunc(echoHandler))
	c := netHTTPH2CClient(t)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			resp, err := c.Post("http://"+addr+"/x", "text/plain", strings.NewReader(strings.Repeat("x", i*100)))
			if err != nil {
				errs <- err
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if len(b) != i*100 {
				errs <- io.ErrShortBuffer
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Over TLS the server offers h2 ahead of http/1.1 by default: net/http's
// client gets HTTP/2, and one that offers only http/1.1 gets HTTP/1.1.
func TestH2TLSOfferedByDefault(t *testing.T) {
	noLeaks(t)
	cert, clientCfg := testTLS(t)
	srv := &Server{Handler: HandlerFunc(echoHandler), TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	addr := serveTLSOn(t, srv)
	for _, tc := range []struct {
		h2    bool
		proto string
	}{{true, "HTTP/2.0"}, {false, "HTTP/1.1"}} {
		tr := &http.Transport{TLSClientConfig: clientCfg.Clone(), ForceAttemptHTTP2: tc.h2}
		resp, err := (&http.Client{Transport: tr}).Get("https://" + addr + "/tls")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
		if resp.Proto != tc.proto || string(body) != "hello /tls" {
			t.Errorf("got %s %q, want %s", resp.Proto, body, tc.proto)
		}
	}
}

// A client's GOAWAY ends a connection with no stream, but the client may
// still be sending: the server closes without resetting the socket, so
// that what it sent (here the acknowledgements of the PINGs that came
// with the GOAWAY) reaches the client, followed by a clean end of stream.
func TestH2ServerClientGoAwayClosesCleanly(t *testing.T) {
	_, addr := h2cServer(t, HandlerFunc(hello))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := newH2Peer(t, c)
	// GOAWAY, then more than one Read of the server takes: after the
	// GOAWAY the server stops reading with input still in the socket.
	out := h2.AppendGoAway(nil, 0, h2.ErrCodeNo, nil)
	for len(out) < 64<<10 {
		out = h2.AppendPing(out, false, [8]byte{1})
	}
	p.write(out)
	var err2 error
	for {
		if _, err2 = p.fr.ReadFrame(); err2 != nil {
			break
		}
	}
	if err2 != io.EOF {
		t.Errorf("the connection ended with %v, want a clean end of stream", err2)
	}
}
