package turbohttp

import (
	"path"
	"strings"
	"testing"
)

// muxSegString renders segments compactly: literals quoted, {x}, {x...}, {...}
// for a trailing slash, {$}.
func muxSegString(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		switch s.kind {
		case segLiteral:
			b.WriteString(`"` + s.s + `"`)
		case segWild:
			b.WriteString("{" + s.s + "}")
		case segMulti:
			b.WriteString("{" + s.s + "...}")
		case segEnd:
			b.WriteString("{$}")
		}
	}
	return b.String()
}

func TestMuxParsePattern(t *testing.T) {
	for _, c := range []struct {
		in, method, host, segs string
	}{
		{"/", "", "", "/{...}"},
		{"/a", "", "", `/"a"`},
		{"/a/", "", "", `/"a"/{...}`},
		{"/{$}", "", "", "/{$}"},
		{"/a/{$}", "", "", `/"a"/{$}`},
		{"GET /", "GET", "", "/{...}"},
		{"POST \t /x", "POST", "", `/"x"`},
		{" \t/x", "", "", `/"x"`}, // as net/http: leading blanks, no method
		{"BREW-1 /x", "BREW-1", "", `/"x"`},
		{"Example.COM/", "", "example.com", "/{...}"},
		{"[::1]/x", "", "::1", `/"x"`},
		{"GET example.com/b/{bucket}/o/{obj...}", "GET", "example.com", `/"b"/{bucket}/"o"/{obj...}`},
		{"/{x}/{y}/", "", "", "/{x}/{y}/{...}"},
		{"/%61%2fb/{é_1}", "", "", `/"a/b"/{é_1}`},
		{"/%zz", "", "", `/"%zz"`},
		{"/a}", "", "", `/"a}"`},
		{"/a//b", "", "", `/"a"/""/"b"`}, // no method: an unclean path is allowed
		{"CONNECT /a/../b", "CONNECT", "", `/"a"/".."/"b"`},
	} {
		p, err := parsePattern(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if p.method != c.method || p.host != c.host || muxSegString(p.segs) != c.segs || p.String() != c.in {
			t.Errorf("%q: got %q %q %s, want %q %q %s", c.in, p.method, p.host, muxSegString(p.segs), c.method, c.host, c.segs)
		}
	}
}

func TestMuxParsePatternErrors(t *testing.T) {
	for _, c := range []struct{ in, msg string }{
		{"", "at offset 0: empty pattern"},
		{"GET", "missing /"},
		{"GET ", "missing /"},
		{"example.com", "missing /"},
		{"G@T /", `invalid method "G@T"`},
		{"GET\x00 /", "invalid method"},
		{"/{", "must end with '}'"},
		{"/{}", "empty wildcard"},
		{"/{...}", "empty wildcard"},
		{"/a{x}", "must start with '{'"},
		{"/{x}a", "must end with '}'"},
		{"/{a...}/b", "{...} wildcard not at end"},
		{"/{a...}/", "{...} wildcard not at end"},
		{"/{$}x", "must end with '}'"},
		{"/{$x}", `bad wildcard name "$x"`},
		{"/{$}/x", "{$} not at end"},
		{"/{$}/", "{$} not at end"},
		{"/{a}/{a}", `duplicate wildcard name "a"`},
		{"/{a}/{a...}", `duplicate wildcard name "a"`},
		{"/{1a}", `bad wildcard name "1a"`},
		{"/{a-b}", `bad wildcard name "a-b"`},
		{"{x}/", "host contains '{'"},
		{"GET /a/../b", "at offset 4: non-CONNECT pattern with unclean path"},
		{"GET //a", "unclean path"},
		{"GET /a/.", "unclean path"},
	} {
		_, err := parsePattern(c.in)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: error %v, want one with %q", c.in, err, c.msg)
		}
		mux := NewServeMux()
		if msg := muxPanic(func() { mux.HandleFunc(c.in, func(ResponseWriter, *Request) {}) }); !strings.Contains(msg, c.msg) {
			t.Errorf("HandleFunc(%q) panicked with %q", c.in, msg)
		}
	}
}

func TestMuxCleanPath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"a", "/a"},
		{"/a/b", "/a/b"},
		{"/a/b/", "/a/b/"},
		{"//a", "/a"},
		{"/a//b//", "/a/b/"},
		{"/a/./b", "/a/b"},
		{"/a/b/.", "/a/b"},
		{"/a/b/./", "/a/b/"},
		{"/a/../b", "/b"},
		{"/../a", "/a"},
		{"/a/..", "/"},
		{"/a/../", "/"},
		{"/%2e%2e/a", "/%2e%2e/a"},
		{"/.a/..b/...", "/.a/..b/..."},
	} {
		if got := cleanPath(c.in); got != c.want {
			t.Errorf("cleanPath(%q) = %q, want %q", c.in, got, c.want)
		}
		if isCleanPath(c.in) != (c.in == c.want) {
			t.Errorf("isCleanPath(%q) = %v", c.in, isCleanPath(c.in))
		}
	}
}

// FuzzServeMuxCleanPath checks that isCleanPath agrees with cleaning by
// path.Clean, and that cleanPath is idempotent.
func FuzzServeMuxCleanPath(f *testing.F) {
	for _, s := range []string{"", "/", "//", "/a/./b/../", "/..", "a/b", "/a/.../"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		want := "/"
		if p != "" {
			want = path.Clean("/" + p)
			if p[len(p)-1] == '/' && want != "/" {
				want += "/"
			}
		}
		got := cleanPath(p)
		if got != want {
			t.Fatalf("cleanPath(%q) = %q, want %q", p, got, want)
		}
		if isCleanPath(p) != (p == want) {
			t.Fatalf("isCleanPath(%q) = %v; clean form %q", p, isCleanPath(p), want)
		}
		if cleanPath(got) != got {
			t.Fatalf("cleanPath not idempotent on %q", got)
		}
	})
}

func TestMuxUnescape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"abc", "abc"},
		{"a%2Fb", "a/b"},
		{"%41%62", "Ab"},
		{"100%25", "100%"},
		{"%", "%"},
		{"%4", "%4"},
		{"a%zzb", "a%zzb"},
		{"+", "+"},
	} {
		if got := string(unescapeValue([]byte(c.in))); got != c.want {
			t.Errorf("unescapeValue(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMuxRequestHost(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"example.com", "example.com"},
		{"example.com:8080", "example.com"},
		{"example.com:", "example.com"},
		{"[::1]:80", "::1"},
		{"[::1]", "::1"},
		{"[::1]x", "[::1]x"},
		{"::1", "::1"},
		{"", ""},
	} {
		if got := string(requestHost([]byte(c.in))); got != c.want {
			t.Errorf("requestHost(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
