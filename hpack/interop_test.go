package hpack

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	xhpack "golang.org/x/net/http2/hpack"
)

// A deterministic corpus of realistic header lists: browser navigations
// and subresources, API calls with tokens, and responses, as they follow
// each other on connections.

var (
	userAgents = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
		"curl/8.5.0", "Go-http-client/2.0", "okhttp/4.12.0",
	}
	hosts   = []string{"www.example.com", "api.example.com", "cdn.example.net", "static.shop.example.org", "localhost:8443"}
	accepts = []string{
		"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
		"image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
		"application/json", "*/*", "text/css,*/*;q=0.1",
	}
	types = []string{"text/html; charset=utf-8", "application/json", "image/png", "text/css", "application/javascript", "font/woff2"}
	words = []string{"api", "v1", "v2", "users", "orders", "static", "img", "css", "js", "search", "items", "cart", "profile", "assets", "fonts"}
)

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func randToken(r *rand.Rand, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func randPath(r *rand.Rand) string {
	var b strings.Builder
	for range 1 + r.IntN(4) {
		b.WriteString("/" + pick(r, words))
	}
	if r.IntN(3) == 0 {
		fmt.Fprintf(&b, "/%d", r.IntN(100000))
	}
	if r.IntN(4) == 0 {
		fmt.Fprintf(&b, "?q=%s&page=%d", randToken(r, 1+r.IntN(12)), r.IntN(50))
	}
	return b.String()
}

// connState is what stays the same along one simulated connection.
type connState struct {
	host, ua, cookie, token string
}

func randRequest(r *rand.Rand, c *connState) []field {
	method := pick(r, []string{"GET", "GET", "GET", "POST", "PUT", "DELETE"})
	f := []field{{":method", method, false}, {":scheme", "https", false}, {":authority", c.host, false}, {":path", randPath(r), false}}
	f = append(f, field{"user-agent", c.ua, false}, field{"accept", pick(r, accepts), false})
	if r.IntN(2) == 0 {
		f = append(f, field{"accept-encoding", pick(r, []string{"gzip, deflate, br", "gzip, deflate, br, zstd", "gzip"}), false},
			field{"accept-language", pick(r, []string{"en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr"}), false})
	}
	if c.cookie != "" {
		f = append(f, field{"cookie", c.cookie, false})
		if r.IntN(3) == 0 {
			f = append(f, field{"cookie", "ab=" + randToken(r, 1+r.IntN(8)), false}) // short: never indexed
		}
	}
	if c.token != "" {
		f = append(f, field{"authorization", "Bearer " + c.token, false})
	}
	if method == "POST" || method == "PUT" {
		f = append(f, field{"content-type", pick(r, types), false}, field{"content-length", fmt.Sprint(r.IntN(1 << 20)), false})
	}
	for range r.IntN(4) {
		f = append(f, field{"x-" + pick(r, words) + "-id", randToken(r, 8+r.IntN(32)), r.IntN(10) == 0})
	}
	if r.IntN(20) == 0 {
		f = append(f, field{"x-large", strings.Repeat(randToken(r, 50), 1+r.IntN(80)), false})
	}
	return f
}

func randResponse(r *rand.Rand) []field {
	f := []field{{":status", pick(r, []string{"200", "200", "200", "204", "301", "304", "404", "500"}), false}}
	f = append(f, field{"date", fmt.Sprintf("Sat, 21 Nov 2026 %02d:%02d:%02d GMT", r.IntN(24), r.IntN(60), r.IntN(60)), false},
		field{"server", pick(r, []string{"turbohttp", "nginx", "h2o/2.3.0"}), false},
		field{"content-type", pick(r, types), false},
		field{"content-length", fmt.Sprint(r.IntN(1 << 22)), false})
	if r.IntN(2) == 0 {
		f = append(f, field{"cache-control", pick(r, []string{"no-cache", "private, max-age=0", "public, max-age=31536000, immutable"}), false},
			field{"etag", `"` + randToken(r, 16) + `"`, false}, field{"vary", "Accept-Encoding", false})
	}
	if r.IntN(5) == 0 {
		f = append(f, field{"set-cookie", "sid=" + randToken(r, 32) + "; Path=/; HttpOnly; Secure; SameSite=Lax", false})
	}
	if r.IntN(10) == 0 {
		f = append(f, field{"strict-transport-security", "max-age=63072000; includeSubDomains; preload", false},
			field{"location", "https://" + pick(r, hosts) + randPath(r), false})
	}
	return f
}

// corpus returns n header lists in connection order and, for each, a table
// size change to make before it (-1 for none).
func corpus(seed uint64, n int) (lists [][]field, sizes []int) {
	r := rand.New(rand.NewPCG(seed, 7))
	var c connState
	for i := range n {
		if i%100 == 0 {
			c = connState{host: pick(r, hosts), ua: pick(r, userAgents)}
			if r.IntN(3) > 0 {
				c.cookie = "session=" + randToken(r, 24+r.IntN(40))
			}
			if r.IntN(3) == 0 {
				c.token = randToken(r, 40)
			}
		}
		size := -1
		if r.IntN(150) == 0 {
			size = pick(r, []int{0, 64, 256, 1024, 4096, 4096})
		}
		if r.IntN(2) == 0 {
			lists = append(lists, randRequest(r, &c))
		} else {
			lists = append(lists, randResponse(r))
		}
		sizes = append(sizes, size)
	}
	return lists, sizes
}

// TestInteropEncodeOurs: blocks from our Encoder decode with x/net's
// Decoder, and with ours, field for field.
func TestInteropEncodeOurs(t *testing.T) {
	lists, sizes := corpus(1, 4000)
	e, d := NewEncoder(), NewDecoder()
	x := xhpack.NewDecoder(DefaultDynamicTableSize, nil)
	var block []byte
	total := 0
	for i, fields := range lists {
		if sizes[i] >= 0 {
			e.SetMaxDynamicTableSize(uint32(sizes[i]))
		}
		block = block[:0]
		for _, f := range fields {
			block = e.AppendFieldString(block, f.name, f.value, f.sensitive)
			total++
		}
		want := markSensitive(fields)
		xgot, err := xnetCollect(x, block)
		if err != nil || !slices.Equal(xgot, want) {
			t.Fatalf("list %d: x/net decoded %v, %v\nwant %v", i, xgot, err, want)
		}
		got, err := collect(d, block)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("list %d: we decoded %v, %v\nwant %v", i, got, err, want)
		}
	}
	t.Logf("%d lists, %d fields", len(lists), total)
}

