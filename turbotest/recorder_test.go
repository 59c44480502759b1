package turbotest

import (
	"errors"
	"io"
	"strings"
	"testing"

	"turbohttp"
)

func TestRecorderDefaults(t *testing.T) {
	w := NewRecorder()
	hello(w, NewRequest("GET", "/", nil))
	resp := w.Result()
	body, _ := io.ReadAll(resp.Body)
	if w.Code != 200 || resp.StatusCode != 200 || string(body) != "hello" || w.Body.String() != "hello" {
		t.Errorf("code %d/%d, body %q", w.Code, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("sniffed Content-Type %q", ct)
	}
}

// TestRecorderHeaderSnapshot checks that changes to the header after the
// status is final do not show in Result, as they would not on the wire.
func TestRecorderHeaderSnapshot(t *testing.T) {
	w := NewRecorder()
	w.Header().Set("A", "1")
	w.WriteHeader(201)
	w.Header().Set("B", "2")
	w.WriteHeader(500) // ignored
	w.Trailer().Set("T", "3")
	resp := w.Result()
	if resp.StatusCode != 201 || resp.Header.Get("A") != "1" || resp.Header.Has("B") || resp.Trailer.Get("T") != "3" {
		t.Errorf("status %d, header A=%q B present=%v, trailer %q",
			resp.StatusCode, resp.Header.Get("A"), resp.Header.Has("B"), resp.Trailer.Get("T"))
	}
}

func TestRecorderRules(t *testing.T) {
	w := NewRecorder()
	w.WriteHeader(103)
	w.WriteHeader(204)
	if _, err := w.WriteString("x"); !errors.Is(err, turbohttp.ErrBodyNotAllowed) {
		t.Errorf("body on 204: %v", err)
	}
	if len(w.Informational) != 1 || w.Informational[0] != 103 || w.Code != 204 {
		t.Errorf("informational %v, code %d", w.Informational, w.Code)
	}

	w = NewRecorder()
	w.Header().Set("Content-Length", "3")
	if _, err := w.Write([]byte("abcd")); !errors.Is(err, turbohttp.ErrContentLength) {
		t.Errorf("overlong body: %v", err)
	}
	if resp := w.Result(); resp.ContentLength != 3 {
		t.Errorf("ContentLength %d", resp.ContentLength)
	}

	defer func() {
		if recover() == nil {
			t.Error("WriteHeader(99) did not panic")
		}
	}()
	NewRecorder().WriteHeader(99)
}

// TestRecorderMatchesServer runs the same handlers through the recorder and
// through a real server and compares what a client sees.
func TestRecorderMatchesServer(t *testing.T) {
	handlers := map[string]turbohttp.HandlerFunc{
		"plain": hello,
		"html":  func(w turbohttp.ResponseWriter, r *turbohttp.Request) { w.WriteString("<html><p>hi") },
		"typed": func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(202)
			w.WriteString(`{"a":1}`)
		},
		"error": func(w turbohttp.ResponseWriter, r *turbohttp.Request) { turbohttp.Error(w, "nope", 418) },
		"empty": func(w turbohttp.ResponseWriter, r *turbohttp.Request) { w.WriteHeader(204) },
	}
	for name, h := range handlers {
		srv := NewServer(h)
		resp, err := srv.Client().Get(srv.URL + "/x")
		if err != nil {
			t.Fatal(err)
		}
		wire, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()

		w := NewRecorder()
		h(w, NewRequest("GET", "/x", nil))
		rec := w.Result()
		recBody, _ := io.ReadAll(rec.Body)
		if rec.StatusCode != resp.StatusCode || string(recBody) != string(wire) ||
			rec.Header.Get("Content-Type") != resp.Header.Get("Content-Type") {
			t.Errorf("%s: recorder %d %q %q; server %d %q %q", name,
				rec.StatusCode, rec.Header.Get("Content-Type"), recBody,
				resp.StatusCode, resp.Header.Get("Content-Type"), wire)
		}
	}
}

func TestNewRequest(t *testing.T) {
	r := NewRequest("", "/a%20b?x=1&y=2", strings.NewReader("body"))
	if r.Method != "GET" || string(r.URL.Path) != "/a%20b" || string(r.URL.RawQuery) != "x=1&y=2" ||
		string(r.Host) != "example.com" || string(r.RequestURI) != "/a%20b?x=1&y=2" ||
		r.ContentLength != 4 || r.TLS != nil || r.RemoteAddr.String() != "192.0.2.1:1234" || !r.ProtoAtLeast(1, 1) ||
		r.Header.Len() != 1 || r.Header.Get("Host") != "example.com" {
		t.Errorf("origin form: %+v", r)
	}
	if b, _ := io.ReadAll(r.Body); string(b) != "body" {
		t.Errorf("body %q", b)
	}
	r = NewRequest("POST", "https://api.example.org:8443/v1?k", nil)
	if string(r.Host) != "api.example.org:8443" || r.Header.Get("Host") != "api.example.org:8443" || string(r.URL.Scheme) != "https" || string(r.URL.Path) != "/v1" ||
		r.TLS == nil || r.TLS.ServerName != "api.example.org" || r.Body == nil || r.ContentLength != 0 {
		t.Errorf("absolute form: %+v", r)
	}
	if r := NewRequest("PUT", "/", io.MultiReader()); r.ContentLength != -1 {
		t.Errorf("unknown length: %d", r.ContentLength)
	}
	if r := NewRequest("OPTIONS", "*", nil); string(r.URL.Path) != "*" {
		t.Errorf("asterisk: %q", r.URL.Path)
	}
	for _, bad := range []string{"noslash", "/a b", "/a\nb", "http:///x", "ftp://h/"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewRequest(%q) did not panic", bad)
				}
			}()
			NewRequest("GET", bad, nil)
		}()
	}
}
