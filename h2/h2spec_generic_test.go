package h2

import (
	"strings"

	"turbohttp/hpack"
)

// h2specGenericCases are h2spec's "generic" group: ordinary use that must
// work, each answered by a response (or a PING ack) and no error.
var h2specGenericCases = []h2specCase{
	{name: "generic/1/1 client connection preface", run: func(p *peer) {}, want: fine(nil)},
	{name: "generic/2/1 PRIORITY on an idle stream", run: func(p *peer) {
		p.write(AppendPriority(nil, 1, PriorityParam{StreamDep: 0, Weight: 255}))
	}, want: fine(nil)},
	{name: "generic/2/2 WINDOW_UPDATE on a half-closed (remote) stream", noRespond: true, run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		p.writeWindowUpdate(1, 1)
	}, want: fine(nil)},
	{name: "generic/2/3 PRIORITY on a half-closed (remote) stream", noRespond: true, run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		p.write(AppendPriority(nil, 1, PriorityParam{StreamDep: 0, Weight: 255}))
	}, want: fine(nil)},
	{name: "generic/2/4 RST_STREAM on a half-closed (remote) stream", noRespond: true, run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		p.writeRST(1, ErrCodeCancel)
	}, want: fine(nil)},
	{name: "generic/2/5 PRIORITY on a closed stream", run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		responds(1)(p)
		p.write(AppendPriority(nil, 1, PriorityParam{StreamDep: 0, Weight: 255}))
	}, want: fine(nil)},
	{name: "generic/3.1/1 DATA", run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeData(1, true, "test")
	}, want: fine(responds(1))},
	{name: "generic/3.1/2 several DATA", run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeData(1, false, "test")
		p.writeData(1, true, "test")
	}, want: fine(responds(1))},
	{name: "generic/3.1/3 DATA with padding", run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.write(AppendDataPadded(nil, 1, true, []byte("test"), 8))
	}, want: fine(responds(1))},
	{name: "generic/3.2/1 HEADERS", run: func(p *peer) { p.writeHeaders(1, true, get("/")...) }, want: fine(responds(1))},
	{name: "generic/3.2/2 HEADERS with padding", run: func(p *peer) {
		p.write(AppendHeaders(nil, HeadersParams{StreamID: 1, BlockFragment: p.block(get("/")...), EndStream: true, EndHeaders: true, Padded: true, PadLength: 8}))
	}, want: fine(responds(1))},
	{name: "generic/3.2/3 HEADERS with priority", run: func(p *peer) {
		p.write(AppendHeaders(nil, HeadersParams{StreamID: 1, BlockFragment: p.block(get("/")...), EndStream: true, EndHeaders: true, HasPriority: true, Priority: PriorityParam{Weight: 255}}))
	}, want: fine(responds(1))},
	{name: "generic/3.3/1 PRIORITY with priority 1", run: func(p *peer) { p.write(AppendPriority(nil, 1, PriorityParam{Weight: 0})) }, want: fine(nil)},
	{name: "generic/3.3/2 PRIORITY with priority 256", run: func(p *peer) { p.write(AppendPriority(nil, 1, PriorityParam{Weight: 255})) }, want: fine(nil)},
	{name: "generic/3.3/3 PRIORITY with a dependency", run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		p.write(AppendPriority(nil, 3, PriorityParam{StreamDep: 1, Weight: 255}))
	}, want: fine(nil)},
	{name: "generic/3.3/4 PRIORITY exclusive", run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		p.write(AppendPriority(nil, 3, PriorityParam{StreamDep: 1, Exclusive: true, Weight: 255}))
	}, want: fine(nil)},
	{name: "generic/3.3/5 PRIORITY on an idle stream, then HEADERS on a lower one", run: func(p *peer) {
		p.write(AppendPriority(nil, 3, PriorityParam{Weight: 255}))
		p.writeHeaders(1, true, get("/")...)
	}, want: fine(responds(1))},
	{name: "generic/3.4/1 RST_STREAM", noRespond: true, run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeRST(1, ErrCodeCancel)
	}, want: fine(nil)},
	{name: "generic/3.5/1 SETTINGS", run: func(p *peer) { p.writeSettings(Setting{SettingEnablePush, 0}) }, want: fine(settingsAcked)},
	{name: "generic/3.7/1 PING", run: func(p *peer) {}, want: fine(nil)},
	{name: "generic/3.8/1 GOAWAY", run: func(p *peer) { p.write(AppendGoAway(nil, 0, ErrCodeNo, nil)) }, want: fine(nil)},
	{name: "generic/3.9/1 WINDOW_UPDATE on stream 0", run: func(p *peer) { p.writeWindowUpdate(0, 1) }, want: fine(nil)},
	{name: "generic/3.9/2 WINDOW_UPDATE on stream 1", noRespond: true, run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeWindowUpdate(1, 1)
	}, want: fine(nil)},
	{name: "generic/3.10/1 CONTINUATION", run: func(p *peer) {
		p.write(p.getHeaders(1, true, false))
		p.write(AppendContinuation(nil, 1, true, p.dummyBlock()))
	}, want: fine(responds(1))},
	{name: "generic/3.10/2 several CONTINUATION", run: func(p *peer) {
		p.write(p.getHeaders(1, true, false))
		p.write(AppendContinuation(nil, 1, false, p.dummyBlock()))
		p.write(AppendContinuation(nil, 1, true, p.dummyBlock()))
	}, want: fine(responds(1))},
	{name: "generic/4/1 GET", run: func(p *peer) { p.writeHeaders(1, true, get("/")...) }, want: fine(responds(1))},
	{name: "generic/4/2 HEAD", run: func(p *peer) {
		p.writeHeaders(1, true, ":method", "HEAD", ":scheme", "https", ":authority", "a", ":path", "/")
	}, want: fine(responds(1))},
	{name: "generic/4/3 POST", run: func(p *peer) {
		p.writeHeaders(1, false, post("/", "content-length", "4")...)
		p.writeData(1, true, "test")
	}, want: fine(responds(1))},
	{name: "generic/4/4 POST with trailers", run: func(p *peer) {
		p.writeHeaders(1, false, post("/", "trailer", "x-test")...)
		p.writeData(1, false, "test")
		p.writeHeaders(1, true, "x-test", "ok")
	}, want: fine(responds(1))},
}

