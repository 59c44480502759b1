package h2

import (
	"bytes"
	"io"
	"testing"

	"golang.org/x/net/http2"
)

// The mixed stream of frames of the allocation tests and benchmarks: what
// a connection carries in steady state.
var (
	mixedBlock = bytes.Repeat([]byte("\x82\x86\x84\x41\x8a\x08\x9d\x5c\x0b\x81\x70\xdc\x78\x0f\x03"), 14) // 210 bytes
	mixedData  = bytes.Repeat([]byte("0123456789abcdef"), 64)                                             // 1 KiB
	mixedBig   = bytes.Repeat([]byte("x"), 8192)
	mixedPing  = [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
)

// mixedWireFrames is the number of frames on the wire in appendMixed.
const mixedWireFrames = 10

// appendMixed appends one round of the mixed stream: SETTINGS, HEADERS with
// two CONTINUATIONs, two DATA, PING, two WINDOW_UPDATEs, HEADERS.
func appendMixed(b []byte) []byte {
	b = AppendSettings(b, Setting{SettingMaxConcurrentStreams, 100}, Setting{SettingInitialWindowSize, 1 << 20},
		Setting{SettingMaxFrameSize, 1 << 14})
	b = AppendHeaders(b, HeadersParams{StreamID: 1, BlockFragment: mixedBlock[:100]})
	b = AppendContinuation(b, 1, false, mixedBlock[100:160])
	b = AppendContinuation(b, 1, true, mixedBlock[160:])
	b = AppendData(b, 1, false, mixedData)
	b = AppendData(b, 1, true, mixedBig)
	b = AppendPing(b, false, mixedPing)
	b = AppendWindowUpdate(b, 0, 1<<16)
	b = AppendWindowUpdate(b, 1, 1<<16)
	return AppendHeaders(b, HeadersParams{StreamID: 3, BlockFragment: mixedBlock[:20], EndStream: true, EndHeaders: true})
}

// xwriteMixed writes the same round with x/net's Framer.
func xwriteMixed(xf *http2.Framer) {
	xf.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 100},
		http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 20}, http2.Setting{ID: http2.SettingMaxFrameSize, Val: 1 << 14})
	xf.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: mixedBlock[:100]})
	xf.WriteContinuation(1, false, mixedBlock[100:160])
	xf.WriteContinuation(1, true, mixedBlock[160:])
	xf.WriteData(1, false, mixedData)
	xf.WriteData(1, true, mixedBig)
	xf.WritePing(false, mixedPing)
	xf.WriteWindowUpdate(0, 1<<16)
	xf.WriteWindowUpdate(1, 1<<16)
	xf.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: mixedBlock[:20], EndStream: true, EndHeaders: true})
}

// readMixed reads one round of the mixed stream (8 frames once HEADERS and
// CONTINUATIONs are joined) and checks it.
func readMixed(fr *Framer) bool {
	ok := true
	for range 8 {
		f, err := fr.ReadFrame()
		if err != nil {
			return false
		}
		switch f := f.(type) {
		case *HeadersFrame:
			want := mixedBlock
			if f.StreamID == 3 {
				want = mixedBlock[:20]
			}
			ok = ok && bytes.Equal(f.HeaderBlock(), want)
		case *DataFrame:
			ok = ok && len(f.Data()) > 0
		}
	}
	return ok
}

func TestReadAllocs(t *testing.T) {
	fr := NewFramer(&loopReader{data: appendMixed(nil), chunk: 64 << 10}, nil)
	for range 3 { // warm up: buffers reach their size
		if !readMixed(fr) {
			t.Fatal("mixed stream read wrong")
		}
	}
	ok := true
	if n := testing.AllocsPerRun(100, func() { ok = readMixed(fr) && ok }); n != 0 {
		t.Errorf("reading a mixed stream: %v allocations per round, want 0", n)
	}
	if !ok {
		t.Error("mixed stream read wrong")
	}
}

func TestWriteAllocs(t *testing.T) {
	var out countWriter
	fr := NewFramer(nil, &out)
	write := func() {
		fr.WBuf = appendMixed(fr.WBuf)
		fr.WBuf = AppendHeaderBlock(fr.WBuf, HeadersParams{StreamID: 5, BlockFragment: mixedBlock, EndStream: true}, 100)
		fr.WBuf = AppendRSTStream(fr.WBuf, 5, ErrCodeCancel)
		fr.WBuf = AppendGoAway(fr.WBuf, 5, ErrCodeNo, nil)
		if err := fr.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	write() // warm up: WBuf reaches its size
	if n := testing.AllocsPerRun(100, write); n != 0 {
		t.Errorf("writing a mixed stream: %v allocations per round, want 0", n)
	}
	if want := 102 * len(appendMixed(nil)); out.n < want || out.writes != 102 {
		t.Errorf("wrote %d bytes in %d Writes, want more than %d in 102", out.n, out.writes, want)
	}
}

// countWriter counts what is written to it.
type countWriter struct{ n, writes int }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	w.writes++
	return len(p), nil
}

