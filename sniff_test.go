package turbohttp

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
)

// sniffTests gives an example of every signature family, and the near
// misses around each, with the media type the algorithm must name.
var sniffTests = []struct {
	name string
	data string
	want string
}{
	{"empty", "", "text/plain; charset=utf-8"},
	{"whitespace only", " \t\r\n\x0c", "text/plain; charset=utf-8"},
	{"binary", "\x01\x02\x03", "application/octet-stream"},

	// HTML (§7.1): case-insensitive, after whitespace, then a TT byte.
	{"doctype", "<!DOCTYPE HTML>...", "text/html; charset=utf-8"},
	{"doctype lower", "\n\n<!doctype html>...", "text/html; charset=utf-8"},
	{"html", "<HTML>", "text/html; charset=utf-8"},
	{"html mixed case", "  <hTmL lang=en>", "text/html; charset=utf-8"},
	{"head", "<head>", "text/html; charset=utf-8"},
	{"script", "<script>", "text/html; charset=utf-8"},
	{"iframe", "<iframe ", "text/html; charset=utf-8"},
	{"h1", "<h1>", "text/html; charset=utf-8"},
	{"div", "<div>", "text/html; charset=utf-8"},
	{"font", "<font>", "text/html; charset=utf-8"},
	{"table", "<table>", "text/html; charset=utf-8"},
	{"a", "<a href>", "text/html; charset=utf-8"},
	{"style", "<style>", "text/html; charset=utf-8"},
	{"title", "<title>", "text/html; charset=utf-8"},
	{"b", "<b>", "text/html; charset=utf-8"},
	{"body", "<body>", "text/html; charset=utf-8"},
	{"br", "<br>", "text/html; charset=utf-8"},
	{"p", "<p>", "text/html; charset=utf-8"},
	{"comment", "<!-- x -->", "text/html; charset=utf-8"},
	{"html without TT", "<html", "text/plain; charset=utf-8"},
	{"html with other terminator", "<html/>", "text/plain; charset=utf-8"},
	{"html longer name", "<bold>", "text/plain; charset=utf-8"},
	{"html folded non-letter", "<H\x11>", "application/octet-stream"},

	// XML, PDF, PostScript.
	{"xml", "<?xml version", "text/xml; charset=utf-8"},
	{"xml after ws", "\t <?xml", "text/xml; charset=utf-8"},
	{"xml is case-sensitive", "<?XML", "text/plain; charset=utf-8"},
	{"pdf", "%PDF-1.7", "application/pdf"},
	{"pdf after ws", " %PDF-1.7", "text/plain; charset=utf-8"},
	{"postscript", "%!PS-Adobe-3.0", "application/postscript"},

	// Byte order marks need two more bytes of any value.
	{"utf-16be", "\xFE\xFF\x00\x41", "text/plain; charset=utf-16be"},
	{"utf-16le", "\xFF\xFE\x41\x00", "text/plain; charset=utf-16le"},
	{"utf-8 bom", "\xEF\xBB\xBFhi", "text/plain; charset=utf-8"},
	{"utf-8 bom binary", "\xEF\xBB\xBF\x01", "text/plain; charset=utf-8"},
	{"utf-16be short", "\xFE\xFF", "text/plain; charset=utf-8"},

	// Images (§6.1).
	{"ico", "\x00\x00\x01\x00\x01", "image/x-icon"},
	{"cur", "\x00\x00\x02\x00", "image/x-icon"},
	{"bmp", "BM\x00\x01", "image/bmp"},
	{"gif87a", "GIF87a", "image/gif"},
	{"gif89a", "GIF89a\x01", "image/gif"},
	{"gif88a", "GIF88a", "text/plain; charset=utf-8"},
	{"webp", "RIFF\x01\x02\x03\x04WEBPVP8 ", "image/webp"},
	{"png", "\x89PNG\r\n\x1a\n\x00", "image/png"},
	{"jpeg", "\xFF\xD8\xFF\xE0", "image/jpeg"},

	// Audio and video (§6.2).
	{"aiff", "FORM\x00\x01\x02\x03AIFF", "audio/aiff"},
	{"mp3", "ID3\x03", "audio/mpeg"},
	{"ogg", "OggS\x00\x02", "application/ogg"},
	{"ogg without NUL", "OggS\x01", "application/octet-stream"},
	{"midi", "MThd\x00\x00\x00\x06\x00\x01", "audio/midi"},
	{"avi", "RIFF\xff\xff\xff\xffAVI LIST", "video/avi"},
	{"wave", "RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wave"},
	{"riff other", "RIFF\x00\x00\x00\x00XXXX", "application/octet-stream"},
	{"mp4 major brand", "\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isomavc1", "video/mp4"},
	{"mp4 compatible brand", "\x00\x00\x00\x18ftypisom\x00\x00\x00\x00avc1mp41", "video/mp4"},
	{"mp4 only as version", "\x00\x00\x00\x10ftypisommp41", "application/octet-stream"},
	{"mp4 box larger than data", "\x00\x00\x00\x20ftypmp42\x00\x00\x00\x00", "application/octet-stream"},
	{"mp4 box size not a multiple of 4", "\x00\x00\x00\x11ftypmp42\x00\x00\x00\x00\x00", "application/octet-stream"},
	{"mp4 short", "\x00\x00\x00\x0cftypmp4", "application/octet-stream"},
	{"webm", "\x1A\x45\xDF\xA3\x01", "video/webm"},

	// Fonts (§6.3).
	{"eot", strings.Repeat("\x01", 34) + "LP", "application/vnd.ms-fontobject"},
	{"eot short", strings.Repeat("\x01", 33) + "LP", "application/octet-stream"},
	{"ttf", "\x00\x01\x00\x00\x00", "font/ttf"},
	{"otf", "OTTO\x00", "font/otf"},
	{"ttc", "ttcf\x00", "font/collection"},
	{"woff", "wOFF\x00", "font/woff"},
	{"woff2", "wOF2\x00", "font/woff2"},

	// Archives (§6.4) and WASM.
	{"gzip", "\x1F\x8B\x08\x00", "application/x-gzip"},
	{"zip", "PK\x03\x04\x14", "application/zip"},
	{"rar 4", "Rar!\x1A\x07\x00\xCF", "application/x-rar-compressed"},
	{"rar 5", "Rar!\x1A\x07\x01\x00", "application/x-rar-compressed"},
	{"rar truncated", "Rar!\x1A\x07", "application/octet-stream"},
	{"wasm", "\x00asm\x01\x00\x00\x00", "application/wasm"},

	// Text (§7.1 step 4): ESC and FF are text; the limit is SniffLen.
	{"text", "Hello, world!\n", "text/plain; charset=utf-8"},
	{"text with ESC", "\x1b[1mbold\x1b[0m", "text/plain; charset=utf-8"},
	{"utf-8 text", "héllo wörld", "text/plain; charset=utf-8"},
	{"vertical tab", "a\x0bb", "application/octet-stream"},
	{"binary after SniffLen", strings.Repeat("a", SniffLen) + "\x00", "text/plain; charset=utf-8"},
	{"binary at end of SniffLen", strings.Repeat("a", SniffLen-1) + "\x00", "application/octet-stream"},
	{"tag after SniffLen", strings.Repeat(" ", SniffLen) + "<html>", "text/plain; charset=utf-8"},
}

