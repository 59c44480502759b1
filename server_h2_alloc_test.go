package turbohttp

import (
	"encoding/binary"
	"net"
	"testing"

	"turbohttp/h2"
)

// rawH2Client is a scripted h2c client that allocates nothing per
// request: it writes pre-encoded HEADERS frames (static-table fields
// only, so the block never changes) and reads the server's frames by
// their headers, without decoding, until each stream's END_STREAM.
type rawH2Client struct {
	tb   testing.TB
	c    net.Conn
	next uint32 // next stream ID
	out  []byte
	in   []byte
	n    int // bytes buffered in in
}

// getBlock is GET / with :authority localhost, from the static table.
var getBlock = []byte{0x82, 0x86, 0x84, 0x01, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't'}

func newRawH2Client(tb testing.TB, addr string) *rawH2Client {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	rc := &rawH2Client{tb: tb, c: c, next: 1, in: make([]byte, 256<<10)}
	pre := append([]byte(h2.ClientPreface), h2.AppendSettings(nil)...)
	pre = h2.AppendSettingsAck(pre) // for the server's, which comes next
	// the client never reads a body: the connection window is opened once
	// to its maximum, which lasts for millions of hello worlds
	pre = h2.AppendWindowUpdate(pre, 0, h2.MaxWindowSize-h2.DefaultInitialWindowSize)
	if _, err := c.Write(pre); err != nil {
		tb.Fatal(err)
	}
	return rc
}

// roundTrip sends n GET requests in one write and waits for the n
// responses.
func (rc *rawH2Client) roundTrip(n int) {
	rc.out = rc.out[:0]
	first := rc.next
	for range n {
		rc.out = h2.AppendHeaders(rc.out, h2.HeadersParams{StreamID: rc.next, BlockFragment: getBlock, EndStream: true, EndHeaders: true})
		rc.next += 2
	}
	if _, err := rc.c.Write(rc.out); err != nil {
		rc.tb.Fatal(err)
	}
	for done := 0; done < n; {
		done += rc.readEnds(first)
	}
}

// readEnds reads what the server sent and returns how many streams from
// first on it ended.
func (rc *rawH2Client) readEnds(first uint32) int {
	m, err := rc.c.Read(rc.in[rc.n:])
	if err != nil {
		rc.tb.Fatalf("read: %v", err)
	}
	rc.n += m
	ends, off := 0, 0
	for rc.n-off >= h2.FrameHeaderLen {
		length := int(rc.in[off])<<16 | int(rc.in[off+1])<<8 | int(rc.in[off+2])
		if rc.n-off < h2.FrameHeaderLen+length {
			break
		}
		typ, flags := h2.FrameType(rc.in[off+3]), h2.Flags(rc.in[off+4])
		id := binary.BigEndian.Uint32(rc.in[off+5:]) & h2.MaxStreamID
		if (typ == h2.FrameData || typ == h2.FrameHeaders) && flags.Has(h2.FlagDataEndStream) && id >= first {
			ends++
		}
		if typ == h2.FrameGoAway || typ == h2.FrameRSTStream {
			rc.tb.Fatalf("server sent %v", typ)
		}
		off += h2.FrameHeaderLen + length
	}
	rc.n = copy(rc.in, rc.in[off:rc.n])
	return ends
}

// TestH2ServerHelloZeroAllocs: a native hello-world handler on a
// kept-alive h2c connection allocates nothing per request once warm, one
// request at a time and 32 at once. The client allocates nothing either,
// so every allocation counted is the server's.
func TestH2ServerHelloZeroAllocs(t *testing.T) {
	_, addr := h2cServer(t, HandlerFunc(hello))
	rc := newRawH2Client(t, addr)
	for _, batch := range []int{1, 32} {
		for range 200 {
			rc.roundTrip(batch)
		}
		if n := testing.AllocsPerRun(500, func() { rc.roundTrip(batch) }); n != 0 {
			t.Errorf("%d streams at once: %v allocations per batch, want 0", batch, n)
		}
	}
}

// BenchmarkH2ServerHello measures hello world over h2c, client included:
// one stream at a time, and 32 at once as h2load -m32.
func BenchmarkH2ServerHello(b *testing.B) {
	for _, batch := range []int{1, 32} {
		b.Run("streams="+string(rune('0'+batch/10))+string(rune('0'+batch%10)), func(b *testing.B) {
			_, addr := h2cServer(b, HandlerFunc(hello))
			rc := newRawH2Client(b, addr)
			rc.roundTrip(batch)
			b.ReportAllocs()
			for b.Loop() {
				rc.roundTrip(batch)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/request")
		})
	}
}
