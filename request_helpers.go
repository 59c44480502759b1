package turbohttp

import (
	"encoding/base64"
	"strings"

	"turbohttp/internal/ascii"
)

// UserAgent returns the request's User-Agent field, or "".
func (r *Request) UserAgent() string { return r.Header.Get("User-Agent") }

// Referer returns the request's Referer field (spelt as in RFC 9110), or
// "".
func (r *Request) Referer() string { return r.Header.Get("Referer") }

// BasicAuth returns the user name and password of an Authorization field
// using the Basic scheme (RFC 7617), with ok false when there is none or
// it is malformed. The scheme name is matched without regard to case; the
// credentials must be valid standard base64 holding a ":".
func (r *Request) BasicAuth() (username, password string, ok bool) {
	auth := r.Header.Peek("Authorization")
	const prefix = "Basic "
	if len(auth) < len(prefix) || !ascii.EqualFold(auth[:len(prefix)], prefix) {
		return "", "", false
	}
	dec := make([]byte, base64.StdEncoding.DecodedLen(len(auth)-len(prefix)))
	n, err := base64.StdEncoding.Decode(dec, auth[len(prefix):])
	if err != nil {
		return "", "", false
	}
	username, password, ok = strings.Cut(string(dec[:n]), ":")
	if !ok {
		return "", "", false
	}
	return username, password, true
}

// SetBasicAuth sets the request's Authorization field to the Basic
// scheme with username and password, for a client request. The
// credentials are only encoded, not encrypted: send them over HTTPS.
func (r *Request) SetBasicAuth(username, password string) {
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(username+":"+password)))
}
