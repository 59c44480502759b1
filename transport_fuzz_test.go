package turbohttp

import (
	"bufio"
	"context"
	"io"
	"net"
	"testing"
)

// FuzzTransportResponse feeds arbitrary bytes to the client as the
// server's answer to a GET and a HEAD: it must return a response or an
// error, never panic or hang, and a response it accepts must be sane.
func FuzzTransportResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nclose-delimited",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc",
		"HTTP/1.1 101 Switching Protocols\r\n\r\n",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		tr := &Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, s := net.Pipe()
			go func() {
				defer s.Close()
				readRequestHead(bufio.NewReader(s))
				s.Write(data)
			}()
			return c, nil
		}}
		defer tr.CloseIdleConnections()
		m := MethodGet
		if head {
			m = MethodHead
		}
		req := newReq(t, m, "http://fuzz.example/", nil)
		resp := &Response{}
		if err := tr.Do(req, resp); err != nil {
			return
		}
		if resp.StatusCode < 100 || resp.StatusCode > 999 || resp.Body == nil {
			t.Fatalf("accepted status %d, body %v", resp.StatusCode, resp.Body)
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		if head && n > 0 {
			t.Fatalf("HEAD response with %d body bytes", n)
		}
		resp.Body.Close()
	})
}

// FuzzParseSetCookie: any Set-Cookie value parses or is refused without
// panicking; an accepted cookie has a token name.
func FuzzParseSetCookie(f *testing.F) {
	for _, s := range []string{
		"id=a3fWa; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Secure; HttpOnly",
		`sid="quoted"; Path=/; Domain=.example.com; Max-Age=0; SameSite=Lax`,
		"=novalue", "noequals", "a=b;;;=;Max-Age=-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseSetCookie(s)
		if err != nil {
			return
		}
		if !ValidFieldName(c.Name) {
			t.Fatalf("accepted name %q", c.Name)
		}
	})
}
