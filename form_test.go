package turbohttp_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"turbohttp"
	"turbohttp/turbotest"
)

// formCase is one request for the form differential tests.
type formCase struct {
	method, target, contentType, body string
}

// bothRequests builds the same request for net/http and for us.
func bothRequests(c formCase) (*http.Request, *turbohttp.Request) {
	theirs := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
	ours := turbotest.NewRequest(c.method, c.target, strings.NewReader(c.body))
	if c.contentType != "" {
		theirs.Header.Set("Content-Type", c.contentType)
		ours.Header.Set("Content-Type", c.contentType)
	}
	return theirs, ours
}

// sameValues compares two url.Values, treating nil and empty alike.
func sameValues(a, b url.Values) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

const urlencoded = "application/x-www-form-urlencoded"

var formCases = []formCase{
	{"POST", "/", urlencoded, "a=1&b=2"},
	{"POST", "/?a=q&c=3", urlencoded, "a=1&a=2"},
	{"PUT", "/?x=1", urlencoded + "; charset=utf-8", "y=%41%42+c"},
	{"PATCH", "/", urlencoded, "=x&y="},
	{"POST", "/", urlencoded, "a=%zz&b=2"},
	{"POST", "/", urlencoded, "a=1;b=2&c=3"},
	{"POST", "/?bad=%zz&ok=1", urlencoded, "a=1"},
	{"POST", "/?q;r=1", "", "a=1"},
	{"POST", "/", "text/plain", "a=1"},
	{"POST", "/", "application/x-www-form-urlencoded;;", "a=1"},
	{"POST", "/", "multipart/form-data; boundary=x", "a=1"},
	{"GET", "/?a=1&a=2&b", urlencoded, "c=3"},
	{"DELETE", "/?a=1", urlencoded, "c=3"},
	{"POST", "/", urlencoded, ""},
	{"POST", "/", urlencoded, "&&&"},
	{"POST", "/", urlencoded, "k=" + strings.Repeat("v", 1<<20)},
	{"POST", "/", urlencoded, "big=" + strings.Repeat("x", turbohttp.DefaultMaxFormBytes-4)},   // exactly the limit
	{"POST", "/?q=1", urlencoded, "big=" + strings.Repeat("x", turbohttp.DefaultMaxFormBytes)}, // past it
}

// TestParseFormNetHTTP parses each case with net/http and with us: the
// same Form and PostForm, and an error in the same cases.
func TestParseFormNetHTTP(t *testing.T) {
	for _, c := range formCases {
		theirs, ours := bothRequests(c)
		terr, oerr := theirs.ParseForm(), ours.ParseForm()
		name := c.method + " " + c.target + " " + c.contentType + " " + c.body[:min(len(c.body), 20)]
		if (terr == nil) != (oerr == nil) {
			t.Errorf("%s: error %v, net/http %v", name, oerr, terr)
		}
		if !sameValues(ours.Form, theirs.Form) || !sameValues(ours.PostForm, theirs.PostForm) {
			t.Errorf("%s:\n Form %v PostForm %v\n net/http %v %v", name, ours.Form, ours.PostForm, theirs.Form, theirs.PostForm)
		}
		if ours.FormValue("a") != theirs.FormValue("a") || ours.PostFormValue("a") != theirs.PostFormValue("a") {
			t.Errorf("%s: FormValue/PostFormValue differ", name)
		}
	}
}

