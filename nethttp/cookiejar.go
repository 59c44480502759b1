package nethttp

import (
	"net/http"
	"net/url"

	"turbohttp"
)

// CookieJar adapts a net/http cookie jar (net/http/cookiejar, or any other
// http.CookieJar) to turbohttp.CookieJar, for a turbohttp.Client that must
// share cookies with net/http code. Cookies are converted field by field;
// SameSite maps to and from its names ("Lax", "Strict", "None"). A new
// program needs none of this: package turbohttp/cookiejar is a native jar.
func CookieJar(j http.CookieJar) turbohttp.CookieJar { return cookieJar{j} }

type cookieJar struct{ j http.CookieJar }

func (cj cookieJar) SetCookies(u *url.URL, cookies []*turbohttp.Cookie) {
	hc := make([]*http.Cookie, len(cookies))
	for i, c := range cookies {
		hc[i] = &http.Cookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain, Expires: c.Expires,
			MaxAge: c.MaxAge, Secure: c.Secure, HttpOnly: c.HttpOnly, SameSite: sameSiteMode(c.SameSite), Partitioned: c.Partitioned}
	}
	cj.j.SetCookies(u, hc)
}

func (cj cookieJar) Cookies(u *url.URL) []*turbohttp.Cookie {
	hc := cj.j.Cookies(u)
	out := make([]*turbohttp.Cookie, len(hc))
	for i, c := range hc {
		out[i] = &turbohttp.Cookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain, Expires: c.Expires,
			MaxAge: c.MaxAge, Secure: c.Secure, HttpOnly: c.HttpOnly, SameSite: sameSiteName(c.SameSite), Partitioned: c.Partitioned}
	}
	return out
}

func sameSiteMode(s string) http.SameSite {
	switch s {
	case "Lax":
		return http.SameSiteLaxMode
	case "Strict":
		return http.SameSiteStrictMode
	case "None":
		return http.SameSiteNoneMode
	}
	return 0
}

func sameSiteName(s http.SameSite) string {
	switch s {
	case http.SameSiteLaxMode:
		return "Lax"
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteNoneMode:
		return "None"
	}
	return ""
}
