package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"turbohttp"
	"turbohttp/turbotest"
)

// runCmd runs the command line args in-process.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// serveURLs starts serve on HTTP and HTTPS and returns both base URLs
// (ending in "/").
func serveURLs(t *testing.T) (plain, secure string) {
	urls := startServe(t, serveConfig{addr: "127.0.0.1:0", tlsAddr: "127.0.0.1:0"})
	for _, u := range urls {
		if strings.HasPrefix(u, "https:") {
			secure = u
		} else {
			plain = u
		}
	}
	return plain, secure
}

func TestGetBodyToStdout(t *testing.T) {
	base, _ := serveURLs(t)
	code, out, errOut := runCmd(t, "get", base)
	if code != 0 || out != "Hello, World!" || errOut != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Without a scheme, http:// is assumed.
	code, out, _ = runCmd(t, "get", strings.TrimPrefix(base, "http://"))
	if code != 0 || out != "Hello, World!" {
		t.Fatalf("no scheme: exit %d, stdout %q", code, out)
	}
}

func TestGetOutputFile(t *testing.T) {
	base, _ := serveURLs(t)
	file := filepath.Join(t.TempDir(), "out.bin")
	code, out, _ := runCmd(t, "get", "-o", file, base+"bytes/100000")
	got, err := os.ReadFile(file)
	if code != 0 || out != "" || err != nil || len(got) != 100000 || string(got[:3]) != "abc" {
		t.Fatalf("exit %d, stdout %q, file %d bytes (%v)", code, out, len(got), err)
	}
	code, _, errOut := runCmd(t, "get", "-o", filepath.Join(t.TempDir(), "missing", "x"), base)
	if code != exitWrite {
		t.Fatalf("unwritable -o: exit %d, %q", code, errOut)
	}
}