// reportCPU reports the process CPU time per op (cpu-ns/op) of the
// benchmark loop that runs between its call and the call of the function
// it returns: on a shared machine wall time (ns/op) includes the time the
// benchmark waited for a core, CPU time does not.
func reportCPU(b *testing.B) func() {
	start, ok := processCPU()
	return func() {
		end, _ := processCPU()
		if ok && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// BenchmarkReadFrame reads the mixed stream; an op is one round of
// mixedWireFrames frames, read by our Framer and by x/net's.
func BenchmarkReadFrame(b *testing.B) {
	wire := appendMixed(nil)
	b.Run("turbohttp", func(b *testing.B) {
		fr := NewFramer(&loopReader{data: wire, chunk: 64 << 10}, nil)
		b.SetBytes(int64(len(wire)))
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			if !readMixed(fr) {
				b.Fatal("mixed stream read wrong")
			}
		}
	})
	b.Run("x-net", func(b *testing.B) {
		xf := http2.NewFramer(nil, &loopReader{data: wire, chunk: 64 << 10})
		b.SetBytes(int64(len(wire)))
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			for range mixedWireFrames {
				if _, err := xf.ReadFrame(); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkWriteFrame writes the mixed stream; an op is one round of
// mixedWireFrames frames: ours appended to WBuf and flushed with one Write,
// x/net's with one Write per frame, as its API does.
func BenchmarkWriteFrame(b *testing.B) {
	size := int64(len(appendMixed(nil)))
	b.Run("turbohttp", func(b *testing.B) {
		fr := NewFramer(nil, io.Discard)
		b.SetBytes(size)
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			fr.WBuf = appendMixed(fr.WBuf)
			fr.Flush()
		}
	})
	b.Run("x-net", func(b *testing.B) {
		xf := http2.NewFramer(io.Discard, nil)
		b.SetBytes(size)
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			xwriteMixed(xf)
		}
	})
}

// TestReadCoalesces checks that many small frames come with one Read.
func TestReadCoalesces(t *testing.T) {
	var wire []byte
	for range 100 {
		wire = AppendPing(wire, false, mixedPing)
	}
	r := &countReader{r: bytes.NewReader(wire)}
	fr := NewFramer(r, nil)
	for range 100 {
		if _, err := fr.ReadFrame(); err != nil {
			t.Fatal(err)
		}
	}
	if r.reads != 1 {
		t.Errorf("100 PING frames took %d Reads, want 1", r.reads)
	}
}

// countReader counts the Reads made on r.
type countReader struct {
	r     io.Reader
	reads int
}

func (r *countReader) Read(p []byte) (int, error) {
	r.reads++
	return r.r.Read(p)
}

// TestMixedSameBytes checks that the benchmarks compare the same bytes.
func TestMixedSameBytes(t *testing.T) {
	var buf bytes.Buffer
	xwriteMixed(http2.NewFramer(&buf, nil))
	if !bytes.Equal(buf.Bytes(), appendMixed(nil)) {
		t.Error("x/net writes other bytes than appendMixed")
	}
}

// TestReadBufferSize checks the read buffer's initial size and its growth
// to two of the largest frames.
func TestReadBufferSize(t *testing.T) {
	wire := AppendPing(nil, false, mixedPing)
	for range 10 {
		wire = AppendData(wire, 1, false, make([]byte, DefaultMaxFrameSize))
	}
	r := &countReader{r: bytes.NewReader(wire)}
	fr := NewFramer(r, nil)
	if _, err := fr.ReadFrame(); err != nil || len(fr.buf) != DefaultReadBufferSize {
		t.Fatalf("after a PING: buffer of %d, error %v", len(fr.buf), err)
	}
	for range 10 {
		if _, err := fr.ReadFrame(); err != nil {
			t.Fatal(err)
		}
	}
	if want := 2 * (DefaultMaxFrameSize + FrameHeaderLen); len(fr.buf) != want {
		t.Errorf("buffer of %d bytes, want %d", len(fr.buf), want)
	}
	if r.reads > 7 {
		t.Errorf("11 frames took %d Reads", r.reads)
	}
}
