package cookiejar

import (
	"net/url"
	"strings"
	"time"

	"turbohttp"
)

// SetCookies stores the cookies a response from u, an http or https URL,
// set (RFC 6265 §5.3); cookies that u may not set are ignored, and a
// cookie that is expired, or has Max-Age < 0, removes the stored one it
// matches.
func (j *Jar) SetCookies(u *url.URL, cookies []*turbohttp.Cookie) {
	o, ok := parseOrigin(u)
	if !ok {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	key := j.key(o.host)
	now := time.Now()
	for _, c := range cookies {
		e, del, ok := j.newEntry(c, o, now)
		if !ok || j.shadowsSecure(key, e, o) {
			continue
		}
		if del {
			j.remove(key, e.id())
			continue
		}
		bucket := j.buckets[key]
		if bucket == nil {
			bucket = make(map[string]*entry)
			j.buckets[key] = bucket
		}
		if old, ok := bucket[e.id()]; ok {
			e.creation, e.seq = old.creation, old.seq
		} else {
			j.count++
		}
		bucket[e.id()] = e
		j.evict(key, now)
	}
}

// maxLifetime caps a cookie's lifetime, in seconds: 400 days (RFC 6265bis
// §5.5).
const maxLifetime = 400 * 24 * 3600

// newEntry makes the entry for c set by o, reporting whether it deletes a
// stored cookie instead, or must be ignored (ok false).
func (j *Jar) newEntry(c *turbohttp.Cookie, o origin, now time.Time) (e *entry, del, ok bool) {
	if c == nil || len(c.Name)+len(c.Value) > MaxCookieBytes || len(c.Path) > maxAttrBytes || len(c.Domain) > maxAttrBytes ||
		(&turbohttp.Cookie{Name: c.Name, Value: c.Value}).Valid() != nil {
		return nil, false, false
	}
	if c.Secure && !o.secure {
		return nil, false, false // RFC 6265bis §5.7 step 15
	}
	j.seq++
	e = &entry{name: c.Name, value: c.Value, secure: c.Secure, httpOnly: c.HttpOnly,
		creation: now, lastAccess: now, seq: j.seq}
	if e.path = c.Path; e.path == "" || e.path[0] != '/' {
		e.path = defaultPath(o.path)
	}
	if !j.setDomain(e, c.Domain, o.host) || !prefixAllowed(c, e) {
		return nil, false, false
	}
	switch {
	case c.MaxAge < 0:
		return e, true, true
	case c.MaxAge > 0:
		e.expires = now.Add(time.Duration(min(c.MaxAge, maxLifetime)) * time.Second)
	case !c.Expires.IsZero():
		if !c.Expires.After(now) {
			return e, true, true
		}
		e.expires = c.Expires
		if limit := now.Add(maxLifetime * time.Second); e.expires.After(limit) {
			e.expires = limit
		}
	}
	return e, false, true
}

// setDomain applies the Domain attribute d for a cookie from host (RFC
// 6265 §5.3 steps 4 to 6): no attribute, or one naming a public suffix
// that is the host itself, makes a host-only cookie; an attribute the host
// does not domain-match, or naming any other public suffix, is refused.
func (j *Jar) setDomain(e *entry, d, host string) bool {
	d = strings.TrimPrefix(d, ".")
	if d == "" {
		e.domain, e.hostOnly = host, true
		return true
	}
	d, ok := canonicalHost(d)
	if !ok {
		return false
	}
	if isIP(host) || j.psl.PublicSuffix(d) == d {
		if d != host {
			return false
		}
		e.domain, e.hostOnly = host, true
		return true
	}
	if !domainMatch(host, d) {
		return false
	}
	e.domain = d
	return true
}

// prefixAllowed enforces the cookie name prefixes of RFC 6265bis §4.1.3:
// "__Secure-" needs Secure; "__Host-" needs Secure, no Domain and Path
// "/". Like browsers, it matches them without regard to case.
func prefixAllowed(c *turbohttp.Cookie, e *entry) bool {
	switch {
	case hasPrefixFold(c.Name, "__Secure-"):
		return c.Secure
	case hasPrefixFold(c.Name, "__Host-"):
		return c.Secure && e.hostOnly && c.Path == "/"
	}
	return true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// shadowsSecure reports whether a non-secure cookie from an http origin
// must be ignored because it would overwrite or shadow a Secure one (RFC
// 6265bis §5.7 step 16).
func (j *Jar) shadowsSecure(key string, e *entry, o origin) bool {
	if e == nil || o.secure || e.secure {
		return false
	}
	for _, old := range j.buckets[key] {
		if old.secure && old.name == e.name &&
			(domainMatch(old.domain, e.domain) || domainMatch(e.domain, old.domain)) && pathMatch(e.path, old.path) {
			return true
		}
	}
	return false
}

// evict keeps the jar within its bounds: in bucket key, then in all, it
// removes expired cookies first, then the least recently used.
func (j *Jar) evict(key string, now time.Time) {
	if len(j.buckets[key]) > MaxCookiesPerDomain {
		for id, e := range j.buckets[key] {
			if e.expired(now) {
				j.remove(key, id)
			}
		}
		for len(j.buckets[key]) > MaxCookiesPerDomain {
			j.remove(key, oldest(j.buckets[key]).id())
		}
	}
	if j.count > MaxCookies {
		for k, b := range j.buckets {
			for id, e := range b {
				if e.expired(now) {
					j.remove(k, id)
				}
			}
		}
	}
	for j.count > MaxCookies {
		var victim *entry
		var from string
		for k, b := range j.buckets {
			if e := oldest(b); e != nil && (victim == nil || older(e, victim)) {
				victim, from = e, k
			}
		}
		j.remove(from, victim.id())
	}
}

// oldest returns the least recently used entry of bucket, or nil.
func oldest(bucket map[string]*entry) *entry {
	var o *entry
	for _, e := range bucket {
		if o == nil || older(e, o) {
			o = e
		}
	}
	return o
}

func older(a, b *entry) bool {
	if !a.lastAccess.Equal(b.lastAccess) {
		return a.lastAccess.Before(b.lastAccess)
	}
	return a.seq < b.seq
}
