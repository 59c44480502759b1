package h1

import "testing"

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in string
		n  int64
		ok bool
	}{
		{"0", 0, true}, {"42", 42, true}, {"0042", 42, true},
		{"9223372036854775807", 1<<63 - 1, true},
		{"9223372036854775808", 0, false}, {"18446744073709551616", 0, false},
		{"", 0, false}, {"+1", 0, false}, {"-1", 0, false}, {"1 ", 0, false}, {"0x1", 0, false}, {"1e3", 0, false},
	} {
		if n, ok := parseDecimal([]byte(tc.in)); n != tc.n || ok != tc.ok {
			t.Errorf("%q: %d %v", tc.in, n, ok)
		}
	}
}

func TestTransferCoding(t *testing.T) {
	for _, tc := range []struct {
		fields []string
		err    error
	}{
		{[]string{"chunked"}, nil},
		{[]string{"CHUNKED"}, nil},
		{[]string{"gzip", "chunked"}, ErrUnsupportedTransferCode},
		{[]string{"gzip;level=1, chunked"}, ErrUnsupportedTransferCode},
		{[]string{"chunked", "gzip"}, ErrBadTransferEncoding},
		{[]string{"chunked, chunked"}, ErrBadTransferEncoding},
		{[]string{", chunked"}, ErrBadTransferEncoding},
		{[]string{"chunked;x=1"}, ErrBadTransferEncoding},
		{[]string{"chun ked"}, ErrBadTransferEncoding},
		{[]string{"identity"}, ErrBadTransferEncoding},
	} {
		var te transferCoding
		for _, f := range tc.fields {
			te.add([]byte(f))
		}
		if err := te.check(); err != tc.err {
			t.Errorf("%q: %v, want %v", tc.fields, err, tc.err)
		}
	}
}

func TestConnectionOptions(t *testing.T) {
	for _, tc := range []struct {
		in                  string
		minor               uint8
		persistent, upgrade bool
	}{
		{"", 1, true, false},
		{"", 0, false, false},
		{"keep-alive", 0, true, false},
		{"Keep-Alive, close", 0, false, false},
		{"foo,CLOSE", 1, false, false},
		{"closed", 1, true, false},
		{"Upgrade, HTTP2-Settings", 1, true, true},
	} {
		var s headSummary
		s.connection([]byte(tc.in))
		if s.persistent(tc.minor) != tc.persistent || s.connUpg != tc.upgrade {
			t.Errorf("%q on 1.%d: persistent %v upgrade %v", tc.in, tc.minor, s.persistent(tc.minor), s.connUpg)
		}
	}
}

func TestBodyKindString(t *testing.T) {
	for k, want := range map[BodyKind]string{BodyNone: "none", BodyLength: "content-length", BodyChunked: "chunked", BodyClose: "close-delimited", 9: "invalid"} {
		if k.String() != want {
			t.Errorf("%d: %s", k, k)
		}
	}
}
