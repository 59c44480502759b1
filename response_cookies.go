package turbohttp

import (
	"errors"
	"net/url"
)

// ErrNoLocation is returned by Response.Location when there is no
// Location field.
var ErrNoLocation = errors.New("turbohttp: no Location header in response")

// Cookies parses the response's valid Set-Cookie fields (see
// ReadSetCookies).
func (resp *Response) Cookies() []*Cookie { return ReadSetCookies(&resp.Header) }

// Location returns the URL of the response's Location field, resolved
// against the URL of resp.Request when there is one (a relative
// reference then becomes absolute). It returns ErrNoLocation when there
// is no Location field, or an empty one (as net/http does), and net/url's error for one that does not parse.
func (resp *Response) Location() (*url.URL, error) {
	loc := resp.Header.Peek("Location")
	if len(loc) == 0 {
		return nil, ErrNoLocation
	}
	if resp.Request != nil && len(resp.Request.URL.Host) > 0 {
		base, err := url.Parse(resp.Request.URL.String())
		if err != nil {
			return nil, err
		}
		return base.Parse(string(loc))
	}
	return url.Parse(string(loc))
}
