package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader. When
// made with a wrote channel, every Write signals it (without blocking, so
// a reader that was not waiting sees the next one).
type syncBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wrote != nil {
		select {
		case s.wrote <- struct{}{}:
		default:
		}
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs serve with cfg until the test ends and returns the URLs
// it printed.
func startServe(t *testing.T, cfg serveConfig) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := syncBuffer{wrote: make(chan struct{}, 1)}, syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, &stdout, &stderr) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	want := 0
	for _, a := range []string{cfg.addr, cfg.tlsAddr} {
		if a != "" {
			want++
		}
	}
	for {
		var urls []string
		sc := bufio.NewScanner(strings.NewReader(stdout.String()))
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "serving "); ok {
				urls = append(urls, u)
			}
		}
		if len(urls) == want {
			return urls
		}
		// Wait for serve to print more, or to fail; a serve that does
		// neither hangs the test until it times out.
		select {
		case <-stdout.wrote:
		case err := <-done:
			done <- err // for the cleanup
			t.Fatalf("serve returned %v early; printed %q; stderr %q", err, stdout.String(), stderr.String())
		}
	}
}

func client(t *testing.T) *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func get(t *testing.T, c *http.Client, method, url, body string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestServeRoutes(t *testing.T) {
	urls := startServe(t, serveConfig{addr: "127.0.0.1:0", tlsAddr: "127.0.0.1:0"})
	c := client(t)
	for _, base := range urls {
		t.Run(base[:5], func(t *testing.T) {
			resp, body := get(t, c, "GET", base, "")
			if body != "Hello, World!" || resp.Header.Get("Content-Type") != "text/plain" {
				t.Errorf("GET /: %q %v", body, resp.Header)
			}
			for _, m := range []string{"POST", "PUT"} {
				resp, body = get(t, c, m, base+"echo", "ping", "Content-Type", "application/x-test")
				if body != "ping" || resp.Header.Get("Content-Type") != "application/x-test" {
					t.Errorf("%s /echo: %q %v", m, body, resp.Header)
				}
			}
			resp, body = get(t, c, "GET", base+"bytes/100000", "")
			if len(body) != 100000 || resp.ContentLength != 100000 || body[:3] != "abc" {
				t.Errorf("/bytes: %d bytes, length %d", len(body), resp.ContentLength)
			}
			resp, body = get(t, c, "GET", base+"stream/5", "")
			if strings.Count(body, "\n") != 5 || resp.ContentLength != -1 || !strings.HasPrefix(body, `{"line":0}`) {
				t.Errorf("/stream: %q length %d", body, resp.ContentLength)
			}
			resp, _ = get(t, c, "GET", base+"status/418", "")
			if resp.StatusCode != 418 {
				t.Errorf("/status/418: %d", resp.StatusCode)
			}
			resp, _ = get(t, c, "GET", base+"status/99", "")
			if resp.StatusCode != 400 {
				t.Errorf("/status/99: %d", resp.StatusCode)
			}
			start := time.Now()
			resp, _ = get(t, c, "GET", base+"delay/50", "")
			if resp.StatusCode != 200 || time.Since(start) < 50*time.Millisecond {
				t.Errorf("/delay/50: %d after %v", resp.StatusCode, time.Since(start))
			}
			_, body = get(t, c, "GET", base+"headers", "", "X-Test", "a\"b")
			var h map[string][]string
			if err := json.Unmarshal([]byte(body), &h); err != nil || h["X-Test"][0] != `a"b` {
				t.Errorf("/headers: %q (%v)", body, err)
			}
			resp, _ = get(t, c, "DELETE", base+"echo", "")
			if resp.StatusCode != 405 {
				t.Errorf("DELETE /echo: %d", resp.StatusCode)
			}
		})
	}
}

func TestServeDir(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>home</h1>"), 0o644)
	os.WriteFile(filepath.Join(dir, "data.txt"), []byte("0123456789"), 0o644)
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	urls := startServe(t, serveConfig{addr: "127.0.0.1:0", root: root})
	c := client(t)
	resp, body := get(t, c, "GET", urls[0], "")
	if body != "<h1>home</h1>" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /: %q %v", body, resp.Header)
	}
	resp, body = get(t, c, "GET", urls[0]+"data.txt", "", "Range", "bytes=2-4")
	if resp.StatusCode != 206 || body != "234" {
		t.Errorf("range: %d %q", resp.StatusCode, body)
	}
	etag := resp.Header.Get("ETag")
	resp, _ = get(t, c, "GET", urls[0]+"data.txt", "", "If-None-Match", etag)
	if etag == "" || resp.StatusCode != 304 {
		t.Errorf("If-None-Match %q: %d", etag, resp.StatusCode)
	}
	resp, _ = get(t, c, "GET", urls[0]+"../etc/passwd", "")
	if resp.StatusCode != 404 && resp.StatusCode != 400 {
		t.Errorf("escape attempt: %d", resp.StatusCode)
	}
}

func TestServeFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"serve", "-cert", "x.pem"}, &out, &errOut); code != 2 {
		t.Errorf("-cert without -key: exit %d", code)
	}
	if code := run([]string{"nope"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "unknown command") {
		t.Errorf("unknown command: exit %d, %q", code, errOut.String())
	}
	if code := run([]string{"serve", "-dir", filepath.Join(t.TempDir(), "missing")}, &out, &errOut); code != 1 {
		t.Errorf("missing -dir: exit %d", code)
	}
}

// serve speaks h2c with prior knowledge on its plain address and h2 on its
// TLS address, and says so in its usage.
func TestServeHTTP2(t *testing.T) {
	urls := startServe(t, serveConfig{addr: "127.0.0.1:0", tlsAddr: "127.0.0.1:0"})
	var h2c http.Protocols
	h2c.SetUnencryptedHTTP2(true)
	plain := &http.Transport{Protocols: &h2c}
	t.Cleanup(plain.CloseIdleConnections)
	tlsTr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}
	t.Cleanup(tlsTr.CloseIdleConnections)
	for i, c := range []*http.Client{{Transport: plain}, {Transport: tlsTr}} {
		resp, body := get(t, c, "POST", urls[i]+"echo", "ping")
		if resp.Proto != "HTTP/2.0" || body != "ping" {
			t.Errorf("%s: %s %q", urls[i], resp.Proto, body)
		}
	}
	var out, errOut bytes.Buffer
	run([]string{"serve", "-h"}, &out, &errOut)
	if !strings.Contains(errOut.String(), "h2c (HTTP/2 with prior knowledge") || !strings.Contains(errOut.String(), "HTTP/2 (h2)") {
		t.Errorf("serve -h does not tell the protocols:\n%s", errOut.String())
	}
}
