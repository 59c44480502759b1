package turbohttp_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"turbohttp"
	"turbohttp/turbotest"
)

// traceLog records the hooks of a ClientTrace as lines.
type traceLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *traceLog) add(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *traceLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := strings.Join(l.lines, "\n")
	l.lines = nil
	return s
}

func (l *traceLog) trace() *turbohttp.ClientTrace {
	return &turbohttp.ClientTrace{
		GetConn: func(hp string) { l.add("GetConn %s", hp) },
		GotConn: func(i turbohttp.GotConnInfo) { l.add("GotConn reused=%v conn=%v", i.Reused, i.Conn != nil) },
		DNSStart: func(i turbohttp.DNSStartInfo) {
			l.add("DNSStart %s", i.Host)
		},
		DNSDone: func(i turbohttp.DNSDoneInfo) { l.add("DNSDone %v %v", i.Addrs, i.Err) },
		ConnectStart: func(network, addr string) {
			l.add("ConnectStart %s", network)
		},
		ConnectDone:       func(network, addr string, err error) { l.add("ConnectDone %v", err) },
		TLSHandshakeStart: func() { l.add("TLSHandshakeStart") },
		TLSHandshakeDone: func(st tls.ConnectionState, err error) {
			l.add("TLSHandshakeDone complete=%v %v", st.HandshakeComplete, err)
		},
		WroteRequest:         func(i turbohttp.WroteRequestInfo) { l.add("WroteRequest %v", i.Err) },
		GotFirstResponseByte: func() { l.add("GotFirstResponseByte") },
	}
}

func tracedGet(t *testing.T, tr *turbohttp.Transport, url string, trace *turbohttp.ClientTrace) {
	t.Helper()
	req, err := turbohttp.NewRequestWithContext(turbohttp.WithClientTrace(context.Background(), trace), "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	var resp turbohttp.Response
	if err := tr.Do(req, &resp); err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// TestClientTrace follows a request through DNS, connect, write and the
// first byte, then a second one on the same, reused connection.
func TestClientTrace(t *testing.T) {
	srv := turbotest.NewServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) { w.WriteString("x") }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	url := "http://localhost:" + port + "/"
	var log traceLog
	tracedGet(t, srv.Transport(), url, log.trace())
	want := strings.Join([]string{
		"GetConn localhost:" + port,
		"DNSStart localhost",
		"DNSDone [{127.0.0.1 }] <nil>",
		"ConnectStart tcp",
		"ConnectDone <nil>",
		"GotConn reused=false conn=true",
		"WroteRequest <nil>",
		"GotFirstResponseByte",
	}, "\n")
	if got := log.take(); got != want {
		t.Errorf("first request:\n%s\nwant:\n%s", got, want)
	}
	tracedGet(t, srv.Transport(), url, log.trace())
	want = strings.Join([]string{
		"GetConn localhost:" + port,
		"GotConn reused=true conn=true",
		"WroteRequest <nil>",
		"GotFirstResponseByte",
	}, "\n")
	if got := log.take(); got != want {
		t.Errorf("second request:\n%s\nwant:\n%s", got, want)
	}
}

func TestClientTraceTLS(t *testing.T) {
	srv := turbotest.NewTLSServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {}))
	defer srv.Close()
	var log traceLog
	tracedGet(t, srv.Transport(), srv.URL+"/", log.trace())
	got := log.take()
	for _, want := range []string{"ConnectStart tcp\nConnectDone <nil>\nTLSHandshakeStart\nTLSHandshakeDone complete=true <nil>\nGotConn reused=false"} {
		if !strings.Contains(got, want) {
			t.Errorf("got:\n%s\nwant it to contain:\n%s", got, want)
		}
	}
	if strings.Contains(got, "DNS") {
		t.Errorf("a DNS lookup for an IP address:\n%s", got)
	}
}

// TestClientTraceCustomDial: with a DialContext, one connect is reported.
func TestClientTraceCustomDial(t *testing.T) {
	srv := turbotest.NewServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {}))
	defer srv.Close()
	var d net.Dialer
	tr := &turbohttp.Transport{DialContext: d.DialContext}
	defer tr.CloseIdleConnections()
	var log traceLog
	tracedGet(t, tr, srv.URL+"/", log.trace())
	if got := log.take(); !strings.Contains(got, "GetConn 127.0.0.1:") || !strings.Contains(got, "ConnectStart tcp\nConnectDone <nil>\nGotConn") {
		t.Errorf("got:\n%s", got)
	}
}

// TestClientTraceUnusedAllocs: an untraced request and one whose context
// holds a trace without hooks allocate alike.
func TestClientTraceUnusedAllocs(t *testing.T) {
	srv := turbotest.NewServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) { w.WriteString("x") }))
	defer srv.Close()
	var tr turbohttp.Transport
	defer tr.CloseIdleConnections()
	measure := func(ctx context.Context) float64 {
		var req turbohttp.Request
		var resp turbohttp.Response
		if err := req.SetURL(srv.URL + "/"); err != nil {
			t.Fatal(err)
		}
		req.SetContext(ctx)
		buf := make([]byte, 64)
		do := func() {
			if err := tr.Do(&req, &resp); err != nil {
				t.Fatal(err)
			}
			for {
				if _, err := resp.Body.Read(buf); err != nil {
					break
				}
			}
			resp.Body.Close()
		}
		do()
		return testing.AllocsPerRun(100, do)
	}
	plain := measure(context.Background())
	traced := measure(turbohttp.WithClientTrace(context.Background(), &turbohttp.ClientTrace{}))
	t.Logf("allocations per request: %v untraced, %v with an empty trace", plain, traced)
	if plain != traced {
		t.Errorf("%v allocations per request untraced, %v with an empty trace", plain, traced)
	}
}
