package status

import (
	"net/http"
	"testing"
)

// Every code net/http names must have a phrase here too. Where the RFCs
// renamed one (413, 414, 416, 422), ours follows RFC 9110.
func TestTextCoversNetHTTP(t *testing.T) {
	renamed := map[int]string{
		413: "Content Too Large", 414: "URI Too Long", 416: "Range Not Satisfiable", 422: "Unprocessable Content",
	}
	for code := 100; code < 600; code++ {
		want := http.StatusText(code)
		if r, ok := renamed[code]; ok {
			want = r
		}
		if got := Text(code); got != want {
			t.Errorf("Text(%d) = %q, want %q", code, got, want)
		}
	}
	if Text(99) != "" || Text(600) != "" || Text(-1) != "" {
		t.Error("out-of-range codes must have no text")
	}
}
