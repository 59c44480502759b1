package turbohttp

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
)

// Form limits. Like net/http, a body wrapped in MaxBytesReader is bounded
// by its own limit instead.
const (
	// DefaultMaxFormBytes bounds the url-encoded body ParseForm reads:
	// 10 MB, as net/http. A larger body gets a *MaxBytesError.
	DefaultMaxFormBytes = 10 << 20

	// DefaultMaxMultipartBytes bounds the whole multipart body
	// ParseMultipartForm reads, files included, so that a client cannot
	// fill the disk with temporary files: 256 MiB. A larger body gets a
	// *MaxBytesError. (net/http has no such bound.)
	DefaultMaxMultipartBytes = 256 << 20

	// DefaultMaxMemory is the memory FormValue, PostFormValue and FormFile
	// let ParseMultipartForm use before file parts spill to temporary
	// files: 32 MiB, as net/http.
	DefaultMaxMemory = 32 << 20
)

// Errors of form parsing.
var (
	// ErrNotMultipart: the request's Content-Type is not
	// multipart/form-data.
	ErrNotMultipart = errors.New("turbohttp: request Content-Type isn't multipart/form-data")
	// ErrMissingBoundary: a multipart Content-Type without a boundary.
	ErrMissingBoundary = errors.New("turbohttp: no multipart boundary param in Content-Type")
	// ErrMissingFile: FormFile found no file part of that name.
	ErrMissingFile = errors.New("turbohttp: no such file")
	// ErrMissingFormBody: a form parse of a request without a Body.
	ErrMissingFormBody = errors.New("turbohttp: missing form body")
	// errMultipartByReader: ParseMultipartForm after MultipartReader.
	errMultipartByReader = errors.New("turbohttp: multipart handled by MultipartReader")
)

// multipartByReader marks a request whose body MultipartReader handed out.
var multipartByReader = &multipart.Form{}

// Query parses RawQuery into values, as net/url's ParseQuery does: an
// invalid pair (a bad percent-escape, a semicolon) is dropped and the rest
// kept. It allocates the map and its strings.
func (u *URL) Query() url.Values {
	v, _ := url.ParseQuery(string(u.RawQuery))
	return v
}

// ParseForm fills r.Form with the query values and, for a POST, PUT or
// PATCH with Content-Type application/x-www-form-urlencoded, r.PostForm
// with the body's values, which also come first in r.Form. The body is read
// to its end, up to DefaultMaxFormBytes (or the limit of a MaxBytesReader
// around it): past that, the error is a *MaxBytesError and nothing of the
// body is kept. A malformed pair is dropped, the rest kept, and the first
// error returned. A second call does nothing. Multipart bodies are left to
// ParseMultipartForm.
func (r *Request) ParseForm() error {
	var err error
	if r.PostForm == nil {
		if r.Method == MethodPost || r.Method == MethodPut || r.Method == MethodPatch {
			r.PostForm, err = r.parsePostForm()
		}
		if r.PostForm == nil {
			r.PostForm = make(url.Values)
		}
	}
	if r.Form == nil {
		query, qerr := url.ParseQuery(string(r.URL.RawQuery))
		if err == nil {
			err = qerr
		}
		r.Form = make(url.Values, len(r.PostForm)+len(query))
		appendValues(r.Form, r.PostForm)
		appendValues(r.Form, query)
	}
	return err
}

// parsePostForm reads and parses a url-encoded body.
func (r *Request) parsePostForm() (url.Values, error) {
	if r.Body == nil {
		return nil, ErrMissingFormBody
	}
	ct := r.Header.Peek("Content-Type")
	if ct == nil {
		return nil, nil // application/octet-stream (RFC 9110 §8.3)
	}
	// mime returns the media type with ErrInvalidMediaParameter for bad
	// parameters: the body is parsed, and that error reported, as net/http
	// does.
	mt, _, ctErr := mime.ParseMediaType(string(ct))
	if mt != "application/x-www-form-urlencoded" {
		return nil, ctErr
	}
	b, err := readLimited(r.Body, DefaultMaxFormBytes)
	if err != nil {
		return nil, err
	}
	v, err := url.ParseQuery(string(b))
	if ctErr != nil {
		err = ctErr
	}
	return v, err
}

// readLimited reads body to its end, failing with a *MaxBytesError past
// limit bytes, unless body is a MaxBytesReader, which enforces its own.
func readLimited(body io.Reader, limit int64) ([]byte, error) {
	if _, ok := body.(*maxBytesReader); ok {
		return io.ReadAll(body)
	}
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, &MaxBytesError{Limit: limit}
	}
	return b, err
}

// appendValues appends src's values to dst's.
func appendValues(dst, src url.Values) {
	for k, vs := range src {
		dst[k] = append(dst[k], vs...)
	}
}

// cloneValues deeply copies v, keeping nil as nil.
func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// FormValue returns the first value named key of the body (url-encoded or
// multipart) or of the query, in net/http's order of precedence: a
// url-encoded body, then the query, then a multipart body. It parses the
// form first if needed (ParseMultipartForm with DefaultMaxMemory) and
// ignores its errors; use ParseForm to see them. Once the form is parsed,
// a lookup allocates nothing.
func (r *Request) FormValue(key string) string {
	if r.Form == nil {
		r.ParseMultipartForm(DefaultMaxMemory)
	}
	if vs := r.Form[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// PostFormValue is FormValue for the body's values only, ignoring the
// query.
func (r *Request) PostFormValue(key string) string {
	if r.PostForm == nil {
		r.ParseMultipartForm(DefaultMaxMemory)
	}
	if vs := r.PostForm[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}
