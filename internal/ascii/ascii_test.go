package ascii

import "testing"

func TestClasses(t *testing.T) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		wantTok := ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z') || ('0' <= b && b <= '9') ||
			string(b) != "" && containsByte("!#$%&'*+-.^_`|~", b)
		if IsTokenChar(b) != wantTok {
			t.Errorf("IsTokenChar(%#x) = %v", b, !wantTok)
		}
		wantVal := b == ' ' || b == '\t' || (b > 0x20 && b != 0x7f)
		if IsFieldValueChar(b) != wantVal {
			t.Errorf("IsFieldValueChar(%#x) = %v", b, !wantVal)
		}
		if v, ok := HexValue(b); ok != IsHex(b) || (ok && "0123456789abcdef"[v] != ToLower(b)) {
			t.Errorf("HexValue(%#x) = %d, %v", b, v, ok)
		}
	}
}

func containsByte(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return true
		}
	}
	return false
}

func TestCase(t *testing.T) {
	if !EqualFold("Content-Length", []byte("content-LENGTH")) || EqualFold("a", "b") || EqualFold("ab", "a") {
		t.Error("EqualFold")
	}
	// 0xc1 would fold to 'a' in a careless table; it must not.
	if EqualFold("a", "\xc1") {
		t.Error("EqualFold folds non-ASCII")
	}
	if got := string(AppendCanonical(nil, "content-TYPE")); got != "Content-Type" {
		t.Errorf("AppendCanonical = %q", got)
	}
	if got := string(AppendCanonical(nil, "x-a1-b")); got != "X-A1-B" {
		t.Errorf("AppendCanonical = %q", got)
	}
	if got := string(AppendLower(nil, "X-Foo")); got != "x-foo" || !IsLower("x-foo") || IsLower("x-Foo") {
		t.Errorf("AppendLower = %q", got)
	}
}

func TestContainsToken(t *testing.T) {
	for _, tc := range []struct {
		list, tok string
		want      bool
	}{
		{"close", "close", true},
		{"keep-alive, Close", "close", true},
		{" ,, upgrade ,", "Upgrade", true},
		{"closed", "close", false},
		{"", "close", false},
	} {
		if got := ContainsToken([]byte(tc.list), tc.tok); got != tc.want {
			t.Errorf("ContainsToken(%q, %q) = %v", tc.list, tc.tok, got)
		}
	}
	if got := string(TrimOWS([]byte(" \t a b\t "))); got != "a b" {
		t.Errorf("TrimOWS = %q", got)
	}
}
