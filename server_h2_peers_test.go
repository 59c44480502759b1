package turbohttp

import (
	"bytes"
	"crypto/tls"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Real HTTP/2 clients against the server: curl, nghttp and h2load (see
// lookPeer in peers_test.go: skipped when missing, failing under CI=true).

// peerHandler serves the interop routes: /bytes/N sends N bytes, POST
// /echo returns the body's length and sum with a trailer, anything else
// "hello".
func peerHandler(w ResponseWriter, r *Request) {
	switch {
	case strings.HasPrefix(string(r.URL.Path), "/bytes/"):
		n, _ := strconv.Atoi(string(r.URL.Path[len("/bytes/"):]))
		chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
		for n > 0 {
			m := min(n, len(chunk))
			if _, err := w.Write(chunk[:m]); err != nil {
				return
			}
			n -= m
		}
	case r.Method == MethodPost:
		var sum byte
		var n int
		buf := make([]byte, 32<<10)
		for {
			m, err := r.Body.Read(buf)
			for _, b := range buf[:m] {
				sum += b
			}
			n += m
			if err != nil {
				break
			}
		}
		w.Trailer().Set("X-Sum", strconv.Itoa(int(sum)))
		w.WriteString(strconv.Itoa(n))
	default:
		w.WriteString("hello")
	}
}

// smallWindows makes every flow-control window far smaller than the
// bodies of the tests.
func smallWindows(s *Server) {
	s.HTTP2 = &HTTP2Config{MaxReceiveBufferPerStream: 64 << 10, MaxReceiveBufferPerConnection: 128 << 10}
}

// bigFile writes n bytes of a pattern to a temporary file and returns its
// path and the byte sum of its content.
func bigFile(t *testing.T, n int) (string, byte) {
	data := bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog. "), n/45+1)[:n]
	var sum byte
	for _, b := range data {
		sum += b
	}
	path := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, sum
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s\n%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out) + stderr.String()
}

func TestPeerCurlH2(t *testing.T) {
	curl := lookPeer(t, "curl", "curl")
	_, addr := h2cServer(t, HandlerFunc(peerHandler), smallWindows)
	base := "http://" + addr
	// one URL per run: curl 7.88's prior-knowledge connection reuse fails
	// with any server (net/http's too: "Error in the HTTP2 framing layer")
	out := run(t, curl, "-sS", "--http2-prior-knowledge", "-w", " %{http_version}\n", base+"/a")
	if out != "hello 2\n" {
		t.Errorf("GET: %q", out)
	}
	const size = 64 << 20
	path, sum := bigFile(t, size)
	out = run(t, curl, "-sS", "--http2-prior-knowledge", "-v", "--data-binary", "@"+path, base+"/echo")
	if !strings.Contains(out, strconv.Itoa(size)) || !strings.Contains(out, "x-sum: "+strconv.Itoa(int(sum))) {
		t.Errorf("64 MiB upload: %s", lastLines(out, 8))
	}
	down := filepath.Join(t.TempDir(), "down")
	run(t, curl, "-sS", "--http2-prior-knowledge", "-o", down, base+"/bytes/"+strconv.Itoa(size))
	if fi, err := os.Stat(down); err != nil || fi.Size() != size {
		t.Errorf("64 MiB download: %v %v", fi, err)
	}

	cert, _ := testTLS(t)
	srv := &Server{Handler: HandlerFunc(peerHandler), TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	tlsAddr := serveTLSOn(t, srv)
	// many concurrent streams on one TLS connection
	args := []string{"-sSk", "--http2", "--parallel", "--parallel-max", "100", "-w", "%{http_version}\n"}
	for i := range 100 {
		args = append(args, "https://"+tlsAddr+"/p"+strconv.Itoa(i))
	}
	if out := run(t, curl, args...); strings.Count(out, "hello") != 100 || strings.Count(out, "2\n") != 100 {
		t.Errorf("TLS, 100 in parallel: %q", out)
	}
}

func TestPeerNghttp(t *testing.T) {
	nghttp := lookPeer(t, "nghttp", "nghttp2-client")
	_, addr := h2cServer(t, HandlerFunc(peerHandler), smallWindows)
	base := "http://" + addr
	const size = 64 << 20
	path, sum := bigFile(t, size)
	// -w/-W 16: the client's own windows are 64 KiB too
	out := run(t, nghttp, "-v", "-w", "16", "-W", "16", "-d", path, base+"/echo")
	if !strings.Contains(out, "x-sum: "+strconv.Itoa(int(sum))) || !strings.Contains(out, strconv.Itoa(size)) {
		t.Errorf("upload with trailers: %s", lastLines(out, 10))
	}
	out = run(t, nghttp, "-n", "-s", "-w", "16", "-W", "16", base+"/bytes/"+strconv.Itoa(size))
	if !strings.Contains(out, "200") {
		t.Errorf("download: %s", lastLines(out, 10))
	}
	args := []string{"-n", "-m", "100"}
	if out := run(t, nghttp, append(args, base+"/many")...); out != "" {
		t.Errorf("100 requests: %s", lastLines(out, 5))
	}
}

func TestPeerH2load(t *testing.T) {
	h2load := lookPeer(t, "h2load", "nghttp2-client")
	_, addr := h2cServer(t, HandlerFunc(peerHandler))
	out := run(t, h2load, "-n", "20000", "-c", "4", "-m", "32", "http://"+addr+"/")
	if !strings.Contains(out, "20000 succeeded, 0 failed, 0 errored") {
		t.Errorf("h2c: %s", lastLines(out, 12))
	}
	cert, _ := testTLS(t)
	srv := &Server{Handler: HandlerFunc(peerHandler), TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	tlsAddr := serveTLSOn(t, srv)
	out = run(t, h2load, "-n", "5000", "-c", "2", "-m", "16", "https://"+tlsAddr+"/")
	if !strings.Contains(out, "5000 succeeded, 0 failed, 0 errored") || !strings.Contains(out, "h2") {
		t.Errorf("TLS: %s", lastLines(out, 12))
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
