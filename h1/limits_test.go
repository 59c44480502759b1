package h1

import "testing"

// TestLimitsDefaults checks that nil and zero Limits mean DefaultLimits and
// that a set field wins. Each limit's effect at its edge is tested where it
// applies (request_test.go, response_test.go, chunked_test.go).
func TestLimitsDefaults(t *testing.T) {
	get := func(l *Limits) Limits {
		return Limits{l.headerBytes(), l.fields(), l.targetBytes(), l.chunkExtBytes(), l.chunkExtTotal(),
			l.trailerBytes(), l.trailerFields()}
	}
	want := Limits{64 << 10, 1000, 8 << 10, 4 << 10, 64 << 10, 16 << 10, 100}
	if DefaultLimits != want || get(nil) != want || get(&Limits{}) != want {
		t.Errorf("defaults: %+v %+v %+v", DefaultLimits, get(nil), get(&Limits{}))
	}
	set := Limits{1, 2, 3, 4, 5, 6, 7}
	if get(&set) != set {
		t.Errorf("set: %+v", get(&set))
	}
}
