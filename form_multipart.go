package turbohttp

import (
	"errors"
	"mime"
	"mime/multipart"
	"net/url"
)

// maxMultipartBytes is DefaultMaxMultipartBytes, a variable so that a test
// can show the bound at work without sending 256 MiB.
var maxMultipartBytes int64 = DefaultMaxMultipartBytes

// ParseMultipartForm parses a multipart/form-data body into
// r.MultipartForm (and its values into r.Form and r.PostForm, after those
// of ParseForm), using mime/multipart: at most maxMemory bytes of file
// parts are held in memory (and 10 MB more for the other parts), the rest
// spills to temporary files, which the server removes when the handler
// returns. The whole body is bounded by DefaultMaxMultipartBytes (or the
// limit of a MaxBytesReader around it): past that, the error is a
// *MaxBytesError and no temporary file is left. A second call does
// nothing. A body that is not multipart/form-data gets ErrNotMultipart.
func (r *Request) ParseMultipartForm(maxMemory int64) error {
	if r.MultipartForm == multipartByReader {
		return errMultipartByReader
	}
	var formErr error
	if r.Form == nil {
		formErr = r.ParseForm()
	}
	if r.MultipartForm != nil {
		return nil
	}
	mr, err := r.multipartReader(false)
	if err != nil {
		return err
	}
	f, err := mr.ReadForm(maxMemory)
	if err != nil {
		var mbe *MaxBytesError
		if errors.As(err, &mbe) {
			err = mbe // not wrapped in multipart's own text
		}
		return err
	}
	if r.PostForm == nil {
		r.PostForm = make(url.Values)
	}
	appendValues(r.Form, f.Value)
	appendValues(r.PostForm, f.Value)
	r.MultipartForm = f
	return formErr
}

// MultipartReader returns a reader over the parts of a multipart/form-data
// or multipart/mixed body, for handlers that stream the parts instead of
// parsing the form. It fails once the form was parsed, and afterwards
// ParseMultipartForm does. The body is not bounded by
// DefaultMaxMultipartBytes: the handler reads what it chooses.
func (r *Request) MultipartReader() (*multipart.Reader, error) {
	if r.MultipartForm == multipartByReader {
		return nil, errors.New("turbohttp: MultipartReader called twice")
	}
	if r.MultipartForm != nil {
		return nil, errors.New("turbohttp: multipart handled by ParseMultipartForm")
	}
	mr, err := r.multipartReader(true)
	if err == nil {
		r.MultipartForm = multipartByReader
	}
	return mr, err
}

// multipartReader returns a multipart reader over r's body, bounded by
// DefaultMaxMultipartBytes unless the body is a MaxBytesReader (or the
// reader is for MultipartReader, allowMixed).
func (r *Request) multipartReader(allowMixed bool) (*multipart.Reader, error) {
	ct := r.Header.Peek("Content-Type")
	if ct == nil {
		return nil, ErrNotMultipart
	}
	if r.Body == nil {
		return nil, ErrMissingFormBody
	}
	mt, params, err := mime.ParseMediaType(string(ct))
	if err != nil || !(mt == "multipart/form-data" || allowMixed && mt == "multipart/mixed") {
		return nil, ErrNotMultipart
	}
	boundary, ok := params["boundary"]
	if !ok {
		return nil, ErrMissingBoundary
	}
	body := r.Body
	if _, ok := body.(*maxBytesReader); !ok && !allowMixed {
		body = &maxBytesReader{r: body, n: maxMultipartBytes, limit: maxMultipartBytes}
	}
	return multipart.NewReader(body, boundary), nil
}

// FormFile returns the first file part named key of a multipart form,
// parsing the form first if needed (ParseMultipartForm with
// DefaultMaxMemory). The file is valid until the handler returns; the
// caller closes it. ErrMissingFile reports that there is no such part.
func (r *Request) FormFile(key string) (multipart.File, *multipart.FileHeader, error) {
	if r.MultipartForm == multipartByReader {
		return nil, nil, errMultipartByReader
	}
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(DefaultMaxMemory); err != nil {
			return nil, nil, err
		}
	}
	if r.MultipartForm != nil && r.MultipartForm.File != nil {
		if fhs := r.MultipartForm.File[key]; len(fhs) > 0 {
			f, err := fhs[0].Open()
			return f, fhs[0], err
		}
	}
	return nil, nil, ErrMissingFile
}

// removeMultipartFiles removes the temporary files of a parsed multipart
// form and forgets the form.
func (r *Request) removeMultipartFiles() {
	if f := r.MultipartForm; f != nil && f != multipartByReader {
		f.RemoveAll()
	}
	r.MultipartForm = nil
}
