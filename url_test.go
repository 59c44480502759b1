package turbohttp

import (
	"errors"
	"testing"
)

func TestSetURL(t *testing.T) {
	for _, tc := range []struct {
		in                        string
		scheme, host, path, query string
	}{
		{"http://example.com", "http", "example.com", "", ""},
		{"HTTPS://example.com:8443/a/b?x=1&y=2#frag", "https", "example.com:8443", "/a/b", "x=1&y=2"},
		{"http://[::1]:8080/p", "http", "[::1]:8080", "/p", ""},
		{"http://h?q", "http", "h", "", "q"},
		{"http://h/%2F?", "http", "h", "/%2F", ""},
	} {
		var r Request
		if err := r.SetURL(tc.in); err != nil {
			t.Errorf("SetURL(%q): %v", tc.in, err)
			continue
		}
		u := r.URL
		if string(u.Scheme) != tc.scheme || string(u.Host) != tc.host || string(u.Path) != tc.path || string(u.RawQuery) != tc.query {
			t.Errorf("SetURL(%q) = %q %q %q %q", tc.in, u.Scheme, u.Host, u.Path, u.RawQuery)
		}
	}
}

func TestSetURLRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"no scheme":          "example.com/a",
		"ftp scheme":         "ftp://example.com/",
		"empty host":         "http:///a",
		"userinfo":           "http://user:pass@example.com/",
		"CRLF in path":       "http://h/a\r\nX-Injected: 1",
		"space in path":      "http://h/a b",
		"CRLF in host":       "http://h\r\nX: 1/",
		"bad port":           "http://h:99999/",
		"letters in port":    "http://h:8o/",
		"empty port":         "http://h:/",
		"unclosed IPv6":      "http://[::1/",
		"garbage after IPv6": "http://[::1]x/",
	} {
		var r Request
		err := r.SetURL(in)
		if !errors.Is(err, ErrBadURL) {
			t.Errorf("%s: SetURL(%q) = %v, want ErrBadURL", name, in, err)
		}
	}
}

func TestURLString(t *testing.T) {
	var r Request
	if err := r.SetURL("http://h:1/p?q=1"); err != nil {
		t.Fatal(err)
	}
	if got := r.URL.String(); got != "http://h:1/p?q=1" {
		t.Errorf("String = %q", got)
	}
	r.URL.Path = nil
	if got := string(r.URL.appendRequestURI(nil)); got != "/?q=1" {
		t.Errorf("request URI with empty path = %q", got)
	}
}
