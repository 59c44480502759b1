package turbohttp

import "encoding/binary"

// SniffLen is the number of leading bytes of content DetectContentType
// looks at; bytes after it never change the answer.
const SniffLen = 512

// DetectContentType determines the media type of data with the MIME
// Sniffing algorithm of the WHATWG (https://mimesniff.spec.whatwg.org/), as
// net/http's DetectContentType does, and gives the same answer for every
// input. It considers at most the first SniffLen bytes, never allocates,
// and always returns a valid media type: "application/octet-stream" when
// nothing more specific fits.
//
// The server calls it for a response whose handler set no Content-Type.
func DetectContentType(data []byte) string {
	if len(data) > SniffLen {
		data = data[:SniffLen]
	}
	ws := 0 // index of the first byte that is not whitespace
	for ws < len(data) && isSniffWS(data[ws]) {
		ws++
	}
	for i := range sniffTable {
		if s := &sniffTable[i]; s.match(data, ws) {
			return s.ctype
		}
	}
	return "application/octet-stream"
}

// sniffRule says how a sniffSig's pattern is compared with the content.
type sniffRule uint8

const (
	// sniffPrefix: the content starts with the pattern, each byte compared
	// under the mask (all bits when the mask is empty).
	sniffPrefix sniffRule = iota
	// sniffSkipWS: sniffPrefix after the leading whitespace.
	sniffSkipWS
	// sniffHTML: after the leading whitespace, the pattern with its
	// letters in any case, then a tag-terminating byte (space or '>').
	sniffHTML
	// sniffMP4: an ISO BMFF "ftyp" box naming an "mp4" brand (§6.2.1).
	sniffMP4
	// sniffText: no binary data byte after the leading whitespace (§7.1
	// step 4); the table's last entry.
	sniffText
)

// sniffSig is one row of the signature table: a rule, its pattern and
// mask, and the media type it identifies.
type sniffSig struct {
	rule    sniffRule
	pattern string // upper case for sniffHTML
	mask    string // same length as pattern, or "" for all bits
	ctype   string
}

