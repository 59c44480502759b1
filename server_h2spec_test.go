package turbohttp

import (
	"crypto/tls"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// h2specHandler answers as h2spec expects: a body for GET, the request
// body read for POST.
func h2specHandler(w ResponseWriter, r *Request) {
	buf := make([]byte, 4096)
	for {
		if _, err := r.Body.Read(buf); err != nil {
			break
		}
	}
	w.WriteString("hello h2spec")
}

// lookH2spec finds the h2spec binary: on PATH or in $GOPATH/bin, where
// `go install github.com/summerwind/h2spec/cmd/h2spec@latest` puts it.
func lookH2spec(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("h2spec"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	p := filepath.Join(gopath, "bin", "h2spec")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	const install = "go install github.com/summerwind/h2spec/cmd/h2spec@latest"
	if os.Getenv("CI") == "true" {
		t.Fatalf("h2spec is missing; .ci/run installs it (%s)", install)
	}
	t.Skipf("h2spec is not installed: %s", install)
	return ""
}

var h2specSummary = regexp.MustCompile(`(\d+) tests, (\d+) passed, (\d+) skipped, (\d+) failed`)

// runH2spec runs h2spec --strict against addr and requires every test to
// pass.
func runH2spec(t *testing.T, bin, addr string, args ...string) {
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, append([]string{"--strict", "-h", host, "-p", port, "-o", "5"}, args...)...)
	out, _ := cmd.CombinedOutput()
	m := h2specSummary.FindSubmatch(out)
	if m == nil {
		t.Fatalf("h2spec gave no summary:\n%s", out)
	}
	total, _ := strconv.Atoi(string(m[1]))
	passed, _ := strconv.Atoi(string(m[2]))
	t.Logf("h2spec %v: %s", args, m[0])
	if total != 146 || passed != total {
		t.Errorf("h2spec --strict %v: %s\n%s", args, m[0], out)
	}
}

// TestH2spec runs h2spec --strict against the server over h2c and over
// TLS: all 146 tests must pass.
func TestH2spec(t *testing.T) {
	bin := lookH2spec(t)
	t.Run("h2c", func(t *testing.T) {
		_, addr := h2cServer(t, HandlerFunc(h2specHandler))
		runH2spec(t, bin, addr)
	})
	t.Run("tls", func(t *testing.T) {
		cert, _ := testTLS(t)
		srv := &Server{Handler: HandlerFunc(h2specHandler), TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
		runH2spec(t, bin, serveTLSOn(t, srv), "-t", "-k")
	})
}
