package turbohttp

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"os"
	"testing"
)

// TestMultipartTotalLimit: a multipart body past the total bound (lowered
// here from DefaultMaxMultipartBytes, which it stands for) fails with a
// *MaxBytesError and leaves no temporary file behind.
func TestMultipartTotalLimit(t *testing.T) {
	if maxMultipartBytes != DefaultMaxMultipartBytes || DefaultMaxMultipartBytes != 256<<20 {
		t.Fatalf("bound %d, default %d", maxMultipartBytes, DefaultMaxMultipartBytes)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	maxMultipartBytes = 64 << 10
	defer func() { maxMultipartBytes = DefaultMaxMultipartBytes }()

	for _, size := range []int{32 << 10, 128 << 10} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("f", "big.bin")
		fw.Write(bytes.Repeat([]byte("x"), size))
		mw.Close()
		r := &Request{Method: MethodPost, Body: &body}
		r.Header.Set("Content-Type", mw.FormDataContentType())
		err := r.ParseMultipartForm(1 << 10) // spill to a temporary file
		var mbe *MaxBytesError
		switch {
		case size < 64<<10 && err != nil:
			t.Errorf("%d bytes: %v", size, err)
		case size > 64<<10 && (!errors.As(err, &mbe) || mbe.Limit != 64<<10):
			t.Errorf("%d bytes: err %v, want a *MaxBytesError", size, err)
		}
		if err == nil {
			f, _, err := r.FormFile("f")
			if err != nil {
				t.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, f)
			f.Close()
			if n != int64(size) {
				t.Errorf("file of %d bytes read back as %d", size, n)
			}
		}
		r.endContext() // as the server does when the handler returns
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("%d bytes: temporary files left: %v", size, left)
		}
	}
}
