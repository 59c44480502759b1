package h1

import (
	"net/http"
	"testing"
	"time"
)

func TestAppendHTTPDate(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC), "Sun, 06 Nov 1994 08:49:37 GMT"}, // RFC 9110 §5.6.7
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 3600)), "Wed, 31 Dec 2025 23:00:00 GMT"},
		{time.Date(2000, 2, 29, 23, 59, 59, 999, time.UTC), "Tue, 29 Feb 2000 23:59:59 GMT"},
	} {
		if got := string(AppendHTTPDate([]byte("x"), tc.t)); got != "x"+tc.want {
			t.Errorf("%v: %q", tc.t, got)
		}
	}
	// Agree with net/http over a spread of instants.
	for s := int64(0); s < 4e9; s += 7777777 {
		tm := time.Unix(s, 0)
		if got, want := string(AppendHTTPDate(nil, tm)), tm.UTC().Format(http.TimeFormat); got != want {
			t.Fatalf("%d: %q, want %q", s, got, want)
		}
	}
	if a := testing.AllocsPerRun(100, func() { AppendHTTPDate(make([]byte, 0, 64), time.Now()) }); a != 0 {
		t.Errorf("%v allocations", a)
	}
}
