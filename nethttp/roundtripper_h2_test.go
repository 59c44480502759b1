package nethttp

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"turbohttp"
)

// h2Server starts net/http's server speaking HTTP/2 over TLS, or h2c by
// prior knowledge, and returns it with a Transport set up for it.
func h2Server(t *testing.T, h http.HandlerFunc, tls bool) (*httptest.Server, *turbohttp.Transport) {
	ts := httptest.NewUnstartedServer(h)
	tr := &turbohttp.Transport{}
	if tls {
		ts.EnableHTTP2 = true
		ts.StartTLS()
		tr.TLSClientConfig = ts.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	} else {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		ts.Config.Protocols = &p
		ts.Start()
		tr.HTTP2PriorKnowledge = true
	}
	t.Cleanup(ts.Close)
	return ts, tr
}

// The RoundTripper over HTTP/2: Proto "HTTP/2.0", a streamed request
// body echoed while it is sent, and trailers both ways.
func TestRoundTripperHTTP2(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		w.Header().Set("X-Proto", r.Proto)
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		buf := make([]byte, 64)
		for {
			n, err := r.Body.Read(buf)
			w.Write(buf[:n])
			w.(http.Flusher).Flush()
			if err != nil {
				break
			}
		}
		fmt.Fprintf(w, "|trailer=%s", r.Trailer.Get("X-Digest"))
		w.Header().Set("X-Sum", "42")
	}
	for _, tls := range []bool{true, false} {
		t.Run(fmt.Sprint("tls=", tls), func(t *testing.T) {
			ts, tr := h2Server(t, h, tls)
			c := rtClient(t, tr)
			pr, pw := io.Pipe()
			req, err := http.NewRequest("POST", ts.URL, pr)
			if err != nil {
				t.Fatal(err)
			}
			req.Body = &trailerBody{r: pr, req: req}
			req.Trailer = http.Header{"X-Digest": nil}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.Proto != "HTTP/2.0" || resp.ProtoMajor != 2 || resp.Header.Get("X-Proto") != "HTTP/2.0" {
				t.Fatalf("Proto %q, server saw %q", resp.Proto, resp.Header.Get("X-Proto"))
			}
			// Streaming: what is written comes back before the body ends.
			buf := make([]byte, 5)
			io.WriteString(pw, "first")
			if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first" {
				t.Fatalf("streamed %q, %v", buf, err)
			}
			io.WriteString(pw, "second")
			pw.Close()
			rest, err := io.ReadAll(resp.Body)
			if err != nil || !strings.HasPrefix(string(rest), "second|trailer=d1g3st") {
				t.Fatalf("rest %q, %v", rest, err)
			}
			if _, ok := resp.Header["Trailer"]; ok {
				t.Errorf("Trailer left in Header: %v", resp.Header)
			}
			if resp.Trailer.Get("X-Sum") != "42" {
				t.Fatalf("trailer %v", resp.Trailer)
			}
		})
	}
}