// markSensitive returns fields with Sensitive set as the Encoder sets it.
func markSensitive(fields []field) []field {
	out := slices.Clone(fields)
	for i, f := range out {
		out[i].sensitive = f.sensitive || isSensitive([]byte(f.name), []byte(f.value))
	}
	return out
}

// TestInteropDecodeTheirs: blocks from x/net's Encoder decode with ours,
// field for field, with the same dynamic table.
func TestInteropDecodeTheirs(t *testing.T) {
	lists, sizes := corpus(2, 4000)
	var w bytes.Buffer
	x := xhpack.NewEncoder(&w)
	d := NewDecoder()
	for i, fields := range lists {
		if sizes[i] >= 0 {
			x.SetMaxDynamicTableSize(uint32(sizes[i]))
		}
		w.Reset()
		for _, f := range fields {
			if err := x.WriteField(xhpack.HeaderField{Name: f.name, Value: f.value, Sensitive: f.sensitive}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := collect(d, w.Bytes())
		if err != nil || !slices.Equal(got, fields) {
			t.Fatalf("list %d: decoded %v, %v\nwant %v", i, got, err, fields)
		}
		if _, maxSize := d.DynamicTableSize(); maxSize != x.MaxDynamicTableSize() {
			t.Fatalf("list %d: table size %d, x/net encoder uses %d", i, maxSize, x.MaxDynamicTableSize())
		}
	}
}

// TestInteropStaticTable: every static index decodes with ours as with
// x/net's.
func TestInteropStaticTable(t *testing.T) {
	x := xhpack.NewDecoder(DefaultDynamicTableSize, nil)
	for i := 1; i <= staticLen; i++ {
		block := []byte{0x80 | byte(i)}
		want, err := xnetCollect(x, block)
		if err != nil {
			t.Fatal(err)
		}
		got, err := collect(NewDecoder(), block)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("index %d: %v, %v; x/net %v", i, got, err, want)
		}
	}
}
