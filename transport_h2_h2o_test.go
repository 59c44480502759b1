package turbohttp

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// startH2OForH2 starts h2o with a cleartext port (h2c by prior knowledge)
// and a TLS port (ALPN h2) serving dir's files under / and echoing POST
// bodies under /echo (mruby), and returns the two addresses.
func startH2OForH2(t *testing.T, www string) (plain, secure string) {
	h2o := lookPeer(t, "h2o", "h2o")
	dir := filepath.Dir(www)
	certFile, keyFile := writeTestCert(t, dir)
	pp, sp := freePort(t), freePort(t)
	conf := fmt.Sprintf(`num-threads: 1
listen:
  host: 127.0.0.1
  port: %d
listen:
  host: 127.0.0.1
  port: %d
  ssl:
    certificate-file: %s
    key-file: %s
hosts:
  default:
    paths:
      /echo:
        mruby.handler: |
          proc {|env| [200, {}, [env["rack.input"].read]] }
      /:
        file.dir: %s
`, pp, sp, certFile, keyFile, www)
	plain, secure = fmt.Sprintf("127.0.0.1:%d", pp), fmt.Sprintf("127.0.0.1:%d", sp)
	runH2O(t, h2o, dir, conf, secure)
	return plain, secure
}

// writeTestCert writes a self-signed certificate for 127.0.0.1 and its
// key into dir, readable by h2o's unprivileged user.
func writeTestCert(t *testing.T, dir string) (certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o644)
	return certFile, keyFile
}

// Our Transport against h2o over HTTP/2, h2 over TLS and h2c: GET, a
// 64 MiB download and a 64 MiB upload through windows smaller than the
// body, and 1,000 concurrent requests over a handful of connections.
func TestPeerH2TransportAgainstH2O(t *testing.T) {
	dir, err := os.MkdirTemp("", "turbohttp-h2o-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	www := filepath.Join(dir, "www")
	os.Mkdir(www, 0o755)
	big := bytes.Repeat([]byte("0123456789abcdef"), 4<<20) // 64 MiB
	os.WriteFile(filepath.Join(www, "big.bin"), big, 0o644)
	os.WriteFile(filepath.Join(www, "hello.txt"), []byte("Hello, World!"), 0o644)
	plain, secure := startH2OForH2(t, www)

	for _, tc := range []struct {
		name, url string
		tr        *Transport
	}{
		{"h2c", "http://" + plain, &Transport{HTTP2PriorKnowledge: true}},
		{"TLS", "https://" + secure, &Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := tc.tr
			defer tr.CloseIdleConnections()
			resp, body := roundTrip(t, tr, newReq(t, MethodGet, tc.url+"/hello.txt", nil))
			if body != "Hello, World!" || resp.ProtoMajor != 2 {
				t.Fatalf("GET: %q, HTTP/%d", body, resp.ProtoMajor)
			}
			if err := tr.Do(newReq(t, MethodGet, tc.url+"/big.bin", nil), resp); err != nil {
				t.Fatal(err)
			}
			h := sha256.New()
			n, err := io.Copy(h, resp.Body)
			resp.Body.Close()
			want := sha256.Sum256(big)
			if err != nil || n != int64(len(big)) || !bytes.Equal(h.Sum(nil), want[:]) {
				t.Fatalf("download: %d bytes, %v", n, err)
			}
			if err := tr.Do(newReq(t, MethodPost, tc.url+"/echo", bytes.NewReader(big)), resp); err != nil {
				t.Fatal(err)
			}
			h.Reset()
			n, err = io.Copy(h, resp.Body)
			resp.Body.Close()
			if err != nil || n != int64(len(big)) || !bytes.Equal(h.Sum(nil), want[:]) {
				t.Fatalf("upload echoed: %d bytes, %v", n, err)
			}

			var wg sync.WaitGroup
			for range 1000 {
				wg.Go(func() {
					r := &Response{}
					if err := tr.Do(newReq(t, MethodGet, tc.url+"/hello.txt", nil), r); err != nil {
						t.Error(err)
						return
					}
					if b := readClose(t, r); b != "Hello, World!" {
						t.Errorf("body %q", b)
					}
				})
			}
			wg.Wait()
			st := tr.Stats()[0]
			if st.Dials > 10 {
				t.Errorf("%d dials for 1,000 concurrent requests", st.Dials)
			}
			t.Logf("%s: %d connections dialed", tc.name, st.Dials)
		})
	}
}
