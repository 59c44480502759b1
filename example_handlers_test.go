package turbohttp_test

import (
	"fmt"
	"io"
	"strings"
	"testing/fstest"
	"time"

	"turbohttp"
	"turbohttp/turbotest"
)

// StripPrefix serves a file tree under a path of the site.
func ExampleStripPrefix() {
	files := fstest.MapFS{"css/site.css": {Data: []byte("body{}")}}
	h := turbohttp.StripPrefix("/static/", turbohttp.FileServer(files))

	w := turbotest.NewRecorder()
	h.ServeHTTP(w, turbotest.NewRequest("GET", "/static/css/site.css", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"), w.Body.String())
	// Output: 200 text/css; charset=utf-8 body{}
}

// TimeoutHandler answers 503 for a handler that takes too long; the
// handler works on a clone of the request, which it may keep.
func ExampleTimeoutHandler() {
	slow := turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		select {
		case <-time.After(time.Minute):
			w.WriteString("done")
		case <-r.Context().Done(): // ends after 10 ms
		}
	})
	h := turbohttp.TimeoutHandler(slow, 10*time.Millisecond, "too slow, sorry")
	w := turbotest.NewRecorder()
	h.ServeHTTP(w, turbotest.NewRequest("GET", "/", nil))
	fmt.Println(w.Code, w.Body.String())
	// Output: 503 too slow, sorry
}

// A handler reading an upload: a file part, bounded by MaxBytesHandler.
func ExampleRequest_FormFile() {
	upload := turbohttp.MaxBytesHandler(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		f, fh, err := r.FormFile("doc")
		if err != nil {
			turbohttp.Error(w, err.Error(), turbohttp.StatusBadRequest)
			return
		}
		defer f.Close() // the server removes any temporary file after the handler
		n, _ := io.Copy(io.Discard, f)
		fmt.Fprintf(w, "%s: %d bytes, title %q", fh.Filename, n, r.FormValue("title"))
	}), 1<<20)

	body := "--XX\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nReport\r\n" +
		"--XX\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"r.txt\"\r\n\r\nhello\r\n--XX--\r\n"
	r := turbotest.NewRequest("POST", "/upload", strings.NewReader(body))
	r.Header.Set("Content-Type", "multipart/form-data; boundary=XX")
	w := turbotest.NewRecorder()
	upload.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body.String())
	// Output: 200 r.txt: 5 bytes, title "Report"
}
