package h2

import (
	"strings"
	"testing"

	"turbohttp/hpack"
)

// The h2spec suite (github.com/summerwind/h2spec, run with --strict)
// reproduced against the engine in the server role: every case sends the
// frames h2spec sends and checks the reaction h2spec requires, with the
// exact code the engine gives where h2spec accepts several. The names are
// h2spec's section and case numbers.

type h2specWant struct {
	kind   int // wantFine, wantConn, wantStream
	stream uint32
	code   ErrCode
	check  func(p *peer) // further checks, for wantFine
}

const (
	wantFine = iota
	wantConn
	wantStream
)

func connErr(code ErrCode) h2specWant { return h2specWant{kind: wantConn, code: code} }
func streamErr(id uint32, code ErrCode) h2specWant {
	return h2specWant{kind: wantStream, stream: id, code: code}
}
func fine(check func(p *peer)) h2specWant { return h2specWant{kind: wantFine, check: check} }

// responds checks that stream id got a response.
func responds(id uint32) func(p *peer) {
	return func(p *peer) {
		p.t.Helper()
		p.read()
		for _, g := range p.in {
			if g.Type == FrameHeaders && g.StreamID == id && contains(g.fields, ":status: 200") {
				return
			}
		}
		p.t.Fatalf("no response on stream %d in %s", id, names(p.in))
	}
}

// dataOf checks that the first DATA frame on stream id carries n bytes.
func dataOf(id uint32, n int) func(p *peer) {
	return func(p *peer) {
		p.t.Helper()
		p.read()
		for _, g := range p.in {
			if g.Type == FrameData && g.StreamID == id {
				if len(g.Body) != n {
					p.t.Fatalf("DATA of %d bytes, want %d", len(g.Body), n)
				}
				return
			}
		}
		p.t.Fatalf("no DATA on stream %d in %s", id, names(p.in))
	}
}

// headersParams returns the HEADERS of a GET on stream id.
func (p *peer) getHeaders(id uint32, end, endHeaders bool) []byte {
	return AppendHeaders(nil, HeadersParams{StreamID: id, BlockFragment: p.block(get("/")...), EndStream: end, EndHeaders: endHeaders})
}

func (p *peer) dummyBlock() []byte { return p.block("x-dummy", "dummy") }

// writeBlock writes HEADERS with an arbitrary block on stream 1.
func (p *peer) writeBlock(b []byte) {
	p.write(AppendHeaders(nil, HeadersParams{StreamID: 1, BlockFragment: b, EndStream: true, EndHeaders: true}))
}

type h2specCase struct {
	name      string
	noRespond bool // the application does not answer requests
	run       func(p *peer)
	want      h2specWant
}

