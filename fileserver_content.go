package turbohttp

import (
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"path/filepath"
	"sync"
	"time"
)

// ServeContent replies to r with content, as net/http's ServeContent does:
// it answers conditional requests and Range requests and sets the media
// type. Its size is found by seeking to its end; it must then be seekable
// to any offset.
//
//   - Content-Type: unless the response header has one already, the type
//     registered for name's extension (mime.TypeByExtension), else
//     DetectContentType of the first SniffLen bytes. name is used for
//     nothing else and may be empty.
//   - Last-Modified: modtime, unless it is zero or the Unix epoch, in which
//     case If-Modified-Since and If-Unmodified-Since are ignored.
//   - ETag: ServeContent sets none, but uses the one the caller put in the
//     response header for If-Match, If-None-Match and If-Range.
//   - Preconditions are evaluated in the order of RFC 9110 §13.2.2:
//     If-Match, or else If-Unmodified-Since (false: 412); If-None-Match
//     (false: 304 for GET and HEAD, 412 otherwise), or else
//     If-Modified-Since (false: 304, GET and HEAD only); If-Range, which
//     drops the Range field unless it matches (a strong ETag, or exactly
//     the Last-Modified date).
//   - Range (unit "bytes"): one range gets 206 with Content-Range; several
//     get 206 as multipart/byteranges. A request none of whose ranges
//     overlaps the content gets 416 with "Content-Range: bytes */size"; a
//     malformed one gets 416. Empty content is served whole (200) to any
//     well-formed Range, where net/http answers a suffix range ("-5") with
//     a 206 whose Content-Range is malformed. Ranges that overlap
//     each other, that number more than MaxServedRanges, or whose total
//     exceeds the size of the content are answered with the whole content
//     (200): net/http does so for the last case; the others protect the
//     server from being made to send much more than the content.
//   - Accept-Ranges: bytes, on 200 and 206.
//   - Content-Length: always set, for HEAD too, which gets no body; unlike
//     net/http, even when the caller set a Content-Encoding.
//
// Error responses have a short plain-text body that never includes an
// error's text, and lose any Cache-Control, Content-Encoding, ETag and
// Last-Modified the caller set. If content fails while the body is sent,
// the response is cut short of its Content-Length, which the server
// notices.
func ServeContent(w ResponseWriter, r *Request, name string, modtime time.Time, content io.ReadSeeker) {
	serveContent(w, r, name, modtime, -1, content)
}

// MaxServedRanges is the largest number of ranges ServeContent and
// FileServer serve from one Range field; a request for more is answered
// with the whole content.
const MaxServedRanges = 100

// serveContent implements ServeContent; a size of -1 means unknown, to be
// found by seeking. content is at its start.
func serveContent(w ResponseWriter, r *Request, name string, modtime time.Time, size int64, content io.ReadSeeker) {
	h := w.Header()
	fsSetLastModified(h, modtime)
	rangeField, done := fsCheckPreconditions(w, r, modtime)
	if done {
		return
	}
	ctype, ok := fsContentType(h, name, content)
	if !ok {
		fsError(w, r, "seeker can't seek", StatusInternalServerError)
		return
	}
	if size < 0 {
		if size, ok = fsContentSize(content); !ok {
			fsError(w, r, "seeker can't seek", StatusInternalServerError)
			return
		}
	}
	ranges, err := fsParseRange(rangeField, size)
	switch {
	case err == errFSNoOverlap && size == 0:
		ranges = nil // an empty file is served whole whatever the range
	case err == errFSNoOverlap:
		h.Set("Content-Range", fsAppendUnsatisfied(nil, size))
		fallthrough
	case err != nil:
		fsError(w, r, err.Error(), StatusRangeNotSatisfiable)
		return
	}
	if !fsRangesServable(ranges, size) {
		ranges = nil
	}
	switch len(ranges) {
	case 0:
		fsSendRange(w, r, content, fsRange{0, size}, StatusOK)
	case 1:
		h.SetBytes([]byte("Content-Range"), ranges[0].appendContentRange(nil, size))
		fsSendRange(w, r, content, ranges[0], StatusPartialContent)
	default:
		fsSendMultipart(w, r, content, ranges, ctype, size)
	}
}

