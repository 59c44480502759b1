package hpack

import (
	"bytes"
	"testing"

	xhpack "golang.org/x/net/http2/hpack"
)

// cpuMeter reports, next to the wall-clock ns/op, the CPU time the whole
// process spent per operation (cpu-ns/op), garbage collection included.
// On a shared, overloaded machine wall-clock times say little; CPU time
// still compares codecs fairly within one run.
type cpuMeter struct{ start int64 }

func startCPU(b *testing.B) cpuMeter {
	b.ReportAllocs()
	return cpuMeter{processCPU()}
}

func (m cpuMeter) stop(b *testing.B) {
	if end := processCPU(); m.start >= 0 && end >= 0 && b.N > 0 {
		b.ReportMetric(float64(end-m.start)/float64(b.N), "cpu-ns/op")
	}
}

// browserGET is a typical browser request: 12 fields.
var browserGET = []hf{
	{":method", "GET"},
	{":scheme", "https"},
	{":authority", "www.example.com"},
	{":path", "/articles/2026/11/hpack-explained?ref=home"},
	{"user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
	{"accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"},
	{"accept-encoding", "gzip, deflate, br, zstd"},
	{"accept-language", "en-US,en;q=0.9"},
	{"cookie", "session=7f3c9a1be2d44f6f9a0c1d2e3f405162; theme=dark"},
	{"sec-fetch-mode", "navigate"},
	{"sec-fetch-site", "none"},
	{"upgrade-insecure-requests", "1"},
}

// byteFields returns the fields as byte slices.
func byteFields(fields []hf) [][2][]byte {
	out := make([][2][]byte, len(fields))
	for i, f := range fields {
		out[i] = [2][]byte{[]byte(f.name), []byte(f.value)}
	}
	return out
}

// encodeBlock encodes fields with e into a new block.
func encodeBlock(e *Encoder, fields []hf) []byte {
	var block []byte
	for _, f := range fields {
		block = e.AppendFieldString(block, f.name, f.value, false)
	}
	return block
}

// benchBlocks returns the block of the first browserGET on a connection
// (literals, Huffman-coded, with incremental indexing) and of a repeated
// one (indexed fields only).
func benchBlocks() (first, repeat []byte) {
	e := NewEncoder()
	first = encodeBlock(e, browserGET)
	repeat = encodeBlock(e, browserGET)
	return first, repeat
}

func BenchmarkEncode(b *testing.B) {
	fields := byteFields(browserGET)
	b.Run("turbohttp", func(b *testing.B) {
		e := NewEncoder()
		var buf []byte
		for _, f := range fields {
			buf = e.AppendField(buf, f[0], f[1], false)
		}
		m := startCPU(b)
		for b.Loop() {
			buf = buf[:0]
			for _, f := range fields {
				buf = e.AppendField(buf, f[0], f[1], false)
			}
		}
		m.stop(b)
	})
	b.Run("xnet", func(b *testing.B) {
		var w bytes.Buffer
		e := xhpack.NewEncoder(&w)
		for _, f := range browserGET {
			e.WriteField(xhpack.HeaderField{Name: f.name, Value: f.value})
		}
		m := startCPU(b)
		for b.Loop() {
			w.Reset()
			for _, f := range browserGET {
				e.WriteField(xhpack.HeaderField{Name: f.name, Value: f.value})
			}
		}
		m.stop(b)
	})
}

// benchDecode decodes block again and again on one connection warmed up
// by decoding warm.
func benchDecode(b *testing.B, warm, block []byte) {
	b.Run("turbohttp", func(b *testing.B) {
		d := NewDecoder()
		n := 0
		emit := func(_, value []byte, _ bool) error { n += len(value); return nil }
		if err := d.Decode(warm, emit); err != nil {
			b.Fatal(err)
		}
		m := startCPU(b)
		for b.Loop() {
			if err := d.Decode(block, emit); err != nil {
				b.Fatal(err)
			}
		}
		m.stop(b)
	})
	b.Run("xnet", func(b *testing.B) {
		n := 0
		d := xhpack.NewDecoder(DefaultDynamicTableSize, func(f xhpack.HeaderField) { n += len(f.Value) })
		if _, err := d.Write(warm); err != nil {
			b.Fatal(err)
		}
		m := startCPU(b)
		for b.Loop() {
			if _, err := d.Write(block); err != nil {
				b.Fatal(err)
			}
			if err := d.Close(); err != nil {
				b.Fatal(err)
			}
		}
		m.stop(b)
	})
}

// BenchmarkDecode decodes the first request of a connection: Huffman-coded
// literals that enter the (full, warm) dynamic table.
func BenchmarkDecode(b *testing.B) {
	first, _ := benchBlocks()
	benchDecode(b, first, first)
}

// BenchmarkDecodeIndexed decodes a repeated request: indexed fields only.
func BenchmarkDecodeIndexed(b *testing.B) {
	first, repeat := benchBlocks()
	benchDecode(b, first, repeat)
}

func BenchmarkHuffmanDecode(b *testing.B) {
	src := AppendHuffman(nil, []byte(browserGET[4].value))
	b.Run("turbohttp", func(b *testing.B) {
		var dst []byte
		b.SetBytes(int64(len(browserGET[4].value)))
		m := startCPU(b)
		for b.Loop() {
			dst, _ = HuffmanDecode(dst[:0], src)
		}
		m.stop(b)
	})
	b.Run("xnet", func(b *testing.B) {
		var w bytes.Buffer
		b.SetBytes(int64(len(browserGET[4].value)))
		m := startCPU(b)
		for b.Loop() {
			w.Reset()
			xhpack.HuffmanDecode(&w, src)
		}
		m.stop(b)
	})
}

func BenchmarkHuffmanEncode(b *testing.B) {
	src := []byte(browserGET[4].value)
	var dst []byte
	b.SetBytes(int64(len(src)))
	m := startCPU(b)
	for b.Loop() {
		dst = AppendHuffman(dst[:0], src)
	}
	m.stop(b)
}

// corpusBlocks encodes the first n lists of the interop corpus on one
// connection.
func corpusBlocks(n int) [][]byte {
	lists, _ := corpus(9, n)
	e := NewEncoder()
	blocks := make([][]byte, len(lists))
	for i, fields := range lists {
		for _, f := range fields {
			blocks[i] = e.AppendFieldString(blocks[i], f.name, f.value, f.sensitive)
		}
	}
	return blocks
}

// BenchmarkDecodeCorpus decodes 200 realistic blocks, requests and
// responses, as they follow each other on one connection, starting each
// time from a fresh Decoder.
func BenchmarkDecodeCorpus(b *testing.B) {
	blocks := corpusBlocks(200)
	b.Run("turbohttp", func(b *testing.B) {
		n := 0
		emit := func(_, value []byte, _ bool) error { n += len(value); return nil }
		m := startCPU(b)
		for b.Loop() {
			d := NewDecoder()
			for _, block := range blocks {
				if err := d.Decode(block, emit); err != nil {
					b.Fatal(err)
				}
			}
		}
		m.stop(b)
	})
	b.Run("xnet", func(b *testing.B) {
		n := 0
		emit := func(f xhpack.HeaderField) { n += len(f.Value) }
		m := startCPU(b)
		for b.Loop() {
			d := xhpack.NewDecoder(DefaultDynamicTableSize, emit)
			for _, block := range blocks {
				if _, err := d.Write(block); err != nil {
					b.Fatal(err)
				}
			}
		}
		m.stop(b)
	})
}

// BenchmarkEncodeCorpus encodes the same 200 header lists on a fresh
// Encoder each time.
func BenchmarkEncodeCorpus(b *testing.B) {
	lists, _ := corpus(9, 200)
	b.Run("turbohttp", func(b *testing.B) {
		var buf []byte
		m := startCPU(b)
		for b.Loop() {
			e := NewEncoder()
			for _, fields := range lists {
				buf = buf[:0]
				for _, f := range fields {
					buf = e.AppendFieldString(buf, f.name, f.value, f.sensitive)
				}
			}
		}
		m.stop(b)
	})
	b.Run("xnet", func(b *testing.B) {
		var w bytes.Buffer
		m := startCPU(b)
		for b.Loop() {
			e := xhpack.NewEncoder(&w)
			for _, fields := range lists {
				w.Reset()
				for _, f := range fields {
					e.WriteField(xhpack.HeaderField{Name: f.name, Value: f.value, Sensitive: f.sensitive})
				}
			}
		}
		m.stop(b)
	})
}
