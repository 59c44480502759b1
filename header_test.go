package turbohttp

import (
	"slices"
	"testing"
)

func TestHeaderOrderAndCase(t *testing.T) {
	var h Header
	h.Add("Content-Type", "text/plain")
	h.Add("set-cookie", "a=1")
	h.AddBytes([]byte("Set-Cookie"), []byte("b=2"))
	h.Add("X-Empty", "")

	if got := string(h.Peek("content-type")); got != "text/plain" {
		t.Errorf("Peek(content-type) = %q", got)
	}
	if got := h.Get("CONTENT-TYPE"); got != "text/plain" {
		t.Errorf("Get = %q", got)
	}
	if v := h.Peek("X-Empty"); v == nil || len(v) != 0 {
		t.Errorf("Peek of an empty value = %#v, want non-nil empty", v)
	}
	if h.Peek("Missing") != nil || h.Has("Missing") {
		t.Error("a missing field must peek as nil")
	}
	var cookies []string
	for v := range h.Values("SET-COOKIE") {
		cookies = append(cookies, string(v))
	}
	if !slices.Equal(cookies, []string{"a=1", "b=2"}) || h.Count("set-cookie") != 2 {
		t.Errorf("Values = %q", cookies)
	}
	var names []string
	for n := range h.All() {
		names = append(names, string(n))
	}
	if want := []string{"Content-Type", "set-cookie", "Set-Cookie", "X-Empty"}; !slices.Equal(names, want) {
		t.Errorf("names = %q, want %q (order and case kept)", names, want)
	}
}

func TestHeaderSetDel(t *testing.T) {
	var h Header
	h.Add("A", "1")
	h.Add("B", "2")
	h.Add("a", "3")
	h.Set("A", "4")
	if h.Len() != 2 || h.Get("a") != "4" {
		t.Fatalf("after Set: len %d, a=%q", h.Len(), h.Get("a"))
	}
	if n, v := h.At(0); string(n) != "A" || string(v) != "4" {
		t.Errorf("Set must replace in place, got %s: %s first", n, v)
	}
	h.SetBytes([]byte("c"), []byte("5"))
	h.Del("b")
	if h.Len() != 2 || h.Has("B") || h.Get("C") != "5" {
		t.Errorf("after Del: %d fields", h.Len())
	}
	h.Reset()
	if h.Len() != 0 || h.Has("a") {
		t.Error("Reset left fields")
	}
}

// Growing the arena must not change fields added before the growth.
func TestHeaderViewsSurviveGrowth(t *testing.T) {
	var h Header
	h.Add("First", "value-1")
	first := h.Peek("first")
	for i := 0; i < 100; i++ {
		h.Add("X-Filler", "some longer value to make the arena grow")
	}
	if string(first) != "value-1" || h.Get("First") != "value-1" {
		t.Errorf("first = %q", first)
	}
}

func TestHeaderCloneIsDeep(t *testing.T) {
	var h Header
	h.Add("A", "1")
	c := h.Clone()
	h.Reset()
	h.Add("B", "xx")
	if c.Len() != 1 || c.Get("A") != "1" {
		t.Errorf("clone changed with its source: %q", c.Get("A"))
	}
	var d Header
	c.CopyTo(&d)
	if d.Get("a") != "1" {
		t.Error("CopyTo")
	}
}

func TestHeaderNoAllocs(t *testing.T) {
	var h Header
	fill := func() {
		h.Reset()
		h.Add("Content-Type", "text/plain; charset=utf-8")
		h.Add("Cache-Control", "no-cache")
		h.Set("Content-Type", "application/json")
		h.SetBytes([]byte("X-Request-Id"), []byte("0123456789abcdef0123456789abcdef0123"))
		_ = h.Peek("cache-control")
		_ = h.Has("x-request-id")
		for range h.Values("content-type") {
		}
		h.Del("cache-control")
	}
	fill()
	if n := testing.AllocsPerRun(100, fill); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

func TestValidField(t *testing.T) {
	for _, n := range []string{"Content-Type", "x-a.b~c!"} {
		if !ValidFieldName(n) {
			t.Errorf("ValidFieldName(%q) = false", n)
		}
	}
	for _, n := range []string{"", "a b", "a:b", "a\r\nb", "é"} {
		if ValidFieldName(n) {
			t.Errorf("ValidFieldName(%q) = true", n)
		}
	}
	for _, v := range []string{"", "a b", "caf\xc3\xa9", "x\ty"} {
		if !ValidFieldValue(v) {
			t.Errorf("ValidFieldValue(%q) = false", v)
		}
	}
	for _, v := range []string{"a\r\nX-Injected: 1", "a\nb", "a\x00", " lead", "trail\t", "\x7f"} {
		if ValidFieldValue([]byte(v)) {
			t.Errorf("ValidFieldValue(%q) = true", v)
		}
	}
	if got := CanonicalHeaderKey("content-TYPE"); got != "Content-Type" {
		t.Errorf("CanonicalHeaderKey = %q", got)
	}
	if got := CanonicalHeaderKey("bad key"); got != "bad key" {
		t.Errorf("CanonicalHeaderKey of a non-token = %q", got)
	}
}
