// Package cookiejar is an in-memory cookie jar for turbohttp's Client,
// following RFC 6265 (with the parts of RFC 6265bis that make a jar safer)
// and the public suffix list, as net/http/cookiejar does for net/http.
//
//	jar, _ := cookiejar.New(nil) // the public suffix list of x/net
//	client := &turbohttp.Client{Jar: jar}
//
// Differences from net/http/cookiejar, all on the side of safety: the
// public suffix list is used unless another is given (net/http's jar
// accepts cookies for any suffix without one); a Secure cookie is accepted
// only from an https origin, and an http origin cannot overwrite or shadow
// a Secure cookie (RFC 6265bis §5.7); the "__Secure-" and "__Host-" name
// prefixes are enforced; and the jar is bounded (MaxCookiesPerDomain,
// MaxCookies, MaxCookieBytes), evicting expired cookies first and then
// the least recently used.
package cookiejar

import (
	"cmp"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"turbohttp"
)

// Limits of a Jar. RFC 6265 §6.1 asks for at least 50 cookies per domain,
// 3000 in all, and 4096 bytes per cookie; browsers keep about 180 per
// domain.
const (
	// MaxCookiesPerDomain bounds the cookies kept for one registrable
	// domain (eTLD+1, or an IP address).
	MaxCookiesPerDomain = 180
	// MaxCookies bounds the cookies kept in all.
	MaxCookies = 3000
	// MaxCookieBytes bounds a cookie's name and value together; a larger
	// cookie is ignored.
	MaxCookieBytes = 4096
	// maxAttrBytes bounds the Path and Domain attributes (RFC 6265bis
	// §5.6: attribute values over 1024 bytes are ignored).
	maxAttrBytes = 1024
)

// PublicSuffixList tells which domains are public suffixes, under which
// anyone may register a name ("com", "co.uk", "github.io"). The jar never
// lets a site set a cookie for one. golang.org/x/net/publicsuffix.List
// implements it.
type PublicSuffixList interface {
	// PublicSuffix returns the public suffix of domain, e.g. "co.uk" for
	// "www.example.co.uk".
	PublicSuffix(domain string) string
	// String names the list and its version.
	String() string
}

// Options configures a Jar.
type Options struct {
	// PublicSuffixList is the list of public suffixes; nil means
	// golang.org/x/net/publicsuffix.List.
	PublicSuffixList PublicSuffixList
}

// Jar is an in-memory cookie jar, safe for concurrent use. It implements
// turbohttp.CookieJar.
type Jar struct {
	psl PublicSuffixList

	mu      sync.Mutex
	buckets map[string]map[string]*entry // by registrable domain, then by entry.id
	count   int                          // entries in all buckets
	seq     uint64                       // orders entries created at the same instant
}

// New returns an empty jar. The error is always nil; it is there for
// net/http/cookiejar's signature.
func New(o *Options) (*Jar, error) {
	j := &Jar{psl: publicsuffix.List, buckets: make(map[string]map[string]*entry)}
	if o != nil && o.PublicSuffixList != nil {
		j.psl = o.PublicSuffixList
	}
	return j, nil
}

// entry is a stored cookie (RFC 6265 §5.3).
type entry struct {
	name, value  string
	domain, path string
	hostOnly     bool
	secure       bool
	httpOnly     bool
	expires      time.Time // zero for a session cookie
	creation     time.Time
	lastAccess   time.Time
	seq          uint64
}

func (e *entry) id() string { return e.name + ";" + e.domain + ";" + e.path }

func (e *entry) expired(now time.Time) bool { return !e.expires.IsZero() && !e.expires.After(now) }

// domainMatch reports whether a request to host may carry e.
func (e *entry) domainMatch(host string) bool {
	if e.hostOnly {
		return host == e.domain
	}
	return domainMatch(host, e.domain)
}

// domainMatch is RFC 6265 §5.1.3 for a host name (IP addresses only ever
// have host-only cookies).
func domainMatch(host, domain string) bool {
	return host == domain || strings.HasSuffix(host, domain) && host[len(host)-len(domain)-1] == '.'
}

// pathMatch is RFC 6265 §5.1.4.
func pathMatch(reqPath, cookiePath string) bool {
	if !strings.HasPrefix(reqPath, cookiePath) {
		return false
	}
	return len(reqPath) == len(cookiePath) || cookiePath[len(cookiePath)-1] == '/' || reqPath[len(cookiePath)] == '/'
}

// defaultPath is RFC 6265 §5.1.4's default-path of a request path.
func defaultPath(p string) string {
	if p == "" || p[0] != '/' {
		return "/"
	}
	i := strings.LastIndexByte(p, '/')
	if i == 0 {
		return "/"
	}
	return p[:i]
}

// canonicalHost lower-cases the host of u, without port or trailing dot,
// and converts an internationalized name to its ASCII form.
func canonicalHost(hostport string) (string, bool) {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return "", false
	}
	for i := 0; i < len(host); i++ {
		if host[i] >= 0x80 {
			a, err := idna.Lookup.ToASCII(host)
			return a, err == nil && a != ""
		}
	}
	return host, true
}

func isIP(host string) bool { return net.ParseIP(host) != nil }

// key returns the bucket of host: its registrable domain (eTLD+1), or
// the host itself when it is an IP address or a public suffix.
func (j *Jar) key(host string) string {
	if isIP(host) {
		return host
	}
	ps := j.psl.PublicSuffix(host)
	if ps == host || !strings.HasSuffix(host, "."+ps) {
		return host
	}
	rest := host[:len(host)-len(ps)-1]
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		rest = rest[i+1:]
	}
	return rest + "." + ps
}

// origin is the request a cookie came from, or is being sent on.
type origin struct {
	host   string
	path   string
	secure bool
}

func parseOrigin(u *url.URL) (origin, bool) {
	if u == nil || u.Scheme != "http" && u.Scheme != "https" {
		return origin{}, false
	}
	host, ok := canonicalHost(u.Host)
	p := u.Path
	if p == "" {
		p = "/"
	}
	return origin{host: host, path: p, secure: u.Scheme == "https"}, ok
}

// Cookies returns the cookies to send to u, an http or https URL: those
// whose domain and path match it, not expired, and Secure ones only over
// https; longer paths first, then older cookies first (RFC 6265 §5.4).
// They carry only Name and Value.
func (j *Jar) Cookies(u *url.URL) []*turbohttp.Cookie {
	o, ok := parseOrigin(u)
	if !ok {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	key := j.key(o.host)
	now := time.Now()
	var selected []*entry
	for id, e := range j.buckets[key] {
		if e.expired(now) {
			j.remove(key, id)
			continue
		}
		if e.domainMatch(o.host) && pathMatch(o.path, e.path) && (!e.secure || o.secure) {
			e.lastAccess = now
			selected = append(selected, e)
		}
	}
	slices.SortFunc(selected, func(a, b *entry) int {
		if len(a.path) != len(b.path) {
			return len(b.path) - len(a.path)
		}
		return cmp.Compare(a.seq, b.seq)
	})
	out := make([]*turbohttp.Cookie, len(selected))
	for i, e := range selected {
		out[i] = &turbohttp.Cookie{Name: e.name, Value: e.value}
	}
	return out
}

// remove deletes entry id of bucket key, and the bucket once empty.
func (j *Jar) remove(key, id string) {
	bucket := j.buckets[key]
	if _, ok := bucket[id]; !ok {
		return
	}
	delete(bucket, id)
	j.count--
	if len(bucket) == 0 {
		delete(j.buckets, key)
	}
}
