package turbohttp

import (
	"bytes"
	"io"
	"testing"
)

// A server that answers a large upload early (413) and closes without
// reading the rest: the client returns that answer, not the failed write.
func TestTransportEarlyResponseToUpload(t *testing.T) {
	_, addr := startServer(t, HandlerFunc(func(w ResponseWriter, r *Request) {
		w.WriteHeader(StatusContentTooLarge)
		w.WriteString("too large\n")
	}))
	var tr Transport
	defer tr.CloseIdleConnections()
	for i := 0; i < 3; i++ {
		var req Request
		req.Method = MethodPost
		if err := req.SetURL("http://" + addr + "/upload"); err != nil {
			t.Fatal(err)
		}
		body := bytes.Repeat([]byte("x"), 32<<20)
		req.Body = bytes.NewReader(body)
		req.ContentLength = int64(len(body))
		var resp Response
		if err := tr.Do(&req, &resp); err != nil {
			t.Fatalf("upload %d: %v", i, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != StatusContentTooLarge || string(got) != "too large\n" {
			t.Errorf("upload %d: %d %q", i, resp.StatusCode, got)
		}
	}
}