// TestParseFormTooLarge checks the typed error past DefaultMaxFormBytes,
// and that a MaxBytesReader around the body sets the limit instead.
func TestParseFormTooLarge(t *testing.T) {
	r := turbotest.NewRequest("POST", "/", strings.NewReader("a="+strings.Repeat("x", turbohttp.DefaultMaxFormBytes)))
	r.Header.Set("Content-Type", urlencoded)
	var mbe *turbohttp.MaxBytesError
	if err := r.ParseForm(); !errors.As(err, &mbe) || mbe.Limit != turbohttp.DefaultMaxFormBytes {
		t.Fatalf("err %v", err)
	}
	if len(r.PostForm) != 0 {
		t.Errorf("kept %d values of an oversized body", len(r.PostForm))
	}

	w := turbotest.NewRecorder()
	r = turbotest.NewRequest("POST", "/", strings.NewReader("a=12345&b=2"))
	r.Header.Set("Content-Type", urlencoded)
	r.Body = turbohttp.MaxBytesReader(w, r.Body, 5)
	if err := r.ParseForm(); !errors.As(err, &mbe) || mbe.Limit != 5 {
		t.Fatalf("with MaxBytesReader: %v", err)
	}
	if w.Header().Get("Connection") != "close" {
		t.Error("MaxBytesReader did not ask for the connection to close")
	}
	// A MaxBytesReader larger than the default lifts it.
	big := "a=" + strings.Repeat("x", turbohttp.DefaultMaxFormBytes)
	r = turbotest.NewRequest("POST", "/", strings.NewReader(big))
	r.Header.Set("Content-Type", urlencoded)
	r.Body = turbohttp.MaxBytesReader(nil, r.Body, int64(len(big)))
	if err := r.ParseForm(); err != nil || len(r.PostFormValue("a")) != turbohttp.DefaultMaxFormBytes {
		t.Fatalf("MaxBytesReader above the default: %v", err)
	}
}

func TestParseFormMissingBody(t *testing.T) {
	r := turbotest.NewRequest("POST", "/?q=1", nil)
	r.Header.Set("Content-Type", urlencoded)
	r.Body = nil
	if err := r.ParseForm(); !errors.Is(err, turbohttp.ErrMissingFormBody) || r.FormValue("q") != "1" {
		t.Errorf("err %v, q %q", err, r.FormValue("q"))
	}
}

func TestURLQuery(t *testing.T) {
	r := turbotest.NewRequest("GET", "/p?a=1&b=x%20y&a=2&bad=%z", nil)
	q := r.URL.Query()
	want, _ := url.ParseQuery("a=1&b=x%20y&a=2&bad=%z")
	if !reflect.DeepEqual(q, want) {
		t.Errorf("Query %v, want %v", q, want)
	}
}

// TestFormValueAllocs: a lookup in a parsed small form allocates nothing.
func TestFormValueAllocs(t *testing.T) {
	r := turbotest.NewRequest("POST", "/?q=1", strings.NewReader("name=Ada&lang=go"))
	r.Header.Set("Content-Type", urlencoded)
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	var got string
	if n := testing.AllocsPerRun(100, func() {
		got = r.FormValue("name")
		got = r.PostFormValue("lang")
		got = r.FormValue("q")
		got = r.FormValue("missing")
	}); n != 0 {
		t.Errorf("%v allocations per lookup round", n)
	}
	_ = got
}

// TestFormOnServer parses a form through a real server, where the body
// is the connection's.
func TestFormOnServer(t *testing.T) {
	srv := turbotest.NewServer(turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
		if err := r.ParseForm(); err != nil {
			turbohttp.Error(w, err.Error(), 400)
			return
		}
		io.WriteString(w, r.FormValue("a")+"|"+r.PostFormValue("q")+"|"+r.FormValue("q"))
	}))
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL+"/?q=query", urlencoded, strings.NewReader("a=x+y&b=2"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "x y||query" {
		t.Errorf("got %q", b)
	}
}

// BenchmarkFormValue measures a lookup in a parsed small form.
func BenchmarkFormValue(b *testing.B) {
	r := turbotest.NewRequest("POST", "/?q=1", strings.NewReader("name=Ada&lang=go"))
	r.Header.Set("Content-Type", urlencoded)
	r.ParseForm()
	b.ReportAllocs()
	for b.Loop() {
		r.FormValue("lang")
	}
}