var h2specCases = []h2specCase{
	// 3.5 HTTP/2 Connection Preface
	{name: "http2/3.5/1 client connection preface", run: func(p *peer) {}, want: fine(nil)},
	{name: "http2/3.5/2 invalid connection preface", run: nil, want: connErr(ErrCodeProtocol)},

	// 4.1 Frame Format
	{name: "http2/4.1/1 unknown frame type", run: func(p *peer) { p.writeFrame(0xff, 0, 0, "\x00\x00\x00\x00\x00\x00\x00\x00") }, want: fine(nil)},
	{name: "http2/4.1/2 undefined flag", run: func(p *peer) { p.writeFrame(FramePing, 0x16, 0, "\x00\x00\x00\x00\x00\x00\x00\x00") }, want: fine(pingAcked)},
	{name: "http2/4.1/3 reserved bit", run: func(p *peer) { p.write([]byte("\x00\x00\x08\x06\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")) }, want: fine(pingAcked)},

	// 4.2 Frame Size
	{name: "http2/4.2/1 DATA of 2^14 octets", run: func(p *peer) {
		p.writeHeaders(1, false, post("/", "content-length", "16384")...)
		p.writeData(1, true, strings.Repeat("x", 16384))
	}, want: fine(responds(1))},
	{name: "http2/4.2/2 DATA over SETTINGS_MAX_FRAME_SIZE", run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeData(1, true, strings.Repeat("x", 16385))
	}, want: connErr(ErrCodeFrameSize)},
	{name: "http2/4.2/3 HEADERS over SETTINGS_MAX_FRAME_SIZE", run: func(p *peer) {
		p.writeHeaders(1, true, append(get("/"), "x-big", strings.Repeat("x", 30000))...)
	}, want: connErr(ErrCodeFrameSize)},

	// 4.3 Header Compression and Decompression
	{name: "http2/4.3/1 invalid header block fragment", run: func(p *peer) {
		p.write([]byte("\x00\x00\x01\x01\x05\x00\x00\x00\x01\x40"))
	}, want: connErr(ErrCodeCompression)},
	{name: "http2/4.3/2 PRIORITY inside a header block", run: func(p *peer) {
		p.write(p.getHeaders(1, true, false))
		p.write(AppendPriority(nil, 1, PriorityParam{Weight: 255}))
		p.write(AppendContinuation(nil, 1, true, p.dummyBlock()))
	}, want: connErr(ErrCodeProtocol)},
	{name: "http2/4.3/3 HEADERS to another stream inside a header block", run: func(p *peer) {
		p.write(p.getHeaders(1, true, false))
		p.write(p.getHeaders(3, true, true))
		p.write(AppendContinuation(nil, 1, true, p.dummyBlock()))
	}, want: connErr(ErrCodeProtocol)},

	// 5.1 Stream States
	{name: "http2/5.1/1 idle: DATA", run: func(p *peer) { p.writeData(1, true, "test") }, want: connErr(ErrCodeProtocol)},
	{name: "http2/5.1/2 idle: RST_STREAM", run: func(p *peer) { p.writeRST(1, ErrCodeCancel) }, want: connErr(ErrCodeProtocol)},
	{name: "http2/5.1/3 idle: WINDOW_UPDATE", run: func(p *peer) { p.writeWindowUpdate(1, 100) }, want: connErr(ErrCodeProtocol)},
	{name: "http2/5.1/4 idle: CONTINUATION", run: func(p *peer) {
		p.write(AppendContinuation(nil, 1, true, p.block(get("/")...)))
	}, want: connErr(ErrCodeProtocol)},
	{name: "http2/5.1/5 half closed (remote): DATA", noRespond: true, run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		p.writeData(1, true, "test")
	}, want: streamErr(1, ErrCodeStreamClosed)},
	{name: "http2/5.1/6 half closed (remote): HEADERS", noRespond: true, run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		p.writeHeaders(1, true, get("/")...)
	}, want: streamErr(1, ErrCodeStreamClosed)},
	{name: "http2/5.1/7 half closed (remote): CONTINUATION", noRespond: true, run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		p.write(AppendContinuation(nil, 1, true, p.dummyBlock()))
	}, want: connErr(ErrCodeProtocol)},
	{name: "http2/5.1/8 closed: DATA after RST_STREAM", run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeRST(1, ErrCodeCancel)
		p.writeData(1, true, "test")
	}, want: streamErr(1, ErrCodeStreamClosed)},
	{name: "http2/5.1/9 closed: HEADERS after RST_STREAM", run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeRST(1, ErrCodeCancel)
		p.writeHeaders(1, true, get("/")...)
	}, want: streamErr(1, ErrCodeStreamClosed)},
	{name: "http2/5.1/10 closed: CONTINUATION after RST_STREAM", run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeRST(1, ErrCodeCancel)
		p.write(AppendContinuation(nil, 1, true, p.dummyBlock()))
	}, want: connErr(ErrCodeProtocol)},
	{name: "http2/5.1/11 closed: DATA", run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		responds(1)(p)
		p.writeData(1, true, "test")
	}, want: streamErr(1, ErrCodeStreamClosed)},
	{name: "http2/5.1/12 closed: HEADERS", run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		responds(1)(p)
		p.writeHeaders(1, true, get("/")...)
	}, want: connErr(ErrCodeStreamClosed)},
	{name: "http2/5.1/13 closed: CONTINUATION", run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		responds(1)(p)
		p.write(AppendContinuation(nil, 1, true, p.dummyBlock()))
	}, want: connErr(ErrCodeProtocol)},

	// 5.1.1 Stream Identifiers
	{name: "http2/5.1.1/1 even-numbered stream", run: func(p *peer) { p.writeHeaders(2, true, get("/")...) }, want: connErr(ErrCodeProtocol)},
	{name: "http2/5.1.1/2 stream ID smaller than a previous one", run: func(p *peer) {
		p.writeHeaders(5, true, get("/")...)
		p.writeHeaders(3, true, get("/")...)
	}, want: connErr(ErrCodeProtocol)},

	// 5.1.2 Stream Concurrency (MaxConcurrentStreams is 3 in this table)
	{name: "http2/5.1.2/1 concurrent stream limit exceeded", noRespond: true, run: func(p *peer) {
		for id := uint32(1); id <= 7; id += 2 {
			p.writeHeaders(id, true, get("/")...)
		}
	}, want: streamErr(7, ErrCodeRefusedStream)},

	// 5.3.1 Stream Dependencies
	{name: "http2/5.3.1/1 HEADERS depending on itself", run: func(p *peer) {
		p.write(AppendHeaders(nil, HeadersParams{StreamID: 1, BlockFragment: p.block(get("/")...), EndStream: true, EndHeaders: true,
			HasPriority: true, Priority: PriorityParam{StreamDep: 1, Weight: 255}}))
	}, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/5.3.1/2 PRIORITY depending on itself", run: func(p *peer) {
		p.write(AppendPriority(nil, 1, PriorityParam{StreamDep: 1, Weight: 255}))
	}, want: streamErr(1, ErrCodeProtocol)},

	// 5.4.1 Connection Error Handling
	{name: "http2/5.4.1/1 invalid PING closes the connection", run: func(p *peer) {
		p.write([]byte("\x00\x00\x08\x06\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00"))
	}, want: connErr(ErrCodeProtocol)},
	{name: "http2/5.4.1/2 invalid PING gets GOAWAY", run: func(p *peer) {
		p.write([]byte("\x00\x00\x08\x06\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00"))
	}, want: connErr(ErrCodeProtocol)},

	// 5.5 Extending HTTP/2
	{name: "http2/5.5/1 unknown extension frame", run: func(p *peer) { p.writeFrame(0x16, 0, 0, "\x00\x00\x00\x00\x00\x00\x00\x00") }, want: fine(nil)},
	{name: "http2/5.5/2 unknown extension frame inside a header block", run: func(p *peer) {
		p.write(p.getHeaders(1, true, false))
		p.writeFrame(0x16, 0, 1, "\x00\x00\x00\x00\x00\x00\x00\x00")
	}, want: connErr(ErrCodeProtocol)},

	// 6.1 DATA
	{name: "http2/6.1/1 DATA on stream 0", run: func(p *peer) { p.writeData(0, true, "test") }, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.1/2 DATA on a stream not open", noRespond: true, run: func(p *peer) {
		p.writeHeaders(1, true, get("/")...)
		p.writeData(1, true, "test")
	}, want: streamErr(1, ErrCodeStreamClosed)},
	{name: "http2/6.1/3 DATA with invalid pad length", run: func(p *peer) {
		p.writeHeaders(1, false, post("/", "content-length", "4")...)
		p.write([]byte("\x00\x00\x05\x00\x09\x00\x00\x00\x01\x06\x54\x65\x73\x74"))
	}, want: connErr(ErrCodeProtocol)},

	// 6.2 HEADERS
	{name: "http2/6.2/1 HEADERS without END_HEADERS, then PRIORITY", run: func(p *peer) {
		p.write(p.getHeaders(1, true, false))
		p.write(AppendPriority(nil, 1, PriorityParam{Weight: 255}))
		p.write(AppendContinuation(nil, 1, true, p.dummyBlock()))
	}, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.2/2 HEADERS to another stream inside a header block", run: func(p *peer) {
		p.write(p.getHeaders(1, true, false))
		p.write(p.getHeaders(3, true, true))
	}, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.2/3 HEADERS on stream 0", run: func(p *peer) { p.write(p.getHeaders(0, true, true)) }, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.2/4 HEADERS with invalid pad length", run: func(p *peer) {
		b := p.block(get("/")...)
		p.write(append([]byte{0, 0, byte(len(b) + 1), 1, 0x0d, 0, 0, 0, 1, byte(len(b) + 2)}, b...))
	}, want: connErr(ErrCodeProtocol)},

	// 6.3 PRIORITY
	{name: "http2/6.3/1 PRIORITY on stream 0", run: func(p *peer) { p.write(AppendPriority(nil, 0, PriorityParam{Weight: 255})) }, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.3/2 PRIORITY of length other than 5", noRespond: true, run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeFrame(FramePriority, 0, 1, "\x80\x00\x00\x01")
	}, want: streamErr(1, ErrCodeFrameSize)},

	// 6.4 RST_STREAM
	{name: "http2/6.4/1 RST_STREAM on stream 0", run: func(p *peer) { p.writeRST(0, ErrCodeCancel) }, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.4/2 RST_STREAM on an idle stream", run: func(p *peer) { p.writeRST(1, ErrCodeCancel) }, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.4/3 RST_STREAM of length other than 4", run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeFrame(FrameRSTStream, 0, 1, "\x00\x00\x00")
	}, want: connErr(ErrCodeFrameSize)},

	// 6.5 SETTINGS
	{name: "http2/6.5/1 SETTINGS ACK with a payload", run: func(p *peer) { p.writeFrame(FrameSettings, FlagSettingsAck, 0, "\x00\x03\x00\x00\x00\x64") }, want: connErr(ErrCodeFrameSize)},
	{name: "http2/6.5/2 SETTINGS on a stream", run: func(p *peer) { p.writeFrame(FrameSettings, 0, 1, "\x00\x03\x00\x00\x00\x64") }, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.5/3 SETTINGS length not a multiple of 6", run: func(p *peer) { p.writeFrame(FrameSettings, 0, 0, "\x00\x03\x00\x00\x64") }, want: connErr(ErrCodeFrameSize)},

	// 6.5.2 Defined SETTINGS Parameters
	{name: "http2/6.5.2/1 SETTINGS_ENABLE_PUSH other than 0 or 1", run: func(p *peer) { p.writeSettings(Setting{SettingEnablePush, 2}) }, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.5.2/2 SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1", run: func(p *peer) { p.writeSettings(Setting{SettingInitialWindowSize, 1 << 31}) }, want: connErr(ErrCodeFlowControl)},
	{name: "http2/6.5.2/3 SETTINGS_MAX_FRAME_SIZE below 2^14", run: func(p *peer) { p.writeSettings(Setting{SettingMaxFrameSize, 16383}) }, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.5.2/4 SETTINGS_MAX_FRAME_SIZE above 2^24-1", run: func(p *peer) { p.writeSettings(Setting{SettingMaxFrameSize, 1 << 24}) }, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.5.2/5 unknown setting", run: func(p *peer) { p.writeSettings(Setting{0xff, 1}) }, want: fine(settingsAcked)},

	// 6.5.3 Settings Synchronization
	{name: "http2/6.5.3/1 several values of SETTINGS_INITIAL_WINDOW_SIZE", run: func(p *peer) {
		p.writeSettings(Setting{SettingInitialWindowSize, 100}, Setting{SettingInitialWindowSize, 1})
		settingsAcked(p)
		p.writeHeaders(1, true, get("/")...)
	}, want: fine(dataOf(1, 1))},
	{name: "http2/6.5.3/2 SETTINGS without ACK", run: func(p *peer) { p.writeSettings(Setting{SettingEnablePush, 0}) }, want: fine(settingsAcked)},

	// 6.7 PING
	{name: "http2/6.7/1 PING", run: func(p *peer) {}, want: fine(nil)},
	{name: "http2/6.7/2 PING with ACK is not answered", run: func(p *peer) { p.writePing(true, "invalid!") }, want: fine(nil)},
	{name: "http2/6.7/3 PING on a stream", run: func(p *peer) { p.writeFrame(FramePing, 0, 1, "\x00\x00\x00\x00\x00\x00\x00\x00") }, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.7/4 PING of length other than 8", run: func(p *peer) { p.writeFrame(FramePing, 0, 0, "\x00\x00\x00\x00\x00\x00") }, want: connErr(ErrCodeFrameSize)},

	// 6.8 GOAWAY
	{name: "http2/6.8/1 GOAWAY on a stream", run: func(p *peer) { p.writeFrame(FrameGoAway, 0, 1, "\x00\x00\x00\x00\x00\x00\x00\x00") }, want: connErr(ErrCodeProtocol)},

	// 6.9 WINDOW_UPDATE
	{name: "http2/6.9/1 WINDOW_UPDATE of 0 on the connection", run: func(p *peer) { p.writeWindowUpdate(0, 0) }, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.9/2 WINDOW_UPDATE of 0 on a stream", noRespond: true, run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeWindowUpdate(1, 0)
	}, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/6.9/3 WINDOW_UPDATE of length other than 4", run: func(p *peer) { p.writeFrame(FrameWindowUpdate, 0, 0, "\x00\x00\x01") }, want: connErr(ErrCodeFrameSize)},

	// 6.9.1 The Flow-Control Window
	{name: "http2/6.9.1/1 initial window of 1", run: func(p *peer) {
		p.writeSettings(Setting{SettingInitialWindowSize, 1})
		settingsAcked(p)
		p.writeHeaders(1, true, get("/")...)
	}, want: fine(dataOf(1, 1))},
	{name: "http2/6.9.1/2 connection window above 2^31-1", run: func(p *peer) {
		p.writeWindowUpdate(0, MaxWindowSize)
		p.writeWindowUpdate(0, MaxWindowSize)
	}, want: connErr(ErrCodeFlowControl)},
	{name: "http2/6.9.1/3 stream window above 2^31-1", noRespond: true, run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeWindowUpdate(1, MaxWindowSize)
		p.writeWindowUpdate(1, MaxWindowSize)
	}, want: streamErr(1, ErrCodeFlowControl)},

	// 6.9.2 Initial Flow-Control Window Size
	{name: "http2/6.9.2/1 SETTINGS_INITIAL_WINDOW_SIZE changed after HEADERS", run: func(p *peer) {
		p.writeSettings(Setting{SettingInitialWindowSize, 0})
		settingsAcked(p)
		p.writeHeaders(1, true, get("/")...)
		p.wantHeaders(1, false, ":status", "200")
		p.writeSettings(Setting{SettingInitialWindowSize, 1})
	}, want: fine(dataOf(1, 1))},
	{name: "http2/6.9.2/2 negative window", run: func(p *peer) {
		p.writeSettings(Setting{SettingInitialWindowSize, 3})
		settingsAcked(p)
		p.writeHeaders(1, true, get("/")...)
		p.wantHeaders(1, false, ":status", "200")
		p.wantData(1, "hel", false)
		p.writeSettings(Setting{SettingInitialWindowSize, 2})
		settingsAcked(p)
		p.writeWindowUpdate(1, 2)
	}, want: fine(dataOf(1, 1))},
	{name: "http2/6.9.2/3 SETTINGS_INITIAL_WINDOW_SIZE above the maximum", run: func(p *peer) {
		p.writeSettings(Setting{SettingInitialWindowSize, 1 << 31})
	}, want: connErr(ErrCodeFlowControl)},

	// 6.10 CONTINUATION
	{name: "http2/6.10/1 several CONTINUATION frames", run: func(p *peer) {
		p.write(p.getHeaders(1, true, false))
		p.write(AppendContinuation(nil, 1, false, p.dummyBlock()))
		p.write(AppendContinuation(nil, 1, true, p.dummyBlock()))
	}, want: fine(responds(1))},
	{name: "http2/6.10/2 CONTINUATION followed by another frame", run: func(p *peer) {
		p.write(p.getHeaders(1, false, false))
		p.write(AppendContinuation(nil, 1, false, p.dummyBlock()))
		p.writeData(1, true, "test")
	}, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.10/3 CONTINUATION on stream 0", run: func(p *peer) {
		p.write(p.getHeaders(1, true, false))
		p.write(AppendContinuation(nil, 0, true, p.dummyBlock()))
	}, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.10/4 CONTINUATION after END_HEADERS", run: func(p *peer) {
		p.write(p.getHeaders(1, true, true))
		p.write(AppendContinuation(nil, 1, true, p.dummyBlock()))
	}, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.10/5 CONTINUATION after a CONTINUATION with END_HEADERS", run: func(p *peer) {
		p.write(p.getHeaders(1, true, false))
		p.write(AppendContinuation(nil, 1, true, p.dummyBlock()))
		p.write(AppendContinuation(nil, 1, true, p.dummyBlock()))
	}, want: connErr(ErrCodeProtocol)},
	{name: "http2/6.10/6 CONTINUATION after DATA", run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeData(1, true, "test")
		p.write(AppendContinuation(nil, 1, false, p.dummyBlock()))
		p.write(AppendContinuation(nil, 0, true, p.dummyBlock()))
	}, want: connErr(ErrCodeProtocol)},

	// 7 Error Codes
	{name: "http2/7/1 GOAWAY with an unknown error code", run: func(p *peer) {
		p.write(AppendGoAway(nil, 0, 0xff, nil))
	}, want: fine(nil)},
	{name: "http2/7/2 RST_STREAM with an unknown error code", run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeRST(1, 0xff)
	}, want: fine(nil)},

	// 8.1 HTTP Request/Response Exchange
	{name: "http2/8.1/1 second HEADERS without END_STREAM", run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeData(1, false, "test")
		p.writeHeaders(1, false, "x-trailer", "test")
	}, want: streamErr(1, ErrCodeProtocol)},

	// 8.1.2 HTTP Header Fields
	{name: "http2/8.1.2/1 uppercase field name", run: func(p *peer) { p.writeHeaders(1, true, append(get("/"), "X-TEST", "ok")...) }, want: streamErr(1, ErrCodeProtocol)},
	// 8.1.2.1 Pseudo-Header Fields
	{name: "http2/8.1.2.1/1 unknown pseudo-header field", run: func(p *peer) { p.writeHeaders(1, true, append(get("/"), ":test", "ok")...) }, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/8.1.2.1/2 response pseudo-header field in a request", run: func(p *peer) { p.writeHeaders(1, true, append(get("/"), ":status", "200")...) }, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/8.1.2.1/3 pseudo-header field in trailers", run: func(p *peer) {
		p.writeHeaders(1, false, post("/")...)
		p.writeData(1, false, "test")
		p.writeHeaders(1, true, ":method", "POST")
	}, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/8.1.2.1/4 pseudo-header field after a regular field", run: func(p *peer) {
		p.writeHeaders(1, true, ":method", "GET", ":scheme", "https", "x-test", "ok", ":path", "/")
	}, want: streamErr(1, ErrCodeProtocol)},
	// 8.1.2.2 Connection-Specific Header Fields
	{name: "http2/8.1.2.2/1 connection-specific field", run: func(p *peer) { p.writeHeaders(1, true, append(get("/"), "connection", "keep-alive")...) }, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/8.1.2.2/2 te other than trailers", run: func(p *peer) { p.writeHeaders(1, true, append(get("/"), "te", "trailers, deflate")...) }, want: streamErr(1, ErrCodeProtocol)},
	// 8.1.2.3 Request Pseudo-Header Fields
	{name: "http2/8.1.2.3/1 empty :path", run: func(p *peer) {
		p.writeHeaders(1, true, ":method", "GET", ":scheme", "https", ":authority", "a", ":path", "")
	}, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/8.1.2.3/2 no :method", run: func(p *peer) { p.writeHeaders(1, true, ":scheme", "https", ":authority", "a", ":path", "/") }, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/8.1.2.3/3 no :scheme", run: func(p *peer) { p.writeHeaders(1, true, ":method", "GET", ":authority", "a", ":path", "/") }, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/8.1.2.3/4 no :path", run: func(p *peer) { p.writeHeaders(1, true, ":method", "GET", ":scheme", "https", ":authority", "a") }, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/8.1.2.3/5 duplicate :method", run: func(p *peer) { p.writeHeaders(1, true, append(get("/")[:2:2], get("/")...)...) }, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/8.1.2.3/6 duplicate :scheme", run: func(p *peer) { p.writeHeaders(1, true, append(get("/"), ":scheme", "https")...) }, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/8.1.2.3/7 duplicate :path", run: func(p *peer) { p.writeHeaders(1, true, append(get("/"), ":path", "/")...) }, want: streamErr(1, ErrCodeProtocol)},
	// 8.1.2.6 Malformed Requests and Responses
	{name: "http2/8.1.2.6/1 content-length differs from DATA", run: func(p *peer) {
		p.writeHeaders(1, false, post("/", "content-length", "1")...)
		p.writeData(1, true, "test")
	}, want: streamErr(1, ErrCodeProtocol)},
	{name: "http2/8.1.2.6/2 content-length differs from the sum of DATA", run: func(p *peer) {
		p.writeHeaders(1, false, post("/", "content-length", "8")...)
		p.writeData(1, false, "test")
		p.writeData(1, true, "test!")
	}, want: streamErr(1, ErrCodeProtocol)},

	// 8.2 Server Push
	{name: "http2/8.2/1 PUSH_PROMISE from a client", run: func(p *peer) {
		p.write(AppendPushPromise(nil, PushPromiseParams{StreamID: 1, PromiseID: 2, BlockFragment: p.block(get("/")...), EndHeaders: true}))
	}, want: connErr(ErrCodeProtocol)},

	// hpack
	{name: "hpack/2.3.3/1 indexed field with an invalid index", run: func(p *peer) { p.writeBlock(append(p.block(get("/")...), 0xc6)) }, want: connErr(ErrCodeCompression)},
	{name: "hpack/2.3.3/2 literal field with an invalid name index", run: func(p *peer) { p.writeBlock(append(p.block(get("/")...), "\x7f\x07\x00"...)) }, want: connErr(ErrCodeCompression)},
	{name: "hpack/4.2/1 table size update at the end of a block", run: func(p *peer) { p.writeBlock(append(p.block(get("/")...), 0x21)) }, want: connErr(ErrCodeCompression)},
	{name: "hpack/5.2/1 Huffman padding longer than 7 bits", run: func(p *peer) {
		p.writeBlock(append(p.block(get("/")...), "\x00\x85\xf2\xb2\x4a\x84\xff\x84\x49\x50\x9f\xff"...))
	}, want: connErr(ErrCodeCompression)},
	{name: "hpack/5.2/2 Huffman padding of zeros", run: func(p *peer) {
		p.writeBlock(append(p.block(get("/")...), "\x00\x85\xf2\xb2\x4a\x84\xff\x83\x49\x50\x90"...))
	}, want: connErr(ErrCodeCompression)},
	{name: "hpack/5.2/3 Huffman string with EOS", run: func(p *peer) {
		p.writeBlock(append(p.block(get("/")...), "\x00\x85\xf2\xb2\x4a\x84\xff\x87\x49\x51\xff\xff\xff\xfa\x7f"...))
	}, want: connErr(ErrCodeCompression)},
	{name: "hpack/6.1/1 indexed field of index 0", run: func(p *peer) { p.writeBlock(append(p.block(get("/")...), 0x80)) }, want: connErr(ErrCodeCompression)},
	{name: "hpack/6.3/1 table size update above SETTINGS_HEADER_TABLE_SIZE", run: func(p *peer) {
		p.writeBlock(append(hpack.AppendInteger(nil, 0x20, 5, 4097), p.block(get("/")...)...))
	}, want: connErr(ErrCodeCompression)},
}

