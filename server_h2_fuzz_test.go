package turbohttp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"turbohttp/h2"
	"turbohttp/hpack"
)

// FuzzServerH2Conn drives the whole HTTP/2 connection of the server — the
// h2c preface detection, the reader, the engine, the workers and their
// handlers, the response writer, flow control, backpressure and the
// writer — with arbitrary bytes after the client preface, delivered in
// arbitrary splits and pauses over net.Pipe in a synctest bubble, so that
// timeouts fire in fake time. It asserts:
//   - no panic anywhere (one would be logged at error level, which fails
//     the test through panicLog);
//   - no goroutine left behind (the bubble must end with every goroutine
//     done, within the idle timeout after the input ends);
//   - every byte the server writes parses as HTTP/2 frames, starting with
//     its SETTINGS, and every header block decodes with HPACK;
//   - memory: what one connection allocates is bounded by a constant plus
//     a multiple of its input.
func FuzzServerH2Conn(f *testing.F) {
	for _, s := range h2FuzzSeeds() {
		f.Add(s, []byte{0x7f})
		f.Add(s, []byte{3, 0x85, 17, 9})
	}
	f.Fuzz(func(t *testing.T, input, splits []byte) {
		if len(input) > 128<<10 {
			return
		}
		var before, after runtime.MemStats
		var wrote int
		runtime.ReadMemStats(&before)
		synctest.Test(t, func(t *testing.T) { wrote = runH2ServerConn(t, input, splits) })
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20+32*uint64(len(input))+4*uint64(wrote) {
			t.Errorf("a connection fed %d bytes and writing %d allocated %d bytes", len(input), wrote, alloc)
		}
	})
}

// h2FuzzSeeds are frame sequences that reach the server's paths: requests
// with and without bodies, each handler mode, trailers, resets, flow
// control, settings, pings, shutdown by GOAWAY and malformed frames.
func h2FuzzSeeds() [][]byte {
	enc := hpack.NewEncoder()
	block := func(kv ...string) []byte {
		var b []byte
		for i := 0; i+1 < len(kv); i += 2 {
			b = enc.AppendFieldString(b, kv[i], kv[i+1], false)
		}
		return b
	}
	headers := func(b []byte, id uint32, end bool, kv ...string) []byte {
		return h2.AppendHeaders(b, h2.HeadersParams{StreamID: id, BlockFragment: block(kv...), EndStream: end, EndHeaders: true})
	}
	settings := h2.AppendSettings(nil, h2.Setting{ID: h2.SettingInitialWindowSize, Val: 1 << 20})
	settings = h2.AppendSettingsAck(settings)
	var seeds [][]byte
	for _, mode := range []string{"/d", "/c", "/l", "/s", "/b", "/i", "/f", "/u", "/a", "/e"} {
		b := headers(bytes.Clone(settings), 1, true, getReq(mode)...)
		b = headers(b, 3, false, postReq(mode, "content-length", "5")...)
		b = h2.AppendData(b, 3, true, []byte("hello"))
		seeds = append(seeds, b)
	}
	b := headers(bytes.Clone(settings), 1, false, postReq("/c")...)
	b = h2.AppendData(b, 1, false, []byte("part"))
	b = headers(b, 1, true, "x-trailer", "t")
	b = headers(b, 3, false, postReq("/u", "expect", "100-continue")...)
	b = h2.AppendRSTStream(b, 3, h2.ErrCodeCancel)
	b = h2.AppendWindowUpdate(b, 0, 1000)
	b = h2.AppendPing(b, false, [8]byte{1})
	b = h2.AppendPriority(b, 5, h2.PriorityParam{StreamDep: 1, Weight: 3})
	b = h2.AppendGoAway(b, 0, h2.ErrCodeNo, nil)
	seeds = append(seeds, b)
	seeds = append(seeds, h2.AppendFrame(bytes.Clone(settings), h2.FrameData, 0, 0, []byte("x")))
	seeds = append(seeds, h2.AppendContinuation(headers(bytes.Clone(settings), 1, true, getReq("/")...), 1, true, nil))
	return seeds
}

