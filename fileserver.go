package turbohttp

import (
	"errors"
	"html"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"turbohttp/internal/ascii"
)

// FileServer returns a handler that serves the files of root, as net/http's
// FileServerFS does. The request path, percent-decoded and cleaned, names a
// file of root; ".." can never leave it. The handler:
//
//   - answers only GET and HEAD; any other method gets 405 with
//     "Allow: GET, HEAD";
//   - refuses with 400 a path that is badly percent-encoded or holds a
//     backslash or a NUL byte, so that no file system sees them;
//   - redirects (301, relative Location, query kept) a directory requested
//     without a trailing slash to the slashed path, a file requested with
//     one to the path without it, and any path ending in "/index.html" to
//     "./";
//   - serves a directory's index.html, or else an HTML listing of its
//     entries, sorted by name, with their Last-Modified;
//   - serves a file as ServeContent does, with an ETag (see below);
//   - answers errors with a plain-text body that never names a file:
//     404 for a file that does not exist, 403 for one it may not read,
//     500 otherwise.
//
// Every response but 304 carries a Content-Length (0 for redirects and
// 412), so the server never has to chunk; HEAD gets the GET head with no
// body.
//
// The ETag of a file is a strong validator built from its modification
// time and size, "<hex Unix nanoseconds>-<hex size>" in quotes; a file
// whose modification time is unknown (zero) gets none, nor any
// Last-Modified. An ETag already in the response header (set by a
// middleware) is kept.
//
// The files of root must implement io.Seeker or io.ReaderAt, as those of
// os.DirFS, embed.FS and fstest.MapFS do; others get 500.
func FileServer(root fs.FS) Handler { return &fileHandler{root: root} }

type fileHandler struct {
	root fs.FS
}

func (fh *fileHandler) ServeHTTP(w ResponseWriter, r *Request) {
	if r.Method != MethodGet && r.Method != MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		fsError(w, r, "405 method not allowed", StatusMethodNotAllowed)
		return
	}
	upath, ok := fsDecodePath(r.URL.Path)
	if !ok {
		fsError(w, r, "400 bad request: invalid URL path", StatusBadRequest)
		return
	}
	if !strings.HasPrefix(upath, "/") {
		upath = "/" + upath
	}
	serveFile(w, r, fh.root, upath, path.Clean(upath), true)
}

// ServeFileFS replies to r with the file or directory name of fsys, as
// FileServer would, whatever the request path says: only the redirects of
// a directory requested without a trailing slash and of a path ending in
// "/index.html" look at it. name is a slash-separated path in fsys; a
// leading slash is ignored. As net/http does, a request whose path holds a
// ".." element is refused with 400, in case the caller built name from it.
// Unlike FileServer, it leaves the method to the caller.
func ServeFileFS(w ResponseWriter, r *Request, fsys fs.FS, name string) {
	upath, ok := fsDecodePath(r.URL.Path)
	if !ok || fsContainsDotDot(upath) {
		fsError(w, r, "400 bad request: invalid URL path", StatusBadRequest)
		return
	}
	serveFile(w, r, fsys, upath, name, false)
}

// serveFile serves name of fsys in reply to a request for upath (decoded).
// With redirect, it also sends file paths with a trailing slash back to the
// path without it.
func serveFile(w ResponseWriter, r *Request, fsys fs.FS, upath, name string, redirect bool) {
	if strings.HasSuffix(upath, "/index.html") {
		fsRedirect(w, r, "./")
		return
	}
	f, fi, err := fsOpen(fsys, name)
	if err != nil {
		fsOpenError(w, r, err)
		return
	}
	defer f.Close()
	slashed := strings.HasSuffix(upath, "/")
	switch {
	case fi.IsDir() && !slashed:
		fsRedirect(w, r, fsRelativeRef(path.Base(upath))+"/")
		return
	case redirect && !fi.IsDir() && slashed:
		base := path.Base(upath)
		if base == "/" || base == "." {
			fsError(w, r, "500 Internal Server Error", StatusInternalServerError)
			return
		}
		fsRedirect(w, r, "../"+fsEscapeSegment(base))
		return
	}
	if fi.IsDir() {
		index, ifi := fsOpenIndex(fsys, name)
		if index == nil {
			fsServeDir(w, r, f, fi.ModTime())
			return
		}
		defer index.Close()
		f, fi = index, ifi
	}
	content, ok := fsSeekable(f, fi.Size())
	if !ok {
		fsError(w, r, "500 Internal Server Error", StatusInternalServerError)
		return
	}
	if !fsIsZeroTime(fi.ModTime()) && !w.Header().Has("ETag") {
		w.Header().Set("ETag", fsETag(fi.ModTime(), fi.Size()))
	}
	serveContent(w, r, fi.Name(), fi.ModTime(), fi.Size(), content)
}

