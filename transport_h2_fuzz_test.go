package turbohttp

import (
	"io"
	"testing"
	"testing/synctest"
	"time"

	"turbohttp/h2"
	"turbohttp/hpack"
)

// FuzzH2ClientConn feeds arbitrary bytes, as the server's frames after its
// SETTINGS, to a client connection carrying a request, then ends the
// connection: the request ends with a response or an error, never a
// panic or a hang, and no goroutine is left (synctest checks it).
func FuzzH2ClientConn(f *testing.F) {
	enc := hpack.NewEncoder()
	block := enc.AppendFieldString(nil, ":status", "200", false)
	ok := h2.AppendHeaders(nil, h2.HeadersParams{StreamID: 1, BlockFragment: block, EndHeaders: true})
	ok = h2.AppendData(ok, 1, true, []byte("hello"))
	f.Add(ok)
	f.Add(h2.AppendRSTStream(nil, 1, h2.ErrCodeRefusedStream))
	f.Add(h2.AppendGoAway(nil, 0, h2.ErrCodeNo, nil))
	f.Add(append(h2.AppendPing(nil, false, [8]byte{1}), ok...))
	f.Add(h2.AppendHeaders(nil, h2.HeadersParams{StreamID: 1, BlockFragment: []byte{0xff, 0xff, 0xff}, EndHeaders: true}))
	f.Fuzz(func(t *testing.T, data []byte) {
		synctest.Test(t, func(t *testing.T) {
			tr, peers := h2PeerTransport(t)
			tr.ResponseHeaderTimeout = time.Second
			defer tr.CloseIdleConnections()
			res := make(chan error, 1)
			go func() {
				resp := &Response{}
				err := tr.Do(newReq(t, MethodGet, "http://peer/", nil), resp)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				res <- err
			}()
			p := <-peers
			p.want(h2.FrameHeaders)
			p.write(data)
			p.c.Close()
			<-res
			for range p.frames {
			}
		})
	})
}