// fsContentType returns the response's media type, setting Content-Type
// from name or the content when it is unset. It reports false when the
// content cannot be rewound after sniffing.
func fsContentType(h *Header, name string, content io.ReadSeeker) (string, bool) {
	if h.Has("Content-Type") {
		return h.Get("Content-Type"), true
	}
	ctype := mime.TypeByExtension(filepath.Ext(name))
	if ctype == "" {
		var buf [SniffLen]byte
		n, _ := io.ReadFull(content, buf[:])
		ctype = DetectContentType(buf[:n])
		if _, err := content.Seek(0, io.SeekStart); err != nil {
			return "", false
		}
	}
	h.Set("Content-Type", ctype)
	return ctype, true
}

// fsContentSize finds the size of content by seeking to its end, and
// rewinds it.
func fsContentSize(content io.Seeker) (int64, bool) {
	size, err := content.Seek(0, io.SeekEnd)
	if err != nil || size < 0 {
		return 0, false
	}
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return 0, false
	}
	return size, true
}

// fsSendRange answers with code and the bytes of ra.
func fsSendRange(w ResponseWriter, r *Request, content io.ReadSeeker, ra fsRange, code int) {
	if ra.start != 0 {
		if _, err := content.Seek(ra.start, io.SeekStart); err != nil {
			fsError(w, r, "seeker can't seek", StatusInternalServerError)
			return
		}
	}
	h := w.Header()
	h.Set("Accept-Ranges", "bytes")
	fsSetLength(h, ra.length)
	w.WriteHeader(code)
	if r.Method != MethodHead {
		fsCopy(w, content, ra.length)
	}
}

// fsSendMultipart answers 206 with ranges as a multipart/byteranges body
// (RFC 9110 §14.6), each part with its Content-Type and Content-Range.
func fsSendMultipart(w ResponseWriter, r *Request, content io.ReadSeeker, ranges []fsRange, ctype string, size int64) {
	mw := multipart.NewWriter(w) // writes nothing before CreatePart
	var count fsCountingWriter
	cw := multipart.NewWriter(&count)
	cw.SetBoundary(mw.Boundary())
	for _, ra := range ranges {
		cw.CreatePart(fsPartHeader(ra, ctype, size))
		count += fsCountingWriter(ra.length)
	}
	cw.Close()

	h := w.Header()
	h.Set("Content-Type", "multipart/byteranges; boundary="+mw.Boundary())
	h.Set("Accept-Ranges", "bytes")
	fsSetLength(h, int64(count))
	w.WriteHeader(StatusPartialContent)
	if r.Method == MethodHead {
		return
	}
	for _, ra := range ranges {
		part, err := mw.CreatePart(fsPartHeader(ra, ctype, size))
		if err != nil {
			return
		}
		if _, err := content.Seek(ra.start, io.SeekStart); err != nil {
			return
		}
		if fsCopy(part, content, ra.length) != ra.length {
			return
		}
	}
	mw.Close()
}

// fsPartHeader returns the header of ra's part in a multipart/byteranges
// body.
func fsPartHeader(ra fsRange, ctype string, size int64) textproto.MIMEHeader {
	h := textproto.MIMEHeader{"Content-Range": {string(ra.appendContentRange(nil, size))}}
	if ctype != "" {
		h["Content-Type"] = []string{ctype}
	}
	return h
}

// fsCountingWriter counts the bytes written to it.
type fsCountingWriter int64

func (c *fsCountingWriter) Write(p []byte) (int, error) {
	*c += fsCountingWriter(len(p))
	return len(p), nil
}

// fsCopyBufferSize is the size of the buffers fsCopy borrows when dst
// cannot read from src itself.
const fsCopyBufferSize = 32 << 10

var fsCopyBuffers = sync.Pool{New: func() any { return new([fsCopyBufferSize]byte) }}

// fsCopy copies n bytes from src to dst, through dst's io.ReaderFrom when
// it has one (which may use sendfile), and returns how many it copied.
func fsCopy(dst io.Writer, src io.Reader, n int64) int64 {
	buf := fsCopyBuffers.Get().(*[fsCopyBufferSize]byte)
	defer fsCopyBuffers.Put(buf)
	copied, _ := io.CopyBuffer(dst, io.LimitReader(src, n), buf[:])
	return copied
}
