package turbohttp

import (
	"bufio"
	"net"
	"testing"
)

// A CONNECT request names its tunnel's target in Host when Host is set; the
// URL then names the proxy that is dialed (as with net/http).
func TestTransportConnectTarget(t *testing.T) {
	lines := make(chan string, 2)
	rs := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		line, _ := br.ReadString('\n')
		lines <- line
		for {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		c.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	})
	var tr Transport
	defer tr.CloseIdleConnections()
	for _, host := range []string{"", "target.example:443"} {
		var req Request
		req.Method = MethodConnect
		if err := req.SetURL("http://" + rs.addr); err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = []byte(host)
		}
		var resp Response
		if err := tr.Do(&req, &resp); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := host
		if want == "" {
			want = rs.addr
		}
		if got := <-lines; got != "CONNECT "+want+" HTTP/1.1\r\n" {
			t.Errorf("request line %q, want target %s", got, want)
		}
	}
}
