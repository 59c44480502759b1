package h2

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"turbohttp/hpack"
)

// FuzzHeaderMemo checks the memos of header sections (a block that
// arrives again at the same HPACK context is answered from its last
// decode; a list written again is sent as its last block) against the
// engine without them: the same input, fed to a server Conn with the
// memos on and then off, must give the same events, the same output and
// the same end. The input is a script of header blocks, encoded by a
// client's HPACK encoder (fields from a small vocabulary, some of them
// malformed for HTTP/2, with and without indexing, with table size
// updates), repeated byte for byte, sent as trailers, or raw bytes.
func FuzzHeaderMemo(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 5, 0, 9, 0})
	f.Add([]byte{1, 2, 0, 3, 0, 7, 0, 0, 11, 0, 4, 0})
	f.Add([]byte{13, 0, 17, 0, 21, 6, 0xbe, 0x82, 0x84, 0x86, 0x41, 0x00, 0})
	f.Add([]byte{25, 0, 29, 0, 3, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, script []byte) {
		in := memoScriptInput(script)
		on := runMemoScript(in)
		saveBlock, saveList := maxMemoBlock, maxMemoList
		maxMemoBlock, maxMemoList = -1, -1
		off := runMemoScript(in)
		maxMemoBlock, maxMemoList = saveBlock, saveList
		if on != off {
			t.Fatalf("with the memos:\n%s\nwithout:\n%s", on, off)
		}
	})
}

// memoScriptInput turns a script into the bytes a client sends: the
// preface, SETTINGS, then HEADERS frames. Each op byte: bits 0-1 choose
// the op — 0 one of the blocks sent before, again (the next byte picks
// it), 1 a new block of fields, 2 raw bytes or, when the next byte has
// its high bit set, a SETTINGS frame that changes the table size of the
// server's encoder, 3 a table size update before a new block — and bit 2
// sends the block as a request left open followed by the same block as
// its trailers.
func memoScriptInput(script []byte) []byte {
	names := []string{"x-a", "x-b", "accept", "user-agent", "cookie", "X-Up", "connection", "te", "content-length", ":status"}
	values := []string{"1", "2", "gzip", "trailers", "a=b", "", "5"}
	enc := hpack.NewEncoder()
	out := append([]byte(ClientPreface), AppendSettings(nil)...)
	var sent [][]byte
	id := uint32(1)
	next := func() byte {
		if len(script) == 0 {
			return 0
		}
		b := script[0]
		script = script[1:]
		return b
	}
	for len(script) > 0 && id < 200 {
		op := next()
		var block []byte
		switch op & 3 {
		case 0:
			if len(sent) == 0 {
				continue
			}
			block = sent[len(sent)-1-int(next())%len(sent)]
		case 2:
			n := next()
			if n&0x80 != 0 {
				out = AppendSettings(out, Setting{SettingHeaderTableSize, []uint32{0, 64, 256, 4096}[n%4]})
				continue
			}
			n = min(n%32, byte(len(script)))
			block = append([]byte(nil), script[:n]...)
			script = script[n:]
		default:
			if op&3 == 3 {
				enc.SetMaxDynamicTableSize([]uint32{0, 64, 256, 4096}[next()%4])
			}
			block = enc.AppendFieldString(nil, ":method", []string{"GET", "POST"}[op>>3&1], false)
			block = enc.AppendFieldString(block, ":scheme", "https", false)
			block = enc.AppendFieldString(block, ":path", []string{"/", "/a", "/b"}[int(op>>4)%3], false)
			block = enc.AppendFieldString(block, ":authority", "example.com", false)
			for range int(op>>6) % 4 {
				sel := next()
				block = enc.AppendFieldString(block, names[int(sel)%len(names)], values[int(sel>>4)%len(values)], sel&0x80 != 0)
			}
		}
		if len(sent) < 8 {
			sent = append(sent, block)
		} else {
			copy(sent, sent[1:])
			sent[len(sent)-1] = block
		}
		trailers := op&4 != 0
		out = AppendHeaderBlock(out, HeadersParams{StreamID: id, BlockFragment: block, EndStream: !trailers}, 16384)
		if trailers {
			out = AppendHeaderBlock(out, HeadersParams{StreamID: id, BlockFragment: block, EndStream: true}, 16384)
		}
		id += 2
	}
	return out
}

// memoApp records a server Conn's events and answers each request with
// fields that follow the request's, so that response lists repeat too.
type memoApp struct {
	c   *Conn
	log strings.Builder
}

func (a *memoApp) OnHeaders(h *Headers) {
	fmt.Fprintf(&a.log, "headers %d end=%v trailers=%v %q %q %q %q status=%d cl=%d", h.StreamID, h.EndStream, h.Trailers,
		h.Method, h.Scheme, h.Authority, h.Path, h.Status, h.ContentLength)
	for _, f := range h.Fields {
		fmt.Fprintf(&a.log, " %q=%q", f.Name, f.Value)
	}
	a.log.WriteByte('\n')
	if h.Trailers {
		return
	}
	resp := fieldList(":status", "200", "x-path", string(h.Path))
	if len(h.Fields) > 0 {
		resp = append(resp, Field{Name: []byte("x-first"), Value: h.Fields[0].Value})
	}
	err := a.c.WriteHeaders(h.StreamID, resp, h.EndStream)
	fmt.Fprintf(&a.log, "respond %d: %v\n", h.StreamID, err)
}
func (a *memoApp) OnData(id uint32, data []byte, end bool) { a.c.Consumed(id, len(data)) }
func (a *memoApp) OnReset(id uint32, code ErrCode) {
	fmt.Fprintf(&a.log, "reset %d %v\n", id, code)
}
func (a *memoApp) OnSettings(*Settings)             {}
func (a *memoApp) OnSettingsAck()                   {}
func (a *memoApp) OnGoAway(uint32, ErrCode, []byte) {}
func (a *memoApp) OnPingAck([8]byte)                {}
func (a *memoApp) OnWindowOpened(uint32)            {}

// runMemoScript feeds in to a new server Conn, frame by frame as it
// comes, and returns everything observable: events, output and the end.
func runMemoScript(in []byte) string {
	app := &memoApp{}
	c := NewConn(Server, Config{}, app)
	app.c = c
	var out []byte
	for len(in) > 0 {
		n := min(len(in), 97)
		err := c.Feed(in[:n])
		in = in[n:]
		out = c.AppendOutput(out)
		if err != nil {
			fmt.Fprintf(&app.log, "error %v\n", err)
			break
		}
	}
	fmt.Fprintf(&app.log, "output %x\n", bytes.Clone(out))
	return app.log.String()
}
