package turbohttp

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lookPeer finds a real peer program for an interop test. A developer
// without it gets a skip that says what to install; under CI=true (where
// .ci/run installs the peers) a missing peer fails the test.
func lookPeer(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing; .ci/run installs it (apt-get install -y %s)", name, pkg)
		}
		t.Skipf("%s is not installed: apt-get install -y %s", name, pkg)
	}
	return path
}

// curl, a real client, against our server: several requests on one
// kept-alive connection, a chunked upload and a HEAD.
func TestPeerCurlAgainstServer(t *testing.T) {
	curl := lookPeer(t, "curl", "curl")
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		w.Header().Set("X-Method", r.Method)
		if r.Method == MethodPost {
			io.Copy(w, r.Body)
			return
		}
		w.WriteString("hello " + string(r.URL.Path) + "\n")
	}))
	base := "http://" + addr
	cmd := exec.Command(curl, "-sS", "-v", "--http1.1", base+"/a", base+"/b", base+"/c")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, stderr.String())
	}
	if string(out) != "hello /a\nhello /b\nhello /c\n" {
		t.Errorf("curl got %q", out)
	}
	if n := strings.Count(stderr.String(), "Re-using existing connection"); n != 2 {
		t.Errorf("curl reused the connection %d times, want 2:\n%s", n, stderr.String())
	}

	body := strings.Repeat("0123456789", 10000)
	cmd = exec.Command(curl, "-sS", "--http1.1", "-H", "Transfer-Encoding: chunked", "--data-binary", "@-", base+"/upload")
	cmd.Stdin = strings.NewReader(body)
	if out, err = cmd.Output(); err != nil || string(out) != body {
		t.Errorf("chunked upload: %v, %d bytes back", err, len(out))
	}

	cmd = exec.Command(curl, "-sS", "-I", "--http1.1", base+"/head")
	if out, err = cmd.Output(); err != nil || !bytes.Contains(out, []byte("X-Method: HEAD")) || !bytes.Contains(out, []byte("Content-Length: 12")) {
		t.Errorf("HEAD: %v %q", err, out)
	}
}

// Our Transport against h2o, a real server written in C: keep-alive reuse
// and bodies of a static file.
func TestPeerTransportAgainstH2O(t *testing.T) {
	h2o := lookPeer(t, "h2o", "h2o")
	// h2o started as root serves files as nobody, so the folder must be
	// readable by all, up from the temporary directory.
	dir, err := os.MkdirTemp("", "turbohttp-h2o-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	www := filepath.Join(dir, "www")
	os.Mkdir(www, 0o755)
	content := bytes.Repeat([]byte("turbohttp "), 5000)
	os.WriteFile(filepath.Join(www, "file.txt"), content, 0o644)
	port := freePort(t)
	conf := fmt.Sprintf("listen:\n  host: 127.0.0.1\n  port: %d\nnum-threads: 1\nhosts:\n  default:\n    paths:\n      /:\n        file.dir: %s\n", port, www)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	runH2O(t, h2o, dir, conf, addr)

	var tr Transport
	defer tr.CloseIdleConnections()
	var req Request
	var resp Response
	for i := 0; i < 5; i++ {
		if err := req.SetURL("http://" + addr + "/file.txt"); err != nil {
			t.Fatal(err)
		}
		if err := tr.Do(&req, &resp); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !bytes.Equal(got, content) {
			t.Fatalf("request %d: %d, %d bytes, %v", i, resp.StatusCode, len(got), err)
		}
	}
	if st := tr.HostStats(addr); st.Dials != 1 || st.Reuses != 4 {
		t.Errorf("dials %d, reuses %d; want 1 and 4", st.Dials, st.Reuses)
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// runH2O starts h2o with conf (written into dir) for the rest of the test
// and returns once it accepts connections on addr.
func runH2O(t *testing.T, h2o, dir, conf, addr string) {
	t.Helper()
	confPath := filepath.Join(dir, "h2o.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var log syncLog
	cmd := exec.Command(h2o, "-c", confPath)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		if i == 400 { // 20 s: h2o gives no other sign that it is listening
			t.Fatalf("h2o did not start:\n%s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