func TestGetMethodAndData(t *testing.T) {
	base, _ := serveURLs(t)
	code, out, _ := runCmd(t, "get", "-X", "PUT", "-d", "a=1", "-d", "b=2", base+"echo", "-i")
	if code != 0 || !strings.HasSuffix(out, "\r\n\r\na=1&b=2") ||
		!strings.Contains(out, "Content-Type: application/x-www-form-urlencoded\r\n") {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	// -d alone means POST; -H replaces the default Content-Type.
	code, out, _ = runCmd(t, "get", base+"echo", "-d", `{"x":1}`, "-H", "Content-Type: application/json", "-i")
	if code != 0 || !strings.HasSuffix(out, `{"x":1}`) || !strings.Contains(out, "Content-Type: application/json\r\n") {
		t.Fatalf("POST: exit %d, stdout %q", code, out)
	}
}

func TestGetDataFiles(t *testing.T) {
	base, _ := serveURLs(t)
	file := filepath.Join(t.TempDir(), "body")
	content := "line 1\r\nline 2\n\x00\xff"
	os.WriteFile(file, []byte(content), 0o644)
	code, out, _ := runCmd(t, "get", "--data-binary", "@"+file, base+"echo")
	if code != 0 || out != content {
		t.Fatalf("--data-binary: exit %d, stdout %q", code, out)
	}
	code, out, _ = runCmd(t, "get", "-d", "@"+file, base+"echo")
	if code != 0 || out != "line 1line 2\x00\xff" {
		t.Fatalf("-d @file: exit %d, stdout %q", code, out)
	}
	code, out, _ = runCmd(t, "get", "--data-raw", "@"+file, base+"echo")
	if code != 0 || out != "@"+file {
		t.Fatalf("--data-raw: exit %d, stdout %q", code, out)
	}
	old := stdin
	stdin = strings.NewReader("from stdin\n")
	defer func() { stdin = old }()
	code, out, _ = runCmd(t, "get", "--data-binary", "@-", base+"echo")
	if code != 0 || out != "from stdin\n" {
		t.Fatalf("@-: exit %d, stdout %q", code, out)
	}
	code, _, errOut := runCmd(t, "get", "-d", "@"+file+".missing", base+"echo")
	if code != exitRead || !strings.Contains(errOut, "(26)") {
		t.Fatalf("missing file: exit %d, stderr %q", code, errOut)
	}
}

func TestGetHeaders(t *testing.T) {
	base, _ := serveURLs(t)
	code, out, _ := runCmd(t, "get", base+"headers", "-H", "X-One: 1", "--header", "X-Two: a b",
		"-H", "X-Two: c", "-H", "Accept:", "-H", "X-Empty;", "-A", "agent/1", "-u", "u:p", "-H", "Host: example.test")
	var h map[string][]string
	if err := json.Unmarshal([]byte(out), &h); code != 0 || err != nil {
		t.Fatalf("exit %d, %q (%v)", code, out, err)
	}
	want := map[string][]string{"X-One": {"1"}, "X-Two": {"a b", "c"}, "X-Empty": {""}, "User-Agent": {"agent/1"},
		"Authorization": {"Basic dTpw"}, "Host": {"example.test"}}
	for k, v := range want {
		if !reflect.DeepEqual(h[k], v) {
			t.Errorf("%s: %q, want %q", k, h[k], v)
		}
	}
	if _, ok := h["Accept"]; ok {
		t.Errorf("Accept was removed but sent: %q", h["Accept"])
	}
	code, _, errOut := runCmd(t, "get", "-H", "no colon", base)
	if code != exitUsage {
		t.Errorf("bad -H: exit %d, %q", code, errOut)
	}
}

func TestGetVerbose(t *testing.T) {
	base, _ := serveURLs(t)
	code, out, errOut := runCmd(t, "get", "-v", base+"headers", "-H", "X-Test: v")
	if code != 0 || !strings.HasPrefix(out, "{") {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/")
	for _, want := range []string{
		"* Connected to 127.0.0.1",
		"> GET /headers HTTP/1.1\n> Host: " + host + "\n",
		"> X-Test: v\n> \n",
		"< HTTP/1.1 200 OK\n",
		"< Content-Type: application/json\n",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Index(errOut, "> GET") > strings.Index(errOut, "< HTTP") {
		t.Errorf("response head before request head:\n%s", errOut)
	}
}

func TestGetIncludeAndHead(t *testing.T) {
	base, _ := serveURLs(t)
	code, out, _ := runCmd(t, "get", "-i", base)
	if code != 0 || !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(out, "\r\n\r\nHello, World!") ||
		!strings.Contains(out, "\r\nContent-Length: 13\r\n") {
		t.Fatalf("-i: exit %d, stdout %q", code, out)
	}
	code, out, _ = runCmd(t, "get", "-I", base)
	if code != 0 || !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(out, "\r\n\r\n") {
		t.Fatalf("-I: exit %d, stdout %q", code, out)
	}
}

// redirector answers /to with a 302 to its "u" query parameter and /loop
// with a redirect to itself.
func redirector(t *testing.T) string {
	srv := turbotest.NewServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		switch string(r.URL.Path) {
		case "/to":
			turbohttp.Redirect(w, r, r.FormValue("u"), turbohttp.StatusFound)
		case "/loop":
			turbohttp.Redirect(w, r, "/loop", turbohttp.StatusFound)
		default:
			turbohttp.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestGetRedirects(t *testing.T) {
	base, _ := serveURLs(t)
	redir := redirector(t)
	target := redir + "/to?u=" + base
	code, out, _ := runCmd(t, "get", "-i", target)
	if code != 0 || !strings.HasPrefix(out, "HTTP/1.1 302 Found\r\n") || !strings.Contains(out, "Location: "+base+"\r\n") {
		t.Fatalf("without -L: exit %d, stdout %q", code, out)
	}
	code, out, _ = runCmd(t, "get", "-L", target)
	if code != 0 || out != "Hello, World!" {
		t.Fatalf("-L: exit %d, stdout %q", code, out)
	}
	code, out, _ = runCmd(t, "get", "-iL", target)
	if code != 0 || !strings.HasPrefix(out, "HTTP/1.1 302 Found\r\n") || !strings.Contains(out, "\r\n\r\nHTTP/1.1 200 OK\r\n") {
		t.Fatalf("-iL: exit %d, stdout %q", code, out)
	}
	code, _, errOut := runCmd(t, "get", "-L", "--max-redirs", "3", redir+"/loop")
	if code != exitRedirects {
		t.Fatalf("loop: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "get", "-L", redir+"/loop")
	if code != exitRedirects || !strings.Contains(errOut, "more than 50") {
		t.Fatalf("loop, default limit: exit %d, stderr %q", code, errOut)
	}
	code, _, _ = runCmd(t, "get", "-L", "--max-redirs", "0", target)
	if code != exitRedirects {
		t.Fatalf("--max-redirs 0: exit %d", code)
	}
}

// stalledServer returns the URL of a test server that answers nothing
// until the test ends (or its client goes away), for timeouts that must
// fire whatever the load of the machine.
func stalledServer(t *testing.T) string {
	release := make(chan struct{})
	srv := turbotest.NewServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first
	return srv.URL + "/"
}

func TestGetMaxTime(t *testing.T) {
	stalled := stalledServer(t)
	code, out, errOut := runCmd(t, "get", "--max-time", "0.2", stalled)
	if code != exitTimeout || out != "" || !strings.Contains(errOut, "(28)") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, _ = runCmd(t, "get", "-m", "200ms", stalled)
	if code != exitTimeout {
		t.Fatalf("-m 200ms: exit %d", code)
	}
}

// refusedAddr returns an address where nothing listens.
func refusedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestGetConnectionRefused(t *testing.T) {
	code, _, errOut := runCmd(t, "get", "http://"+refusedAddr(t)+"/")
	if code != exitConnect || !strings.Contains(errOut, "(7)") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "get", "-s", "http://"+refusedAddr(t)+"/")
	if code != exitConnect || errOut != "" {
		t.Fatalf("-s: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "get", "-sS", "http://"+refusedAddr(t)+"/")
	if code != exitConnect || errOut == "" {
		t.Fatalf("-sS: exit %d, stderr %q", code, errOut)
	}
}

func TestGetFail(t *testing.T) {
	base, _ := serveURLs(t)
	code, out, errOut := runCmd(t, "get", "-f", base+"status/404")
	if code != exitHTTP || out != "" || !strings.Contains(errOut, "404") {
		t.Fatalf("-f: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = runCmd(t, "get", base+"status/404")
	if code != 0 || out != "404 Not Found\n" {
		t.Fatalf("without -f: exit %d, stdout %q", code, out)
	}
	code, _, _ = runCmd(t, "get", "-f", base+"status/399")
	if code != 0 {
		t.Fatalf("-f with 399: exit %d", code)
	}
}

func TestGetTLS(t *testing.T) {
	_, secure := serveURLs(t)
	code, out, errOut := runCmd(t, "get", "-k", secure)
	if code != 0 || out != "Hello, World!" {
		t.Fatalf("-k: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = runCmd(t, "get", secure)
	if code != exitCert || out != "" || !strings.Contains(errOut, "(60)") {
		t.Fatalf("without -k: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = runCmd(t, "get", "-vk", secure)
	if code != 0 || !strings.Contains(errOut, "* TLS connection using TLS 1.") || !strings.Contains(errOut, "* Using HTTP/2\n") ||
		!strings.Contains(errOut, "> GET / HTTP/2\n") || !strings.Contains(errOut, "< HTTP/2 200\n") {
		t.Fatalf("-vk: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "get", "-vk", "--http1.1", secure)
	if code != 0 || !strings.Contains(errOut, "> GET / HTTP/1.1\n") || !strings.Contains(errOut, "< HTTP/1.1 200 OK\n") {
		t.Fatalf("-vk --http1.1: exit %d, stderr %q", code, errOut)
	}
	// A TLS client against a plain HTTP server fails its handshake.
	plain, _ := serveURLs(t)
	code, _, errOut = runCmd(t, "get", "-k", strings.Replace(plain, "http:", "https:", 1))
	if code != exitTLS {
		t.Fatalf("TLS to plain HTTP: exit %d, stderr %q", code, errOut)
	}
}

func TestGetUsage(t *testing.T) {
	for _, args := range [][]string{
		{"get"},
		{"get", "http://a/", "http://b/"},
		{"get", "--no-such-flag", "http://a/"},
		{"get", "ftp://a/"},
		{"get", "-h"},
		{"get", "--max-time", "soon", "http://a/"},
	} {
		if code, _, errOut := runCmd(t, args...); code != exitUsage {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestNormalizeArgs(t *testing.T) {
	o := &getOptions{}
	fs := getFlags(o, io.Discard)
	for _, tc := range []struct{ in, want []string }{
		{[]string{"http://u/", "-X", "POST"}, []string{"-X", "POST", "--", "http://u/"}},
		{[]string{"-sSL", "u"}, []string{"-s", "-S", "-L", "--", "u"}},
		{[]string{"-XPOST", "-d@f", "u"}, []string{"-X", "POST", "-d", "@f", "--", "u"}},
		{[]string{"-vX", "PUT", "u"}, []string{"-v", "-X", "PUT", "--", "u"}},
		{[]string{"--max-time", "5", "u", "-k"}, []string{"--max-time", "5", "-k", "--", "u"}},
		{[]string{"-max-time=5", "u"}, []string{"-max-time=5", "--", "u"}},
		{[]string{"-d", "-", "u", "--", "-x"}, []string{"-d", "-", "--", "u", "-x"}},
		{[]string{"-zq", "u"}, []string{"-zq", "--", "u"}},
		{[]string{"-XH", "u"}, []string{"-X", "H", "--", "u"}},
		{[]string{"-da=1", "u"}, []string{"-d", "a=1", "--", "u"}},
		{[]string{"-v=true", "-o=f", "u"}, []string{"-v=true", "-o=f", "--", "u"}},
		{[]string{"u", "-o"}, []string{"-o", "--", "u"}},
	} {
		if got := normalizeArgs(fs, tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("normalizeArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if err := fs.Parse(normalizeArgs(fs, []string{"u", "-sSLk", "--max-time", "1.5", "-H", "A: b"})); err != nil {
		t.Fatal(err)
	}
	if !o.silent || !o.showError || !o.follow || !o.insecure || o.maxTime != secondsFlag(1500e6) || len(o.headers) != 1 {
		t.Errorf("parsed %+v", o)
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}}, exitResolve},
		{&net.OpError{Op: "dial", Err: errors.New("connect: connection refused")}, exitConnect},
		{turbohttp.ErrClientTimeout, exitTimeout},
		{context.DeadlineExceeded, exitTimeout},
		{&tlsHandshakeError{errors.New("tls: handshake failure")}, exitTLS},
		{tls.AlertError(40), exitTLS},
		{&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, exitCert},
		{x509.HostnameError{}, exitCert},
		{turbohttp.ErrTooManyRedirects, exitRedirects},
		{io.ErrUnexpectedEOF, exitRecv},
		{&turbohttp.MalformedResponseError{Err: errors.New("bad")}, exitOther},
		{errors.New("something else"), exitOther},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestHeaderListFlag(t *testing.T) {
	var h headerList
	for _, bad := range []string{"", "noseparator", ": v", "a b: c"} {
		if err := h.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
	if err := h.Set(" Name :  value "); err != nil || h[0] != (headerArg{name: "Name", value: "value"}) {
		t.Errorf("Set: %v %+v", err, h)
	}
	var _ flag.Value = &h
}

func TestHeadTap(t *testing.T) {
	var b bytes.Buffer
	tap := &headTap{w: &b}
	tap.write([]byte("ignored: not armed\r\n\r\n"))
	tap.arm()
	tap.write([]byte("GET / HTTP/1.1\r\nHo"))
	tap.write([]byte("st: a\r\n\r\nbody bytes"))
	tap.write([]byte("more body\r\n\r\n"))
	want := "> GET / HTTP/1.1\n> Host: a\n> \n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
	// A head longer than maxTapHead is shown cut, once.
	b.Reset()
	tap.arm()
	long := "X: " + strings.Repeat("v", maxTapHead) + "\r\n"
	tap.write([]byte(long))
	tap.write([]byte(long))
	if n := b.Len(); n < maxTapHead || n > maxTapHead+10 || strings.Count(b.String(), "> ") != 2 {
		t.Fatalf("long head: %d bytes written", n)
	}
}

func TestSecondsFlag(t *testing.T) {
	var s secondsFlag
	for in, want := range map[string]time.Duration{"5": 5 * time.Second, "0.25": 250 * time.Millisecond, "1m": time.Minute} {
		if err := s.Set(in); err != nil || time.Duration(s) != want {
			t.Errorf("Set(%q) = %v, %v", in, time.Duration(s), err)
		}
	}
	for _, in := range []string{"-1", "1e10", "soon", "-2s"} {
		if err := s.Set(in); err == nil {
			t.Errorf("Set(%q) accepted", in)
		}
	}
}
