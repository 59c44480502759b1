package turbohttp

import (
	"strings"
	"sync/atomic"
	"testing"
)

// TestServerRejectsBadInput: every error class the codec reports is
// answered with its status and Connection: close, the connection closes,
// nothing of the input is echoed, and the handler never runs.
func TestServerRejectsBadInput(t *testing.T) {
	var ran atomic.Int32
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) { ran.Add(1) }))
	long := strings.Repeat("a", DefaultMaxRequestTarget+1)
	many := strings.Repeat("X-F: v\r\n", DefaultMaxHeaderFields+1)
	big := "X-Big: " + strings.Repeat("b", DefaultMaxHeaderBytes) + "\r\n"
	for _, tc := range []struct {
		name, in string
		status   string
	}{
		{"garbage request line", "EVIL\r\n\r\n", "400"},
		{"duplicate Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "400"},
		{"Content-Length with Transfer-Encoding", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400"},
		{"Transfer-Encoding on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400"},
		{"unknown transfer coding before chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: evil, chunked\r\n\r\n0\r\n\r\n", "501"},
		{"chunked not last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: evil\r\n\r\n", "400"},
		{"obfuscated chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", "400"},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", "400"},
		{"bare CR in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", "400"},
		{"whitespace before colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A : a\r\n\r\n", "400"},
		{"NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", "400"},
		{"missing Host", "GET / HTTP/1.1\r\n\r\n", "400"},
		{"repeated Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400"},
		{"target too long", "GET /" + long + " HTTP/1.1\r\nHost: x\r\n\r\n", "414"},
		{"too many fields", "GET / HTTP/1.1\r\nHost: x\r\n" + many + "\r\n", "431"},
		{"head too large", "GET / HTTP/1.1\r\nHost: x\r\n" + big + "\r\n", "431"},
		{"HTTP/2.0 version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", "505"},
		{"unsupported expectation", "POST / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\na", "417"},
		{"bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x1\r\na\r\n0\r\n\r\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := ran.Load()
			out := rawExchange(t, addr, tc.in)
			if tc.status == "" {
				// The head was fine and the handler ran; the broken body
				// must still close the connection rather than desync it.
				if !strings.HasPrefix(out, "HTTP/1.1 200 ") || strings.Count(out, "HTTP/1.1") != 1 {
					t.Fatalf("got %q", out)
				}
				return
			}
			if !strings.HasPrefix(out, "HTTP/1.1 "+tc.status+" ") {
				t.Fatalf("got %q, want status %s", first(out), tc.status)
			}
			if !strings.Contains(out, "\r\nConnection: close\r\n") {
				t.Errorf("no Connection: close in %q", first(out))
			}
			if ran.Load() != before {
				t.Errorf("the handler ran")
			}
			if strings.Contains(out, "evil") || strings.Contains(out, "teapot") || strings.Contains(out, "aaaa") {
				t.Errorf("the reply echoes the request: %q", first(out))
			}
		})
	}
}

func first(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