// fsOpenIndex opens the index.html file of directory dir, or returns nil
// when there is none (or it is not a regular file).
func fsOpenIndex(fsys fs.FS, dir string) (fs.File, fs.FileInfo) {
	f, fi, err := fsOpen(fsys, path.Join(dir, "index.html"))
	if err != nil {
		return nil, nil
	}
	if fi.IsDir() {
		f.Close()
		return nil, nil
	}
	return f, fi
}

// fsOpen opens name in fsys, a slash-separated path with or without a
// leading slash, and stats it. It turns the error of a path that goes
// through a file, as if it were a directory, into fs.ErrNotExist.
func fsOpen(fsys fs.FS, name string) (fs.File, fs.FileInfo, error) {
	name = strings.TrimPrefix(name, "/")
	if name == "" {
		name = "."
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil, fsMapOpenError(fsys, name, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// fsMapOpenError returns fs.ErrNotExist for an error other than "not
// found" or "permission denied" when a parent of name is not a directory
// (as with ENOTDIR from os.DirFS); otherwise err.
func fsMapOpenError(fsys fs.FS, name string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return err
	}
	for i := 0; i < len(name); i++ {
		if name[i] != '/' {
			continue
		}
		fi, serr := fs.Stat(fsys, name[:i])
		if serr != nil {
			return err
		}
		if !fi.IsDir() {
			return fs.ErrNotExist
		}
	}
	return err
}

// fsOpenError answers an error from opening or reading a file without
// revealing anything of the file system. A name that is invalid, or too
// long for the file system, names no file: 404 (net/http answers 500 to
// the latter).
func fsOpenError(w ResponseWriter, r *Request, err error) {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrInvalid), errors.Is(err, syscall.ENAMETOOLONG):
		fsError(w, r, "404 page not found", StatusNotFound)
	case errors.Is(err, fs.ErrPermission):
		fsError(w, r, "403 Forbidden", StatusForbidden)
	default:
		fsError(w, r, "500 Internal Server Error", StatusInternalServerError)
	}
}