// fuzzH2Handler answers in a way chosen by the path's second byte, so
// that the fuzzer reaches every writer path.
func fuzzH2Handler(w ResponseWriter, r *Request) {
	var mode byte
	if len(r.URL.Path) > 1 {
		mode = r.URL.Path[1]
	}
	if mode != 'u' {
		io.Copy(io.Discard, r.Body)
	}
	switch mode {
	case 'c': // streamed, with trailers
		w.WriteString("first")
		w.Flush()
		w.Write(bytes.Repeat([]byte("x"), 40000))
		w.Trailer().Set("X-Sum", "42")
	case 'l':
		w.Header().Set("Content-Length", "5")
		w.WriteString("hello")
	case 's': // a declared length, short: the stream is reset
		w.Header().Set("Content-Length", "10")
		w.WriteString("short")
	case 'b':
		w.Write(bytes.Repeat([]byte("y"), 100000))
	case 'i':
		w.WriteHeader(StatusEarlyHints)
		w.WriteHeader(StatusNoContent)
	case 'f': // a field HTTP/2 cannot carry, and one it must not
		w.Header().Set("Connection", "close")
		w.Header().Set("Bad Name", "x")
		w.WriteString("f")
	case 'a':
		panic(ErrAbortHandler)
	case 'e':
		<-r.Context().Done() // until the stream or the connection ends
	default:
		w.WriteString(r.Method)
	}
}

// runH2ServerConn serves one h2c connection fed the preface, then input,
// and checks what it wrote. splits gives the sizes of the client's writes
// (1-128 bytes) and, with the top bit set, a pause before the write.
func runH2ServerConn(t *testing.T, input, splits []byte) (wrote int) {
	_, ln := h2cMemServer(t, HandlerFunc(fuzzH2Handler), func(s *Server) {
		s.ErrorLog = slog.New(h2FuzzLog{t})
		s.IdleTimeout = 5 * time.Second
		s.ReadTimeout = 20 * time.Second // a body that never comes must end
		s.HTTP2 = &HTTP2Config{MaxConcurrentStreams: 8, MaxReceiveBufferPerStream: 32 << 10, MaxReceiveBufferPerConnection: 64 << 10}
	})
	c := ln.dial(t)
	written := make(chan struct{})
	go func() {
		defer close(written)
		if _, err := io.WriteString(c, h2.ClientPreface); err != nil {
			return
		}
		for i := 0; len(input) > 0; i++ {
			n, pause := 1, time.Duration(0)
			if len(splits) > 0 {
				s := splits[i%len(splits)]
				n = int(s&0x7f) + 1
				if s&0x80 != 0 {
					pause = time.Duration(s&0x7f) * 100 * time.Millisecond
				}
			}
			time.Sleep(pause)
			n = min(n, len(input))
			if _, err := c.Write(input[:n]); err != nil {
				return
			}
			input = input[n:]
		}
		// a client that keeps a stream open (a handler waiting for it to
		// end) goes away in the end
		time.Sleep(time.Minute)
		c.Close()
	}()
	wrote = checkH2Output(t, c)
	c.Close()
	<-written
	return wrote
}

// checkH2Output reads the server's frames until the connection ends and
// checks that they are valid: SETTINGS first, frames the codec accepts,
// header blocks that decode. It returns the bytes read.
func checkH2Output(t *testing.T, c net.Conn) int {
	cr := &countingReader{r: c}
	fr := h2.NewFramer(cr, nil)
	fr.SetMaxReadFrameSize(h2.DefaultMaxFrameSize)
	dec := hpack.NewDecoder()
	for i := 0; ; i++ {
		f, err := fr.ReadFrame()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) {
				t.Errorf("server output: %v", err)
			}
			io.Copy(io.Discard, c)
			return cr.n
		}
		if sf, ok := f.(*h2.SettingsFrame); i == 0 && (!ok || sf.IsAck()) {
			t.Errorf("first frame %v, want SETTINGS", f.Header())
		}
		if hf, ok := f.(*h2.HeadersFrame); ok {
			if err := dec.Decode(hf.HeaderBlock(), func([]byte, []byte, bool) error { return nil }); err != nil {
				t.Errorf("server header block: %v", err)
			}
		}
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// h2FuzzLog fails the test on anything the server logs at error level
// but the fields a handler set that HTTP/2 cannot carry.
type h2FuzzLog struct{ t *testing.T }

func (l h2FuzzLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelError }
func (l h2FuzzLog) WithAttrs([]slog.Attr) slog.Handler            { return l }
func (l h2FuzzLog) WithGroup(string) slog.Handler                 { return l }
func (l h2FuzzLog) Handle(_ context.Context, r slog.Record) error {
	if !strings.Contains(r.Message, "response field not sent") {
		var msg strings.Builder
		r.Attrs(func(a slog.Attr) bool {
			msg.WriteString(a.Key + "=" + a.Value.String() + " ")
			return true
		})
		l.t.Errorf("server logged %q: %s", r.Message, msg.String())
	}
	return nil
}