func TestDetectContentType(t *testing.T) {
	for _, tt := range sniffTests {
		if got := DetectContentType([]byte(tt.data)); got != tt.want {
			t.Errorf("%s: DetectContentType(%q) = %q, want %q", tt.name, tt.data, got, tt.want)
		}
	}
}

// TestSniffTableExamples checks that every row of the signature table is
// reachable: its own example yields its type.
func TestSniffTableExamples(t *testing.T) {
	for i := range sniffTable {
		s := &sniffTable[i]
		ex := sniffExample(s, rand.New(rand.NewPCG(uint64(i), 1)))
		if got := DetectContentType(ex); got != s.ctype {
			t.Errorf("row %d (%q): DetectContentType(%q) = %q, want %q", i, s.pattern, ex, got, s.ctype)
		}
	}
}

// sniffExample builds content matching s: its pattern with random bits
// where the mask ignores them, random letter case and a terminator for
// HTML, and a few text bytes after.
func sniffExample(s *sniffSig, rng *rand.Rand) []byte {
	var b []byte
	switch s.rule {
	case sniffMP4:
		b = []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00avc1mp41")
	case sniffText:
		return []byte("plain text")
	default:
		b = []byte(s.pattern)
		for i := range b {
			if s.mask != "" {
				b[i] |= byte(rng.Uint32()) &^ s.mask[i]
			}
			if s.rule == sniffHTML && 'A' <= b[i] && b[i] <= 'Z' && rng.IntN(2) == 0 {
				b[i] |= 0x20
			}
		}
		if s.rule == sniffHTML {
			b = append(b, " >"[rng.IntN(2)])
		}
	}
	return append(b, "tail"...)
}

