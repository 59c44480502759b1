package turbohttp

import (
	"context"
	"testing"
)

func TestInternMethod(t *testing.T) {
	for _, m := range []string{MethodGet, MethodHead, MethodPost, MethodPut, MethodPatch, MethodDelete, MethodConnect, MethodOptions, MethodTrace} {
		b := []byte(m)
		if got := internMethod(b); got != m {
			t.Errorf("internMethod(%q) = %q", m, got)
		}
		if n := testing.AllocsPerRun(10, func() { _ = internMethod(b) }); n != 0 {
			t.Errorf("internMethod(%q) allocates %v", m, n)
		}
	}
	if got := internMethod([]byte("PROPFIND")); got != "PROPFIND" {
		t.Errorf("internMethod(PROPFIND) = %q", got)
	}
	if !MethodIsIdempotent("PUT") || MethodIsIdempotent("POST") || !MethodIsSafe("HEAD") || MethodIsSafe("DELETE") {
		t.Error("method classes")
	}
}

func TestRequestPathValuesAndClone(t *testing.T) {
	r := &Request{Method: MethodGet}
	r.SetPathValue("id", "42")
	r.SetPathValue("id", "43")
	r.Header.Add("A", "1")
	r.URL.Path = []byte("/items/43")
	if r.PathValue("id") != "43" || r.PathValue("none") != "" {
		t.Errorf("PathValue = %q", r.PathValue("id"))
	}
	c := r.Clone()
	r.Reset()
	if c.PathValue("id") != "43" || c.Header.Get("a") != "1" || string(c.URL.Path) != "/items/43" || c.Method != MethodGet {
		t.Error("clone does not survive Reset of the original")
	}
	if r.Context() != context.Background() || r.Header.Len() != 0 || r.PathValue("id") != "" {
		t.Error("Reset left state")
	}
	if !(&Request{ProtoMajor: 1, ProtoMinor: 1}).ProtoAtLeast(1, 0) || (&Request{ProtoMajor: 1}).ProtoAtLeast(1, 1) {
		t.Error("ProtoAtLeast")
	}
}
