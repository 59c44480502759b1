package nethttp

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"turbohttp"
	"turbohttp/turbotest"
)

// The adapter over HTTP/2: any net/http Handler works on HTTP/2
// connections, with Flusher, trailers, 1xx and ResponseController; Hijack
// is not offered (as net/http's HTTP/2 server).

func enableH2C(srv *turbohttp.Server) {
	var p turbohttp.Protocols
	p.SetHTTP1(true)
	p.SetHTTP2(true)
	p.SetUnencryptedHTTP2(true)
	srv.Protocols = &p
}

func h2cClient(t testing.TB) *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

func TestH2Adapter(t *testing.T) {
	release := make(chan struct{})
	results := make(chan string, 4)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first;")
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, "second")
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Length")
		n, _ := io.Copy(w, r.Body)
		w.Header().Set("X-Length", fmt.Sprint(n))
	})
	mux.HandleFunc("GET /rc", func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_, hijack := w.(http.Hijacker)
		errs := []error{
			rc.SetReadDeadline(time.Now().Add(time.Minute)),
			rc.SetWriteDeadline(time.Now().Add(time.Minute)),
			rc.EnableFullDuplex(),
			rc.SetReadDeadline(time.Time{}),
			rc.SetWriteDeadline(time.Time{}),
		}
		_, _, herr := rc.Hijack()
		io.WriteString(w, "ok")
		errs = append(errs, rc.Flush())
		results <- fmt.Sprint(r.Proto, " hijacker=", hijack, " ", errs, " hijack: ", herr)
	})
	mux.HandleFunc("GET /early", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</a.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "tea")
	})
	addr := startServer(t, mux, enableH2C)
	c := h2cClient(t)

	resp, err := c.Get("http://" + addr + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len("first;"))
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first;" || resp.ProtoMajor != 2 {
		t.Fatalf("first chunk %q, %v, %s", buf, err, resp.Proto)
	}
	close(release)
	rest, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(rest) != "second" {
		t.Errorf("rest %q", rest)
	}

	body := strings.Repeat("z", 3<<20)
	resp, err = c.Post("http://"+addr+"/echo", "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, []byte(body)) || resp.Trailer.Get("X-Length") != fmt.Sprint(len(body)) {
		t.Errorf("echo: %d bytes, trailer %v", len(got), resp.Trailer)
	}

	_, rcBody := do(t, c, "GET", "http://"+addr+"/rc", "")
	want := "HTTP/2.0 hijacker=false [<nil> <nil> <nil> <nil> <nil> <nil>] hijack: feature not supported"
	if got := <-results; rcBody != "ok" || got != want {
		t.Errorf("ResponseController:\n%s\nwant\n%s", got, want)
	}

	resp, teaBody := do(t, c, "GET", "http://"+addr+"/early", "")
	if resp.StatusCode != http.StatusTeapot || teaBody != "tea" {
		t.Errorf("early hints: %d %q", resp.StatusCode, teaBody)
	}
}

// Over TLS the adapter is served HTTP/2 by ALPN, as net/http's server
// would.
func TestH2AdapterTLS(t *testing.T) {
	ts := turbotest.NewTLSServer(Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	})))
	defer ts.Close()
	roots := x509.NewCertPool()
	roots.AddCert(ts.Certificate())
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	resp, body := do(t, &http.Client{Transport: tr}, "GET", ts.URL+"/", "")
	if resp.Proto != "HTTP/2.0" || body != "HTTP/2.0" {
		t.Errorf("got %s %q", resp.Proto, body)
	}
}
