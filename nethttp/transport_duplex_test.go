package nethttp_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"testing/synctest"

	"turbohttp"
	"turbohttp/nethttp"
	"turbohttp/turbotest"
)

// The full-duplex exchange reaches http.Client through the RoundTripper
// adapter too: a 64 MiB POST to net/http's server with an EnableFullDuplex
// echo handler completes (before the Transport went full duplex it
// deadlocked; synctest would report it), over an in-memory network.

func TestAdapterFullDuplexEcho(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ln := turbotest.NewMemListener()
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rc := http.NewResponseController(w)
			rc.EnableFullDuplex()
			w.WriteHeader(200)
			buf := make([]byte, 32<<10)
			for {
				n, err := r.Body.Read(buf)
				if n > 0 {
					w.Write(buf[:n])
					rc.Flush()
				}
				if err != nil {
					return
				}
			}
		})}
		served := make(chan struct{})
		go func() { srv.Serve(ln); close(served) }()
		defer func() { ln.Close(); srv.Close(); <-served }()

		client := &http.Client{Transport: &nethttp.TransportAdapter{Transport: &turbohttp.Transport{DialContext: ln.Dial}}}
		defer client.CloseIdleConnections()
		const size = 64 << 20
		chunk := bytes.Repeat([]byte("0123456789abcdef"), 4<<10)
		pr, pw := io.Pipe()
		go func() {
			for sent := 0; sent < size; sent += len(chunk) {
				if _, err := pw.Write(chunk); err != nil {
					return
				}
			}
			pw.Close()
		}()
		resp, err := client.Post("http://mem/echo", "application/octet-stream", pr)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		buf := make([]byte, len(chunk))
		var got int
		for {
			n, err := io.ReadFull(resp.Body, buf)
			if n > 0 && !bytes.Equal(buf[:n], chunk[:n]) {
				t.Fatalf("echo differs at %d", got)
			}
			got += n
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if got != size || resp.StatusCode != 200 {
			t.Fatalf("%d: echoed %d of %d bytes", resp.StatusCode, got, size)
		}
	})
}
