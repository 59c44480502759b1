package turbohttp_test

import (
	"errors"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"

	"turbohttp/turbotest"
)

// FuzzParseForm: any query and url-encoded body parse as net/http parses
// them (same values, an error in the same cases), without panicking.
func FuzzParseForm(f *testing.F) {
	for _, c := range formCases[:len(formCases)-3] {
		f.Add(c.target[min(len(c.target), 2):], c.contentType, c.body)
	}
	f.Fuzz(func(t *testing.T, query, contentType, body string) {
		target := "/?" + url0(query)
		if strings.ContainsAny(contentType, "\r\n\x00") {
			return
		}
		theirs, ours := bothRequests(formCase{"POST", target, contentType, body})
		terr, oerr := theirs.ParseForm(), ours.ParseForm()
		if (terr == nil) != (oerr == nil) {
			t.Fatalf("error %v, net/http %v", oerr, terr)
		}
		if !sameValues(ours.Form, theirs.Form) || !sameValues(ours.PostForm, theirs.PostForm) {
			t.Fatalf("Form %v PostForm %v\nnet/http %v %v", ours.Form, ours.PostForm, theirs.Form, theirs.PostForm)
		}
	})
}

// url0 keeps the bytes of s a request target may hold.
func url0(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r >= 0x7f || r == '#' {
			return -1
		}
		return r
	}, s)
}

// FuzzRequestCookies: any Cookie field yields the cookies net/http reads
// from it, without panicking; Cookie finds the first of each name.
func FuzzRequestCookies(f *testing.F) {
	for _, lines := range cookieHeaders[:len(cookieHeaders)-2] {
		f.Add(strings.Join(lines, "\n"))
	}
	f.Fuzz(func(t *testing.T, fields string) {
		theirs := httptest.NewRequest("GET", "/", nil)
		ours := turbotest.NewRequest("GET", "/", nil)
		for _, l := range strings.Split(fields, "\n") {
			theirs.Header.Add("Cookie", l)
			ours.Header.Add("Cookie", l)
		}
		want, got := theirs.Cookies(), ours.Cookies()
		if len(got) != len(want) {
			t.Fatalf("%d cookies, net/http %d", len(got), len(want))
		}
		for i := range got {
			if got[i].Name != want[i].Name || got[i].Value != want[i].Value {
				t.Fatalf("cookie %d %q=%q, net/http %q=%q", i, got[i].Name, got[i].Value, want[i].Name, want[i].Value)
			}
			c, err := ours.Cookie(got[i].Name)
			if tc, _ := theirs.Cookie(got[i].Name); err != nil || c.Value != tc.Value {
				t.Fatalf("Cookie(%q) = %v, %v", got[i].Name, c, err)
			}
		}
	})
}

// FuzzParseMultipartForm: any body under a fixed boundary parses as
// net/http parses it (same values and files, an error in the same cases),
// holding at most 64 bytes of files in memory.
func FuzzParseMultipartForm(f *testing.F) {
	for _, c := range multipartCases()[:len(multipartCases())-2] {
		f.Add(c.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		const ct = "multipart/form-data; boundary=BOUNDARY"
		theirs, ours := bothRequests(formCase{"POST", "/", ct, body})
		terr, oerr := theirs.ParseMultipartForm(64), ours.ParseMultipartForm(64)
		if (terr == nil) != (oerr == nil) || errors.Is(terr, multipart.ErrMessageTooLarge) != errors.Is(oerr, multipart.ErrMessageTooLarge) {
			t.Fatalf("error %v, net/http %v", oerr, terr)
		}
		if !sameValues(ours.Form, theirs.Form) || !sameValues(ours.PostForm, theirs.PostForm) {
			t.Fatalf("Form %v PostForm %v\nnet/http %v %v", ours.Form, ours.PostForm, theirs.Form, theirs.PostForm)
		}
		if got, want := describeFiles(ours.MultipartForm), describeFiles(theirs.MultipartForm); got != want {
			t.Fatalf("files %s, net/http %s", got, want)
		}
		for _, mf := range []*multipart.Form{ours.MultipartForm, theirs.MultipartForm} {
			if mf != nil {
				mf.RemoveAll()
			}
		}
	})
}
