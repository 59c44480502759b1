package turbohttp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"turbohttp/h1"
)

// Full-duplex exchanges against scripted peers over net.Pipe, in synctest
// bubbles: time is fake, and a goroutine left behind (the body writer
// among them) fails the test when the bubble ends.

// pipePeer returns a Transport whose every dial is served by serve on the
// other end of a net.Pipe, in its own goroutine; serve must return once
// the connection is closed. dials counts the dials.
func pipePeer(t *testing.T, serve func(c net.Conn, br *bufio.Reader)) (*Transport, *int) {
	dials := new(int)
	tr := &Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		*dials++
		client, server := net.Pipe()
		go func() {
			defer server.Close()
			serve(server, bufio.NewReader(server))
		}()
		return client, nil
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return tr, dials
}

// readHeadLen reads a request head and returns its Content-Length (-1 for
// chunked or none).
func readHeadLen(br *bufio.Reader) int64 {
	head := readRequestHead(br)
	if v := headValue(head, "Content-Length"); v != "" {
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return -1
}

// failingReader yields n bytes, then err.
type failingReader struct {
	n   int
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	k := min(len(p), f.n)
	f.n -= k
	return k, nil
}

var errSource = errors.New("body source failed")

func postBody(t *testing.T, tr *Transport, body io.Reader, n int64) (*Response, error) {
	t.Helper()
	req := newReq(t, MethodPost, "http://peer/up", nil)
	req.Body, req.ContentLength = body, n
	resp := &Response{}
	return resp, tr.Do(req, resp)
}

// TestDuplexBodySourceError: the body's own Read fails mid-upload while
// the server waits for the rest: the exchange is cut off and Do says the
// writing side failed, with the body's error.
func TestDuplexBodySourceError(t *testing.T) {
	for _, n := range []int64{1 << 20, -1} {
		t.Run(strconv.FormatInt(n, 10), func(t *testing.T) {
			runBubble(t, func(t *testing.T) {
				tr, _ := pipePeer(t, func(c net.Conn, br *bufio.Reader) { io.Copy(io.Discard, br) })
				_, err := postBody(t, tr, &failingReader{n: 200 << 10, err: errSource}, n)
				var we *RequestWriteError
				if !errors.As(err, &we) || !errors.Is(err, errSource) {
					t.Fatalf("got %v, want a *RequestWriteError with the body's error", err)
				}
				wantNoConns(t, tr, "peer:80")
			})
		})
	}
}

// TestDuplexBodyLength: a streamed body shorter than its ContentLength is
// ErrBodyLength, from the writing side.
func TestDuplexBodyLength(t *testing.T) {
	runBubble(t, func(t *testing.T) {
		tr, _ := pipePeer(t, func(c net.Conn, br *bufio.Reader) { io.Copy(io.Discard, br) })
		_, err := postBody(t, tr, strings.NewReader(strings.Repeat("x", 70<<10)), 100<<10)
		var we *RequestWriteError
		if !errors.As(err, &we) || !errors.Is(err, ErrBodyLength) {
			t.Fatalf("got %v", err)
		}
	})
}

// TestDuplexMalformedResponseStopsUpload: the server sends a malformed head
// while it still reads the body: the reading side failed, and the upload
// is stopped (its goroutine ends; synctest checks).
func TestDuplexMalformedResponseStopsUpload(t *testing.T) {
	runBubble(t, func(t *testing.T) {
		tr, _ := pipePeer(t, func(c net.Conn, br *bufio.Reader) {
			readRequestHead(br)
			io.WriteString(c, "HTTP/1.1 600 Nope\r\n\r\n")
			io.Copy(io.Discard, br)
		})
		_, err := postBody(t, tr, endlessReader{}, 1<<40)
		if !errors.Is(err, h1.ErrBadStatusCode) {
			t.Fatalf("got %v", err)
		}
		wantNoConns(t, tr, "peer:80")
	})
}

// TestDuplexSourceErrorAfterHead: the server answers 200 at once and echoes;
// the body fails later: reading the response body reports the writing
// side's error.
func TestDuplexSourceErrorAfterHead(t *testing.T) {
	runBubble(t, func(t *testing.T) {
		tr, _ := pipePeer(t, func(c net.Conn, br *bufio.Reader) {
			readRequestHead(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
			buf := make([]byte, 8<<10)
			for {
				n, err := br.Read(buf)
				if err != nil {
					return
				}
				if _, err := io.WriteString(c, strconv.FormatInt(int64(n), 16)+"\r\n"+string(buf[:n])+"\r\n"); err != nil {
					return
				}
			}
		})
		resp, err := postBody(t, tr, &failingReader{n: 1 << 20, err: errSource}, 4<<20)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.(io.Closer).Close()
		var we *RequestWriteError
		if !errors.As(err, &we) || !errors.Is(err, errSource) {
			t.Fatalf("body read: %v", err)
		}
		wantNoConns(t, tr, "peer:80")
	})
}

// TestDuplexResponseHeaderTimeoutAfterUpload: ResponseHeaderTimeout counts
// from the end of the upload, not from its start.
func TestDuplexResponseHeaderTimeoutAfterUpload(t *testing.T) {
	runBubble(t, func(t *testing.T) {
		tr, _ := pipePeer(t, func(c net.Conn, br *bufio.Reader) {
			readRequestHead(br)
			buf := make([]byte, 64<<10)
			for range 16 { // read slowly: 1 MiB takes 16 s
				time.Sleep(time.Second)
				if _, err := io.ReadFull(br, buf); err != nil {
					return
				}
			}
			io.Copy(io.Discard, br) // and never answer
		})
		tr.ResponseHeaderTimeout = 2 * time.Second
		start := time.Now()
		_, err := postBody(t, tr, strings.NewReader(strings.Repeat("x", 1<<20)), 1<<20)
		if !errors.Is(err, ErrResponseHeaderTimeout) {
			t.Fatalf("got %v", err)
		}
		if d := time.Since(start); d != 18*time.Second {
			t.Fatalf("timed out after %v, want the upload's 16 s plus 2 s", d)
		}
	})
}

// TestDuplexUnfinishedUploadNotReused: a 200 that ends while the upload is
// still going (the server never reads it): the response is read in full,
// the upload stops after uploadWaitBeforeReuse, and the connection is not
// reused.
func TestDuplexUnfinishedUploadNotReused(t *testing.T) {
	runBubble(t, func(t *testing.T) {
		tr, dials := pipePeer(t, func(c net.Conn, br *bufio.Reader) {
			readRequestHead(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			<-t.Context().Done()
		})
		start := time.Now()
		resp, err := postBody(t, tr, endlessReader{}, 1<<40)
		if err != nil {
			t.Fatal(err)
		}
		if b := readClose(t, resp); b != "ok" {
			t.Fatalf("body %q", b)
		}
		if d := time.Since(start); d != uploadWaitBeforeReuse {
			t.Errorf("body ended after %v, want %v", d, uploadWaitBeforeReuse)
		}
		if s := tr.HostStats("peer:80"); s.Open != 0 || *dials != 1 {
			t.Fatalf("stats %+v", s)
		}
	})
}

// TestDuplexEchoReuses: when both directions end cleanly the connection is
// reused.
func TestDuplexEchoReuses(t *testing.T) {
	runBubble(t, func(t *testing.T) {
		pn := newMemListener()
		stop := sideServers[1].serve(pn, fullDuplexEcho)
		defer stop()
		tr := &Transport{DialContext: pn.DialContext}
		defer tr.CloseIdleConnections()
		for range 3 {
			resp, err := postBody(t, tr, &patternReader{n: 1 << 20}, -1)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := checkPattern(resp.Body, nil); err != nil || n != 1<<20 {
				t.Fatal(n, err)
			}
			resp.Body.(io.Closer).Close()
		}
		if s := tr.HostStats("peer:80"); s.Dials != 1 || s.Reuses != 2 {
			t.Fatalf("stats %+v", s)
		}
	})
}

// TestDuplexCancel: cancelling a full-duplex exchange while the response
// body is read ends both directions (synctest sees no goroutine left).
func TestDuplexCancel(t *testing.T) {
	runBubble(t, func(t *testing.T) {
		tr, _ := pipePeer(t, func(c net.Conn, br *bufio.Reader) {
			readRequestHead(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
			io.Copy(io.Discard, br)
		})
		ctx, cancel := context.WithCancel(context.Background())
		req := newReq(t, MethodPut, "http://peer/", nil)
		req.Body, req.ContentLength = endlessReader{}, 1<<40
		req.SetContext(ctx)
		resp := &Response{}
		if err := tr.Do(req, resp); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(resp.Body, make([]byte, 3)); err != nil {
			t.Fatal(err)
		}
		cancel() // while the upload goes on and the rest of the body is awaited
		_, err := io.ReadAll(resp.Body)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
		resp.Body.(io.Closer).Close()
		wantNoConns(t, tr, "peer:80")
	})
}

// TestDuplexExpectContinue: a streamed body waits for 100 Continue as an
// inline one does, then goes full duplex.
func TestDuplexExpectContinue(t *testing.T) {
	runBubble(t, func(t *testing.T) {
		tr, _ := pipePeer(t, func(c net.Conn, br *bufio.Reader) {
			n := readHeadLen(br)
			io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: "+strconv.FormatInt(n, 10)+"\r\n\r\n")
			io.CopyN(c, br, n)
			<-t.Context().Done()
		})
		req := newReq(t, MethodPut, "http://peer/", nil)
		req.Header.Set("Expect", "100-continue")
		req.Body, req.ContentLength = &patternReader{n: 8 << 20}, 8<<20
		resp := &Response{}
		if err := tr.Do(req, resp); err != nil {
			t.Fatal(err)
		}
		if n, err := checkPattern(resp.Body, nil); err != nil || n != 8<<20 {
			t.Fatal(n, err)
		}
		resp.Body.(io.Closer).Close()
		tr.CloseIdleConnections()
	})
}

// TestDuplexSmallBodyInline: a small body of known length is written
// inline: a server that answers only after reading the whole body works,
// and nothing streams.
func TestDuplexSmallBodyInline(t *testing.T) {
	if streamsBody(maxInlineBody) || !streamsBody(maxInlineBody+1) || !streamsBody(h1.Chunked) || streamsBody(0) {
		t.Fatal("streamsBody disagrees with maxInlineBody")
	}
	runBubble(t, func(t *testing.T) {
		tr, _ := pipePeer(t, func(c net.Conn, br *bufio.Reader) {
			for {
				n := readHeadLen(br)
				if n < 0 {
					return
				}
				io.CopyN(io.Discard, br, n)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
		})
		for range 2 {
			resp, err := postBody(t, tr, strings.NewReader(strings.Repeat("x", maxInlineBody)), maxInlineBody)
			if err != nil {
				t.Fatal(err)
			}
			readClose(t, resp)
		}
		if s := tr.HostStats("peer:80"); s.Dials != 1 || s.Reuses != 1 {
			t.Fatalf("stats %+v", s)
		}
	})
}

// emptyReader returns no bytes and no error, forever.
type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

// TestBodyNoProgress: a body whose Read keeps returning nothing fails
// after maxEmptyReads reads with io.ErrNoProgress, inline and streamed.
func TestBodyNoProgress(t *testing.T) {
	for _, n := range []int64{10, 1 << 20} {
		t.Run(strconv.FormatInt(n, 10), func(t *testing.T) {
			runBubble(t, func(t *testing.T) {
				tr, _ := pipePeer(t, func(c net.Conn, br *bufio.Reader) { io.Copy(io.Discard, br) })
				_, err := postBody(t, tr, emptyReader{}, n)
				var we *RequestWriteError
				if !errors.As(err, &we) || !errors.Is(err, io.ErrNoProgress) {
					t.Fatalf("got %v", err)
				}
			})
		})
	}
}