// sniffTable lists the signatures in the order the algorithm tries them
// (the spec's tables of §7.1, §6.1, §6.2, §6.3 and §6.4, in net/http's
// order and with its additions: WASM and the RAR Labs signatures). The
// first match wins.
var sniffTable = [...]sniffSig{
	{rule: sniffHTML, pattern: "<!DOCTYPE HTML", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<HTML", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<HEAD", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<SCRIPT", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<IFRAME", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<H1", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<DIV", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<FONT", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<TABLE", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<A", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<STYLE", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<TITLE", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<B", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<BODY", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<BR", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<P", ctype: sniffHTMLType},
	{rule: sniffHTML, pattern: "<!--", ctype: sniffHTMLType},
	{rule: sniffSkipWS, pattern: "<?xml", ctype: "text/xml; charset=utf-8"},
	{pattern: "%PDF-", ctype: "application/pdf"},
	{pattern: "%!PS-Adobe-", ctype: "application/postscript"},

	// Byte order marks; the masked-out bytes must be present.
	{pattern: "\xFE\xFF\x00\x00", mask: "\xFF\xFF\x00\x00", ctype: "text/plain; charset=utf-16be"},
	{pattern: "\xFF\xFE\x00\x00", mask: "\xFF\xFF\x00\x00", ctype: "text/plain; charset=utf-16le"},
	{pattern: "\xEF\xBB\xBF\x00", mask: "\xFF\xFF\xFF\x00", ctype: "text/plain; charset=utf-8"},

	// Images (§6.1).
	{pattern: "\x00\x00\x01\x00", ctype: "image/x-icon"},
	{pattern: "\x00\x00\x02\x00", ctype: "image/x-icon"},
	{pattern: "BM", ctype: "image/bmp"},
	{pattern: "GIF87a", ctype: "image/gif"},
	{pattern: "GIF89a", ctype: "image/gif"},
	{pattern: "RIFF\x00\x00\x00\x00WEBPVP", mask: "\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF", ctype: "image/webp"},
	{pattern: "\x89PNG\x0D\x0A\x1A\x0A", ctype: "image/png"},
	{pattern: "\xFF\xD8\xFF", ctype: "image/jpeg"},

	// Audio and video (§6.2).
	{pattern: "FORM\x00\x00\x00\x00AIFF", mask: "\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF", ctype: "audio/aiff"},
	{pattern: "ID3", ctype: "audio/mpeg"},
	{pattern: "OggS\x00", ctype: "application/ogg"},
	{pattern: "MThd\x00\x00\x00\x06", ctype: "audio/midi"},
	{pattern: "RIFF\x00\x00\x00\x00AVI ", mask: "\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF", ctype: "video/avi"},
	{pattern: "RIFF\x00\x00\x00\x00WAVE", mask: "\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF", ctype: "audio/wave"},
	{rule: sniffMP4, ctype: "video/mp4"},
	{pattern: "\x1A\x45\xDF\xA3", ctype: "video/webm"},

	// Fonts (§6.3): Embedded OpenType is 34 bytes of anything, then "LP".
	{pattern: sniffEOTPattern, mask: sniffEOTMask, ctype: "application/vnd.ms-fontobject"},
	{pattern: "\x00\x01\x00\x00", ctype: "font/ttf"},
	{pattern: "OTTO", ctype: "font/otf"},
	{pattern: "ttcf", ctype: "font/collection"},
	{pattern: "wOFF", ctype: "font/woff"},
	{pattern: "wOF2", ctype: "font/woff2"},

	// Archives (§6.4), RAR as RAR Labs defines it (whatwg/mimesniff#63).
	{pattern: "\x1F\x8B\x08", ctype: "application/x-gzip"},
	{pattern: "PK\x03\x04", ctype: "application/zip"},
	{pattern: "Rar!\x1A\x07\x00", ctype: "application/x-rar-compressed"},
	{pattern: "Rar!\x1A\x07\x01\x00", ctype: "application/x-rar-compressed"},
	{pattern: "\x00asm", ctype: "application/wasm"},

	{rule: sniffText, ctype: "text/plain; charset=utf-8"},
}

const (
	sniffHTMLType   = "text/html; charset=utf-8"
	sniffEOTPattern = "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00LP"
	sniffEOTMask    = "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xFF\xFF"
)

// match reports whether data, whose first non-whitespace byte is at ws,
// has the signature.
func (s *sniffSig) match(data []byte, ws int) bool {
	switch s.rule {
	case sniffPrefix:
		return s.matchMasked(data)
	case sniffSkipWS:
		return s.matchMasked(data[ws:])
	case sniffHTML:
		return s.matchHTML(data[ws:])
	case sniffMP4:
		return sniffIsMP4(data)
	case sniffText:
		return !sniffHasBinary(data[ws:])
	}
	return false
}

// matchMasked reports whether data starts with the pattern under the mask.
func (s *sniffSig) matchMasked(data []byte) bool {
	if len(data) < len(s.pattern) {
		return false
	}
	if s.mask == "" {
		return string(data[:len(s.pattern)]) == s.pattern
	}
	for i := 0; i < len(s.pattern); i++ {
		if data[i]&s.mask[i] != s.pattern[i] {
			return false
		}
	}
	return true
}

// matchHTML reports whether data starts with the pattern, its letters in
// either case, followed by a tag-terminating byte.
func (s *sniffSig) matchHTML(data []byte) bool {
	n := len(s.pattern)
	if len(data) <= n {
		return false
	}
	for i := 0; i < n; i++ {
		p, d := s.pattern[i], data[i]
		if 'A' <= p && p <= 'Z' {
			d &= 0xDF // fold a lower-case letter onto its upper case
		}
		if d != p {
			return false
		}
	}
	return data[n] == ' ' || data[n] == '>'
}

// sniffIsMP4 implements the MP4 signature (§6.2.1): data starts with a box
// whose 32-bit size is a multiple of 4 and fits in data, of type "ftyp",
// listing "mp4" as its major brand or among its compatible brands (the
// 4 bytes at offset 12, the minor version, are skipped).
func sniffIsMP4(data []byte) bool {
	if len(data) < 12 {
		return false
	}
	size := binary.BigEndian.Uint32(data)
	if uint64(size) > uint64(len(data)) || size%4 != 0 || string(data[4:8]) != "ftyp" {
		return false
	}
	for off := 8; off < int(size); off += 4 {
		if off != 12 && string(data[off:off+3]) == "mp4" {
			return true
		}
	}
	return false
}

// sniffHasBinary reports whether data holds a binary data byte (§3): a
// control byte other than TAB, LF, FF, CR and ESC.
func sniffHasBinary(data []byte) bool {
	for _, b := range data {
		if b < 0x20 && sniffBinary>>b&1 != 0 {
			return true
		}
	}
	return false
}

// sniffBinary has bit b set for each binary data byte b below 0x20:
// 0x00–0x08, 0x0B, 0x0E–0x1A and 0x1C–0x1F.
const sniffBinary uint32 = 0x1FF | 1<<0x0B | (1<<0x1B-1)&^(1<<0x0E-1) | 0xF<<0x1C

// isSniffWS reports whether b is a whitespace byte (§3): TAB, LF, FF, CR
// or space.
func isSniffWS(b byte) bool {
	return b == '\t' || b == '\n' || b == '\x0c' || b == '\r' || b == ' '
}