// sniffCorpus generates the inputs of the differential test: every
// signature's example with every truncation, and n random and mutated
// inputs, from a fixed seed.
func sniffCorpus(n int) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var out [][]byte
	var examples [][]byte
	for i := range sniffTable {
		ex := sniffExample(&sniffTable[i], rng)
		examples = append(examples, ex)
		for k := 0; k <= len(ex); k++ {
			out = append(out, ex[:k])
		}
	}
	for range n {
		out = append(out, sniffMutate(rng, examples[rng.IntN(len(examples))]))
	}
	return out
}

// sniffMutate returns a random variation of ex: random bytes, text, a
// whitespace prefix, flipped, inserted or deleted bytes, a truncation, or
// padding past SniffLen.
func sniffMutate(rng *rand.Rand, ex []byte) []byte {
	b := bytes.Clone(ex)
	switch rng.IntN(6) {
	case 0:
		b = make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	case 1:
		b = make([]byte, rng.IntN(700))
		for i := range b {
			b[i] = " \t\r\n\x0c<>!-ahtmlAHTML?xz\x1b\x0b\x00é"[rng.IntN(24)]
		}
		return b
	case 2:
		b = append([]byte(strings.Repeat(" \t\n\r\x0c"[rng.IntN(5):][:1], rng.IntN(4))), b...)
	case 3:
		if len(b) > 0 {
			b = b[:rng.IntN(len(b))]
		}
	case 4:
		b = append(bytes.Repeat([]byte{' '}, rng.IntN(SniffLen+8)), b...)
	}
	for range rng.IntN(3) {
		if len(b) == 0 {
			break
		}
		i := rng.IntN(len(b))
		switch rng.IntN(3) {
		case 0:
			b[i] ^= 1 << rng.IntN(8)
		case 1:
			b = append(b[:i], b[i+1:]...)
		case 2:
			b = append(b[:i], append([]byte{byte(rng.Uint32())}, b[i:]...)...)
		}
	}
	return b
}

// TestDetectContentTypeMatchesNetHTTP compares with net/http over every
// signature's example and its truncations and thousands of mutated inputs.
func TestDetectContentTypeMatchesNetHTTP(t *testing.T) {
	corpus := sniffCorpus(5000)
	for _, tt := range sniffTests {
		corpus = append(corpus, []byte(tt.data))
	}
	seen := map[string]int{}
	for _, in := range corpus {
		got, want := DetectContentType(in), http.DetectContentType(in)
		if got != want {
			t.Errorf("DetectContentType(%q) = %q, net/http says %q", in, got, want)
		}
		seen[want]++
	}
	// The corpus must reach every type, or the comparison proves little.
	for i := range sniffTable {
		if seen[sniffTable[i].ctype] == 0 {
			t.Errorf("corpus never produces %q", sniffTable[i].ctype)
		}
	}
	if seen["application/octet-stream"] == 0 {
		t.Error("corpus never produces application/octet-stream")
	}
}

func TestDetectContentTypeAllocs(t *testing.T) {
	inputs := [][]byte{[]byte("<html>"), []byte(strings.Repeat("text ", 200)), {0, 0, 0, 0x18}, nil}
	for _, in := range inputs {
		if n := testing.AllocsPerRun(100, func() { DetectContentType(in) }); n != 0 {
			t.Errorf("DetectContentType(%.20q) allocates %v times", in, n)
		}
	}
}

func FuzzDetectContentType(f *testing.F) {
	for _, tt := range sniffTests {
		f.Add([]byte(tt.data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := DetectContentType(data), http.DetectContentType(data); got != want {
			t.Errorf("DetectContentType(%q) = %q, net/http says %q", data, got, want)
		}
	})
}

func BenchmarkDetectContentType(b *testing.B) {
	for _, bc := range []struct{ name, data string }{
		{"html", "<!DOCTYPE html><html><head>"},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
		{"text512", strings.Repeat("lorem ipsum ", 50)},
	} {
		data := []byte(bc.data)
		b.Run(bc.name, func(b *testing.B) {
			b.Run("turbohttp", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					DetectContentType(data)
				}
			})
			b.Run("nethttp", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					http.DetectContentType(data)
				}
			})
		})
	}
}