func pingAcked(p *peer) {
	p.t.Helper()
	p.read()
	for _, g := range p.in {
		if g.Type == FramePing && g.Ack {
			p.in = nil
			return
		}
	}
	p.t.Fatalf("no PING ack in %s", names(p.in))
}

func settingsAcked(p *peer) {
	p.t.Helper()
	p.read()
	for i, g := range p.in {
		if g.Type == FrameSettings && g.Ack {
			p.in = append(p.in[:i:i], p.in[i+1:]...)
			return
		}
	}
	p.t.Fatalf("no SETTINGS ack in %s", names(p.in))
}

func TestH2Spec(t *testing.T) {
	for _, tc := range append(h2specCases, h2specGenericCases...) {
		for _, split := range []int{0, 1} {
			name := tc.name
			if split > 0 {
				name += " split"
			}
			t.Run(name, func(t *testing.T) {
				p := runH2SpecCase(t, tc, split)
				switch w := tc.want; w.kind {
				case wantConn:
					p.wantGoAway(w.code)
				case wantStream:
					p.wantRST(w.stream, w.code)
					p.wantOK()
				default:
					if w.check != nil {
						w.check(p)
					}
					p.wantOK()
				}
			})
		}
	}
}

// runH2SpecCase sets up a server Conn as h2spec finds it and runs tc's
// script, feeding one byte at a time when split is 1.
func runH2SpecCase(t testing.TB, tc h2specCase, split int) *peer {
	cfg := Config{MaxConcurrentStreams: 3}
	if tc.run == nil { // the preface itself is the case
		p := newPeer(t, Server, cfg)
		p.split = split
		p.write([]byte("INVALID CONNECTION PREFACE\r\n\r\n"))
		return p
	}
	p := newServerPeer(t, cfg)
	p.split = split
	if !tc.noRespond {
		p.rec.respondBody = "hello world"
	}
	tc.run(p)
	return p
}
