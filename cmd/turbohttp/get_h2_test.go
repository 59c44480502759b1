package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// h2Servers starts net/http's server with HTTP/2 over TLS, and h2c.
func h2Servers(t *testing.T) (secure, plain string) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) })
	ts := httptest.NewUnstartedServer(h)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	pc := httptest.NewUnstartedServer(h)
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	pc.Config.Protocols = &p
	pc.Start()
	t.Cleanup(pc.Close)
	return ts.URL, pc.URL
}

// get speaks HTTP/2 to https servers by default, HTTP/1.1 with --http1.1,
// h2c with --http2-prior-knowledge; -v says which.
func TestGetHTTP2(t *testing.T) {
	secure, plain := h2Servers(t)
	for _, tc := range []struct {
		args     []string
		out, log string
	}{
		{[]string{"-k", "-v", secure}, "HTTP/2.0", "* Using HTTP/2"},
		{[]string{"-k", "-v", "--http2", secure}, "HTTP/2.0", "< HTTP/2 200"},
		{[]string{"-k", "-v", "--http1.1", secure}, "HTTP/1.1", "* Using HTTP/1.1"},
		{[]string{"-v", plain}, "HTTP/1.1", "> GET / HTTP/1.1"},
		{[]string{"-v", "--http2-prior-knowledge", plain}, "HTTP/2.0", "> GET / HTTP/2"},
	} {
		code, out, errOut := runCmd(t, append([]string{"get"}, tc.args...)...)
		if code != 0 || out != tc.out || !strings.Contains(errOut, tc.log) {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s", tc.args, code, out, errOut)
		}
	}
	if code, _, _ := runCmd(t, "get", "--http1.1", "--http2-prior-knowledge", plain); code != 2 {
		t.Errorf("--http1.1 with --http2-prior-knowledge: exit %d, want 2", code)
	}
}

// load over HTTP/2: -c connections with -streams requests each, h2c by
// prior knowledge and h2 over TLS; the summary counts responses per
// protocol.
func TestLoadHTTP2(t *testing.T) {
	secure, plain := h2Servers(t)
	for _, args := range [][]string{
		{"--http2-prior-knowledge", plain},
		{"-k", secure},
	} {
		_, out, errOut := runCmd(t, append([]string{"load", "-json", "-n", "400", "-c", "2", "-streams", "8"}, args...)...)
		var s loadSummary
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut)
		}
		if s.Responses != 400 || s.Protocols["HTTP/2.0"] != 400 || s.Dials != 2 || s.Streams != 8 {
			t.Errorf("%v: %+v", args, s)
		}
	}
	_, out, _ := runCmd(t, "load", "-n", "20", "-c", "2", "-streams", "4", "--http2-prior-knowledge", plain)
	if !strings.Contains(out, "2 connections × 4 streams") || !strings.Contains(out, "HTTP/2.0 responses:  20") {
		t.Errorf("text summary:\n%s", out)
	}
	_, out, _ = runCmd(t, "load", "-json", "-n", "20", "-c", "2", plain)
	var s loadSummary
	json.Unmarshal([]byte(out), &s)
	if s.Protocols["HTTP/1.1"] != 20 {
		t.Errorf("HTTP/1.1 run: %+v", s)
	}
}
