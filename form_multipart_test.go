package turbohttp_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"

	"turbohttp"
	"turbohttp/turbotest"
)

// multipartBody builds a multipart/form-data body: fields as name, value
// pairs, and files as field name, file name, content triples.
func multipartBody(fields []string, files ...string) (contentType, body string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.SetBoundary("BOUNDARY")
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	for i := 0; i+2 < len(files); i += 3 {
		fw, _ := mw.CreateFormFile(files[i], files[i+1])
		io.WriteString(fw, files[i+2])
	}
	mw.Close()
	return mw.FormDataContentType(), b.String()
}

// describeFiles renders a multipart form's files for comparison.
func describeFiles(f *multipart.Form) string {
	if f == nil {
		return "<nil>"
	}
	var out []string
	for k, fhs := range f.File {
		for _, fh := range fhs {
			rc, err := fh.Open()
			if err != nil {
				out = append(out, k+":open error")
				continue
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			out = append(out, fmt.Sprintf("%s:%s:%d:%q", k, fh.Filename, fh.Size, b[:min(len(b), 16)]))
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func multipartCases() []formCase {
	ct, fieldsOnly := multipartBody([]string{"a", "1", "b", "two words", "a", "3"})
	_, withFiles := multipartBody([]string{"a", "1"}, "f", "small.txt", "hello", "g", "big.bin", strings.Repeat("z", 5000))
	_, manyParts := multipartBody(strings.Split(strings.Repeat("k,v,", 1001), ","))
	_, bigField := multipartBody([]string{"big", strings.Repeat("b", 10<<20+2048)})
	return []formCase{
		{"POST", "/?a=q&c=3", ct, fieldsOnly},
		{"POST", "/", ct, withFiles},
		{"PUT", "/", ct, withFiles},
		{"GET", "/?x=1", ct, fieldsOnly},
		{"POST", "/", ct, withFiles[:len(withFiles)/2]},                                                // truncated
		{"POST", "/", ct, strings.ReplaceAll(fieldsOnly, "BOUNDARY", "OTHER")},                         // wrong boundary
		{"POST", "/", "multipart/form-data", fieldsOnly},                                               // no boundary
		{"POST", "/", "multipart/form-data; boundary=", fieldsOnly},                                    // empty boundary
		{"POST", "/", "multipart/mixed; boundary=BOUNDARY", fieldsOnly},                                // not form-data
		{"POST", "/", "text/plain", fieldsOnly},                                                        // not multipart
		{"POST", "/", "", fieldsOnly},                                                                  // no Content-Type
		{"POST", "/", ct, "--BOUNDARY\r\nContent-Disposition: form-data\r\n\r\nx\r\n--BOUNDARY--\r\n"}, // no name
		{"POST", "/", ct, "--BOUNDARY\r\nbad header\r\n\r\nx\r\n--BOUNDARY--\r\n"},
		{"POST", "/", ct, ""},
		{"POST", "/", ct, manyParts}, // past mime/multipart's 1000 parts
		{"POST", "/", ct, bigField},  // past its 10 MB of non-file parts
	}
}

// TestParseMultipartFormNetHTTP parses the same bodies with net/http and
// with us, with 1 KiB of memory so that files spill: the same values, the
// same files, an error in the same cases.
func TestParseMultipartFormNetHTTP(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	for i, c := range multipartCases() {
		theirs, ours := bothRequests(c)
		terr, oerr := theirs.ParseMultipartForm(1<<10), ours.ParseMultipartForm(1<<10)
		name := fmt.Sprintf("case %d (%s %s)", i, c.method, c.contentType)
		if (terr == nil) != (oerr == nil) {
			t.Errorf("%s: error %v, net/http %v", name, oerr, terr)
		}
		if errors.Is(terr, http.ErrNotMultipart) != errors.Is(oerr, turbohttp.ErrNotMultipart) ||
			errors.Is(terr, http.ErrMissingBoundary) != errors.Is(oerr, turbohttp.ErrMissingBoundary) ||
			errors.Is(terr, multipart.ErrMessageTooLarge) != errors.Is(oerr, multipart.ErrMessageTooLarge) {
			t.Errorf("%s: error %v, net/http %v", name, oerr, terr)
		}
		if !sameValues(ours.Form, theirs.Form) || !sameValues(ours.PostForm, theirs.PostForm) {
			t.Errorf("%s:\n Form %v PostForm %v\n net/http %v %v", name, ours.Form, ours.PostForm, theirs.Form, theirs.PostForm)
		}
		if got, want := describeFiles(ours.MultipartForm), describeFiles(theirs.MultipartForm); got != want {
			t.Errorf("%s: files %s, net/http %s", name, got, want)
		}
		of, _, oerr := ours.FormFile("g")
		tf, _, terr := theirs.FormFile("g")
		if (oerr == nil) != (terr == nil) {
			t.Errorf("%s: FormFile error %v, net/http %v", name, oerr, terr)
		}
		for _, f := range []io.Closer{of, tf} {
			if f != nil {
				f.Close()
			}
		}
		if theirs.MultipartForm != nil {
			theirs.MultipartForm.RemoveAll()
		}
		if ours.MultipartForm != nil {
			ours.MultipartForm.RemoveAll()
		}
	}
}

func TestFormFileMissing(t *testing.T) {
	ct, body := multipartBody([]string{"a", "1"}, "f", "x.txt", "x")
	r := turbotest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	if _, _, err := r.FormFile("nope"); !errors.Is(err, turbohttp.ErrMissingFile) {
		t.Errorf("err %v", err)
	}
	if r.FormValue("a") != "1" || r.PostFormValue("a") != "1" {
		t.Errorf("values %v", r.Form)
	}
	if _, err := r.MultipartReader(); err == nil {
		t.Error("MultipartReader after ParseMultipartForm")
	}
}

func TestMultipartReader(t *testing.T) {
	ct, body := multipartBody([]string{"a", "1", "b", "2"})
	r := turbotest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	mr, err := r.MultipartReader()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		names = append(names, p.FormName())
	}
	if strings.Join(names, ",") != "a,b" {
		t.Errorf("parts %v", names)
	}
	if err := r.ParseMultipartForm(1 << 20); err == nil {
		t.Error("ParseMultipartForm after MultipartReader")
	}
	if _, err := r.MultipartReader(); err == nil {
		t.Error("second MultipartReader")
	}
}

// TestMultipartTempFilesRemoved: the server removes the temporary files of
// a parsed multipart form when the handler returns, before the response
// reaches the client.
func TestMultipartTempFilesRemoved(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	spilled := make(chan string, 1)
	srv := turbotest.NewServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		if err := r.ParseMultipartForm(16); err != nil {
			turbohttp.Error(w, err.Error(), 400)
			return
		}
		f, _, err := r.FormFile("f")
		if err != nil {
			turbohttp.Error(w, err.Error(), 400)
			return
		}
		defer f.Close()
		osf, ok := f.(*os.File)
		if !ok {
			turbohttp.Error(w, "file part not spilled", 500)
			return
		}
		spilled <- osf.Name()
		io.Copy(w, f)
	}))
	defer srv.Close()
	ct, body := multipartBody(nil, "f", "data.bin", strings.Repeat("d", 4096))
	resp, err := srv.Client().Post(srv.URL+"/", ct, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(got) != 4096 {
		t.Fatalf("%d, %d bytes: %.80s", resp.StatusCode, len(got), got)
	}
	name := <-spilled
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("temporary file %s still there: %v", name, err)
	}
}

// TestMultipartOversizedByMaxBytes: a body past a MaxBytesReader gets the
// typed error, and no temporary file is left behind.
func TestMultipartOversizedByMaxBytes(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ct, body := multipartBody([]string{"a", "1"}, "f", "x.bin", strings.Repeat("x", 64<<10))
	r := turbotest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	r.Body = turbohttp.MaxBytesReader(nil, r.Body, 32<<10)
	var mbe *turbohttp.MaxBytesError
	if err := r.ParseMultipartForm(1 << 10); !errors.As(err, &mbe) || mbe.Limit != 32<<10 {
		t.Fatalf("err %v", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
