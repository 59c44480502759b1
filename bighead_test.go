package turbohttp

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// Heads larger than the 4 KiB read buffer move the connection to a larger
// buffer for one request; the connection must go on serving after it, one
// request at a time and pipelined. (A 5 KB URL once crashed the process:
// the large buffer was dropped and the connection loop used it.)

// bigHeads are request heads of every size class up to the limits: long
// targets (up to DefaultMaxRequestTarget) and long fields (a head of up to
// DefaultMaxHeaderBytes).
func bigHeads() []string {
	var heads []string
	for _, n := range []int{4000, 4097, 5000, 8000, DefaultMaxRequestTarget - 1} {
		heads = append(heads, fmt.Sprintf("GET /%s HTTP/1.1\r\nHost: x\r\n\r\n", strings.Repeat("a", n)))
	}
	for _, n := range []int{4 << 10, 5000, 16 << 10, 32 << 10, DefaultMaxHeaderBytes - 100} {
		heads = append(heads, fmt.Sprintf("GET /f HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("b", n)))
	}
	return heads
}

// pathLen answers with the length of the request's path and of its
// header section, and reads the body.
func pathLen(w ResponseWriter, r *Request) {
	body, _ := io.ReadAll(r.Body)
	fmt.Fprintf(w, "%d %d %d", len(r.URL.Path), len(r.Header.Peek("X-Big")), len(body))
}

// wantAnswer reads one response from br and checks its status and body.
func wantAnswer(t *testing.T, br *bufio.Reader, status int, body string) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	got, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != status || body != "" && string(got) != body {
		t.Fatalf("got %d %q (%v), want %d %q", resp.StatusCode, got, err, status, body)
	}
}

// expectedAnswer is what pathLen answers to one of bigHeads.
func expectedAnswer(head string) string {
	path := head[len("GET "):strings.Index(head, " HTTP/1.1")]
	big := 0
	if i := strings.Index(head, "X-Big: "); i >= 0 {
		big = strings.Index(head[i:], "\r\n") - len("X-Big: ")
	}
	return fmt.Sprintf("%d %d 0", len(path), big)
}

func TestServerBigHeadKeepAlive(t *testing.T) {
	noLeaks(t)
	_, addr := startServer(t, HandlerFunc(pathLen))
	c := dialServer(t, addr)
	br := bufio.NewReader(c)
	for _, head := range bigHeads() {
		// each big head is followed on the same connection by a small
		// request and then a POST with a body
		io.WriteString(c, head)
		wantAnswer(t, br, 200, expectedAnswer(head))
		io.WriteString(c, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
		wantAnswer(t, br, 200, "5 0 0")
		io.WriteString(c, "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
		wantAnswer(t, br, 200, "2 0 3")
	}
}

func TestServerBigHeadPipelined(t *testing.T) {
	noLeaks(t)
	_, addr := startServer(t, HandlerFunc(pathLen))
	var in strings.Builder
	var want []string
	for _, head := range bigHeads() {
		in.WriteString(head)
		want = append(want, expectedAnswer(head))
		in.WriteString("POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
		want = append(want, "2 0 3")
	}
	in.WriteString("GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	want = append(want, "5 0 0")
	c := dialServer(t, addr)
	go io.WriteString(c, in.String()) // the server answers while we send
	br := bufio.NewReader(c)
	for _, body := range want {
		wantAnswer(t, br, 200, body)
	}
	if rest, err := io.ReadAll(br); len(rest) > 0 || err != nil {
		t.Fatalf("after the last response: %q, %v", rest, err)
	}
}

// A target over the limit is 414 and the connection closes; a head over
// the limit is 431. The server goes on serving other connections.
func TestServerOverlongHeadClosed(t *testing.T) {
	noLeaks(t)
	_, addr := startServer(t, HandlerFunc(pathLen))
	for _, tc := range []struct {
		head   string
		status int
	}{
		{fmt.Sprintf("GET /%s HTTP/1.1\r\nHost: x\r\n\r\n", strings.Repeat("a", 9<<10)), 414},
		{fmt.Sprintf("GET / HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("b", DefaultMaxHeaderBytes)), 431},
	} {
		c := dialServer(t, addr)
		go io.WriteString(c, tc.head+"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		wantAnswer(t, br, tc.status, "")
		if rest, err := io.ReadAll(br); len(rest) > 0 || err != nil {
			t.Fatalf("after the %d: %q, %v; want the connection closed", tc.status, rest, err)
		}
		c2 := dialServer(t, addr)
		io.WriteString(c2, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
		wantAnswer(t, bufio.NewReader(c2), 200, "3 0 0")
	}
}

// The client's side of the same: response heads larger than its 4 KiB
// read buffer grow it, up to MaxResponseHeaderBytes, and the connection
// goes on serving the next exchange.
func TestTransportBigResponseHeads(t *testing.T) {
	noLeaks(t)
	addr, conns := tpServer(t, func(w ResponseWriter, r *Request) {
		n, _ := strconv.Atoi(string(r.URL.Path[1:]))
		w.Header().Set("X-Big", strings.Repeat("b", n))
		w.WriteString("ok")
	})
	var tr Transport
	defer tr.CloseIdleConnections()
	for _, n := range []int{100, 4000, 5000, 16 << 10, 40 << 10, 100, DefaultMaxResponseHeaderBytes - 200, 100} {
		req := newReq(t, "GET", fmt.Sprintf("http://%s/%d", addr, n), nil)
		resp, body := roundTrip(t, &tr, req)
		if resp.StatusCode != 200 || body != "ok" || len(resp.Header.Peek("X-Big")) != n {
			t.Fatalf("X-Big of %d: %d %q, %d bytes", n, resp.StatusCode, body, len(resp.Header.Peek("X-Big")))
		}
	}
	if c := conns.count(); c != 1 {
		t.Errorf("%d connections, want 1", c)
	}
}