// The 15 cases of generic/5 send one field in each HPACK representation.
func init() {
	str := func(s string, huff bool) []byte {
		if huff {
			return append(hpack.AppendInteger(nil, 0x80, 7, uint64(hpack.HuffmanEncodedLen([]byte(s)))), hpack.AppendHuffman(nil, []byte(s))...)
		}
		return hpack.AppendString(nil, []byte(s))
	}
	// Each representation adds the field "user-agent: h2spec" (static
	// name index 58) or "x-h2spec: test" (a new name).
	indexedName := func(prefix byte, n uint8, huff bool) []byte {
		return append(hpack.AppendInteger(nil, prefix, n, 58), str("h2spec", huff)...)
	}
	newName := func(prefix byte, huff bool) []byte {
		b := append([]byte{prefix}, str("x-h2spec", huff)...)
		return append(b, str("test", huff)...)
	}
	reps := []struct {
		name string
		rep  []byte
	}{
		{"indexed field", []byte{0xba}}, // user-agent, empty
		{"literal with indexing, indexed name", indexedName(0x40, 6, false)},
		{"literal with indexing, indexed name, Huffman", indexedName(0x40, 6, true)},
		{"literal with indexing, new name", newName(0x40, false)},
		{"literal with indexing, new name, Huffman", newName(0x40, true)},
		{"literal without indexing, indexed name", indexedName(0x00, 4, false)},
		{"literal without indexing, indexed name, Huffman", indexedName(0x00, 4, true)},
		{"literal without indexing, new name", newName(0x00, false)},
		{"literal without indexing, new name, Huffman", newName(0x00, true)},
		{"literal never indexed, indexed name", indexedName(0x10, 4, false)},
		{"literal never indexed, indexed name, Huffman", indexedName(0x10, 4, true)},
		{"literal never indexed, new name", newName(0x10, false)},
		{"literal never indexed, new name, Huffman", newName(0x10, true)},
		{"dynamic table size update", hpack.AppendInteger(nil, 0x20, 5, 0)},
		{"several dynamic table size updates", append(hpack.AppendInteger(nil, 0x20, 5, 0), hpack.AppendInteger(nil, 0x20, 5, 4096)...)},
	}
	for i, r := range reps {
		r := r
		name := "generic/5/" + itoa(i+1) + " " + r.name
		h2specGenericCases = append(h2specGenericCases, h2specCase{name: name, run: func(p *peer) {
			var b []byte
			if strings.Contains(r.name, "size update") {
				b = append(r.rep, p.block(get("/")...)...) // updates come first
			} else {
				b = append(p.block(get("/")...), r.rep...)
			}
			p.writeBlock(b)
		}, want: fine(responds(1))})
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}