// fsError answers with code and msg as a plain-text body. It removes the
// fields that described the content it could not serve (Cache-Control,
// Content-Encoding, ETag, Last-Modified), as net/http does.
func fsError(w ResponseWriter, r *Request, msg string, code int) {
	h := w.Header()
	for _, name := range [...]string{"Cache-Control", "Content-Encoding", "ETag", "Last-Modified"} {
		h.Del(name)
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	fsSetLength(h, int64(len(msg)+1))
	w.WriteHeader(code)
	if r.Method != MethodHead {
		w.WriteString(msg)
		w.WriteString("\n")
	}
}

// fsRedirect answers 301 with a relative Location, to which it appends the
// request's query. The body is empty.
func fsRedirect(w ResponseWriter, r *Request, location string) {
	if len(r.URL.RawQuery) > 0 {
		location += "?" + string(r.URL.RawQuery)
	}
	h := w.Header()
	h.Set("Location", location)
	fsSetLength(h, 0)
	w.WriteHeader(StatusMovedPermanently)
}

// fsServeDir answers with a listing of the directory f, or 304 when the
// request's If-Modified-Since shows the client has it.
func fsServeDir(w ResponseWriter, r *Request, f fs.File, modtime time.Time) {
	if fsCheckIfModifiedSince(r, modtime) == fsCondFalse {
		fsWriteNotModified(w)
		return
	}
	d, ok := f.(fs.ReadDirFile)
	if !ok {
		fsError(w, r, "500 Internal Server Error", StatusInternalServerError)
		return
	}
	entries, err := d.ReadDir(-1)
	if err != nil {
		fsError(w, r, "Error reading directory", StatusInternalServerError)
		return
	}
	body := fsAppendListing(nil, entries)
	h := w.Header()
	fsSetLastModified(h, modtime)
	h.Set("Content-Type", "text/html; charset=utf-8")
	fsSetLength(h, int64(len(body)))
	w.WriteHeader(StatusOK)
	if r.Method != MethodHead {
		w.Write(body)
	}
}

// fsAppendListing appends an HTML listing of entries to b, sorted by name:
// one link per entry, a directory's with a trailing slash, in the format
// net/http uses. Names are escaped for the URL and for HTML.
func fsAppendListing(b []byte, entries []fs.DirEntry) []byte {
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	b = append(b, "<!doctype html>\n<meta name=\"viewport\" content=\"width=device-width\">\n<pre>\n"...)
	for _, e := range entries {
		name, href := e.Name(), fsRelativeRef(e.Name())
		if e.IsDir() {
			name += "/"
			href += "/"
		}
		b = append(b, "<a href=\""...)
		b = append(b, html.EscapeString(href)...)
		b = append(b, "\">"...)
		b = append(b, html.EscapeString(name)...)
		b = append(b, "</a>\n"...)
	}
	return append(b, "</pre>\n"...)
}

// fsSeekable returns f as an io.ReadSeeker: f itself, or a section reader
// over its io.ReaderAt; false when it is neither.
func fsSeekable(f fs.File, size int64) (io.ReadSeeker, bool) {
	switch f := f.(type) {
	case io.ReadSeeker:
		return f, true
	case io.ReaderAt:
		return io.NewSectionReader(f, 0, size), true
	}
	return nil, false
}

// fsETag returns the entity tag FileServer gives a file with this
// modification time and size.
func fsETag(modtime time.Time, size int64) string {
	b := make([]byte, 0, 36)
	b = append(b, '"')
	b = strconv.AppendUint(b, uint64(modtime.UnixNano()), 16)
	b = append(b, '-')
	b = strconv.AppendUint(b, uint64(size), 16)
	return string(append(b, '"'))
}

// fsSetLength sets Content-Length to n.
func fsSetLength(h *Header, n int64) {
	var buf [20]byte
	h.SetBytes([]byte("Content-Length"), strconv.AppendInt(buf[:0], n, 10))
}

// fsDecodePath percent-decodes a request path. It reports false for a bad
// escape and for a path that holds a NUL byte or a backslash, which some
// file systems would take for something else than a file name byte.
func fsDecodePath(p []byte) (string, bool) {
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' {
			if i+2 >= len(p) {
				return "", false
			}
			hi, ok1 := ascii.HexValue(p[i+1])
			lo, ok2 := ascii.HexValue(p[i+2])
			if !ok1 || !ok2 {
				return "", false
			}
			c = hi<<4 | lo
			i += 2
		}
		if c == 0 || c == '\\' {
			return "", false
		}
		b = append(b, c)
	}
	return string(b), true
}

// fsContainsDotDot reports whether p has a ".." element.
func fsContainsDotDot(p string) bool {
	for elem := range strings.SplitSeq(p, "/") {
		if elem == ".." {
			return true
		}
	}
	return false
}

// fsRelativeRef returns a relative reference to the sibling named s: s
// escaped, with a "./" prefix when it holds a ':', lest the part before
// read as a scheme.
func fsRelativeRef(s string) string {
	if strings.IndexByte(s, ':') >= 0 {
		return "./" + fsEscapeSegment(s)
	}
	return fsEscapeSegment(s)
}

// fsEscapeSegment percent-encodes s for use as one path segment: every
// byte but the unreserved ones, the sub-delimiters, ':' and '@'.
func fsEscapeSegment(s string) string {
	b := make([]byte, 0, len(s))
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if fsSegmentByte(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

// fsSegmentByte reports whether c may stand unescaped in a path segment
// (RFC 3986 pchar, less '%').
func fsSegmentByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0
}
