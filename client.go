package turbohttp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"time"

	"turbohttp/internal/ascii"
)

// RoundTripper carries one exchange into a caller-owned Response, as
// Transport.Do does. Client uses it, so that other transports (HTTP/2, a
// test double) can serve a Client.
type RoundTripper interface {
	Do(req *Request, resp *Response) error
}

// Client sends requests with redirects, cookies and an overall timeout on
// top of a RoundTripper. Unlike Transport.Do it allocates a Response per
// request. A Client is safe for concurrent use; its fields must not change
// once it is in use. The zero value uses DefaultTransport.
type Client struct {
	// Transport carries the exchanges; nil means DefaultTransport.
	Transport RoundTripper

	// CheckRedirect, if set, is called before following a redirect, with
	// the next request and the requests made so far, oldest first. Its
	// error stops the redirects and is returned — except
	// ErrUseLastResponse, which returns the redirect response itself with
	// its body unread. Nil means the default policy: at most
	// MaxRedirects redirects.
	CheckRedirect func(req *Request, via []*Request) error

	// Jar, if set, receives the cookies of every response and supplies
	// those of every request, redirects included.
	Jar CookieJar

	// Timeout bounds the whole exchange, redirects and the reading of the
	// final body included. Zero means none.
	Timeout time.Duration
}

// MaxRedirects is how many redirects the default policy follows.
const MaxRedirects = 10

// Errors of the Client.
var (
	// ErrUseLastResponse, returned by CheckRedirect, makes Do return the
	// redirect response instead of following it.
	ErrUseLastResponse = errors.New("turbohttp: use last response")
	// ErrTooManyRedirects is returned (wrapped) after MaxRedirects
	// redirects under the default policy.
	ErrTooManyRedirects = errors.New("turbohttp: stopped after 10 redirects")
	// ErrRedirectBody: a 307 or 308 redirect would have to send the body
	// again, but the request has no GetBody.
	ErrRedirectBody = errors.New("turbohttp: 307/308 redirect needs Request.GetBody to resend the body")
	// ErrRedirectLocation: a redirect without a usable Location.
	ErrRedirectLocation = errors.New("turbohttp: redirect with a missing or invalid Location")
	// ErrClientTimeout is returned when Client.Timeout expires.
	ErrClientTimeout = timeoutError("turbohttp: Client.Timeout exceeded")
)

// DefaultClient is the Client of Get, Head, Post and PostForm.
var DefaultClient = &Client{}

// Get issues a GET to url with DefaultClient.
func Get(url string) (*Response, error) { return DefaultClient.Get(url) }

// Head issues a HEAD to url with DefaultClient.
func Head(url string) (*Response, error) { return DefaultClient.Head(url) }

// Post issues a POST to url with DefaultClient, with body of the given
// Content-Type.
func Post(url, contentType string, body io.Reader) (*Response, error) {
	return DefaultClient.Post(url, contentType, body)
}

// PostForm issues a POST to url with DefaultClient, with data URL-encoded
// as the body.
func PostForm(url string, data url.Values) (*Response, error) {
	return DefaultClient.PostForm(url, data)
}

// DefaultUserAgent is the User-Agent a Client sends for a request that has
// no User-Agent field (net/http sends "Go-http-client/1.1"). A request
// with the field set to "" sends it empty.
const DefaultUserAgent = "turbohttp/1"

// CloseIdleConnections closes the idle connections of the Client's
// Transport, if it has a CloseIdleConnections method (Transport has).
func (c *Client) CloseIdleConnections() {
	if t, ok := c.transport().(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// NewRequest returns a client request for method and the absolute URL
// rawURL, with body (which may be nil). For a *bytes.Reader,
// *bytes.Buffer or *strings.Reader body it sets ContentLength and GetBody,
// so that the request can be retried and redirected with its body.
func NewRequest(method, rawURL string, body io.Reader) (*Request, error) {
	return NewRequestWithContext(context.Background(), method, rawURL, body)
}

// NewRequestWithContext is NewRequest with a context.
func NewRequestWithContext(ctx context.Context, method, rawURL string, body io.Reader) (*Request, error) {
	req := &Request{Method: method, Body: body}
	if err := req.SetURL(rawURL); err != nil {
		return nil, err
	}
	req.SetContext(ctx)
	setBodyFromReader(req, body)
	return req, nil
}

// setBodyFromReader fills ContentLength and GetBody for in-memory bodies
// (those with a Len method: *bytes.Reader, *bytes.Buffer,
// *strings.Reader), whose unread bytes it copies once.
func setBodyFromReader(req *Request, body io.Reader) {
	if _, ok := body.(interface{ Len() int }); !ok {
		return
	}
	data, _ := io.ReadAll(body)
	if len(data) == 0 {
		req.Body = nil
		return
	}
	req.ContentLength = int64(len(data))
	req.Body = bytes.NewReader(data)
	req.GetBody = func() (io.Reader, error) { return bytes.NewReader(data), nil }
}

// Get issues a GET to url.
func (c *Client) Get(url string) (*Response, error) {
	req, err := NewRequest(MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// Head issues a HEAD to url.
func (c *Client) Head(url string) (*Response, error) {
	req, err := NewRequest(MethodHead, url, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// Post issues a POST to url with body of the given Content-Type.
func (c *Client) Post(url, contentType string, body io.Reader) (*Response, error) {
	req, err := NewRequest(MethodPost, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	return c.Do(req)
}

// PostForm issues a POST to url with data URL-encoded as the body.
func (c *Client) PostForm(url string, data url.Values) (*Response, error) {
	return c.Post(url, "application/x-www-form-urlencoded", strings.NewReader(data.Encode()))
}

func (c *Client) transport() RoundTripper {
	if c.Transport != nil {
		return c.Transport
	}
	return DefaultTransport
}

// Do sends req and follows redirects, returning the final response, whose
// Body the caller must close. req itself is not modified: each hop sends a
// copy, and Response.Request is the last one. On error no response is
// returned and every body has been closed.
func (c *Client) Do(req *Request) (*Response, error) {
	ctx, cancel := req.Context(), context.CancelFunc(nil)
	if c.Timeout > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, c.Timeout, ErrClientTimeout)
	}
	resp, err := c.follow(ctx, req)
	if err != nil {
		if cancel != nil {
			cancel()
			if errors.Is(err, context.DeadlineExceeded) && context.Cause(ctx) == ErrClientTimeout {
				err = ErrClientTimeout
			}
		}
		return nil, err
	}
	if cancel != nil {
		resp.Body = &cancelBody{rc: resp.Body, cancel: cancel, ctx: ctx}
	}
	return resp, nil
}

// follow runs the exchanges of req and its redirects under ctx.
func (c *Client) follow(ctx context.Context, orig *Request) (*Response, error) {
	var via []*Request
	hop, err := firstHop(ctx, orig)
	if err != nil {
		return nil, err
	}
	for {
		resp, err := c.send(hop)
		if err != nil {
			return nil, err
		}
		next, err := c.redirect(ctx, orig, hop, resp, via)
		if next == nil || err != nil {
			if err == ErrUseLastResponse {
				return resp, nil
			}
			if err != nil {
				resp.Body.Close()
				return nil, err
			}
			return resp, nil
		}
		drain(resp.Body)
		via = append(via, hop)
		hop = next
	}
}

// send carries one hop, with the jar's cookies in and out.
func (c *Client) send(req *Request) (*Response, error) {
	var u *url.URL
	if c.Jar != nil {
		var err error
		if u, err = url.Parse(req.URL.String()); err != nil {
			return nil, err
		}
		for _, ck := range c.Jar.Cookies(u) {
			req.AddCookie(ck) // an invalid cookie from a jar is not sent
		}
	}
	if !req.Header.Has("User-Agent") {
		req.Header.Set("User-Agent", DefaultUserAgent)
	}
	resp := &Response{}
	if err := c.transport().Do(req, resp); err != nil {
		return nil, err
	}
	if c.Jar != nil {
		if cookies := ReadSetCookies(&resp.Header); len(cookies) > 0 {
			c.Jar.SetCookies(u, cookies)
		}
	}
	return resp, nil
}

// firstHop copies the caller's request for the first exchange.
func firstHop(ctx context.Context, orig *Request) (*Request, error) {
	hop := &Request{
		Method:        orig.Method,
		Body:          orig.Body,
		GetBody:       orig.GetBody,
		ContentLength: orig.ContentLength,
		Close:         orig.Close,
		Host:          orig.Host,
	}
	hop.URL = orig.URL
	orig.Header.CopyTo(&hop.Header)
	orig.Trailer.CopyTo(&hop.Trailer)
	hop.SetContext(ctx)
	return hop, nil
}

// drain reads a little of a body that is left behind, so that its
// connection can be reused, and closes it.
func drain(body io.ReadCloser) {
	const maxDrain = 2 << 10
	io.CopyN(io.Discard, body, maxDrain)
	body.Close()
}

// redirect returns the next hop after resp, or nil when resp is final.
func (c *Client) redirect(ctx context.Context, orig, hop *Request, resp *Response, via []*Request) (*Request, error) {
	code := resp.StatusCode
	switch code {
	case 301, 302, 303, 307, 308:
	default:
		return nil, nil
	}
	loc := resp.Header.Peek("Location")
	if loc == nil {
		if code == 307 || code == 308 {
			return nil, nil // not a redirect to follow (e.g. 300-style answer)
		}
		return nil, ErrRedirectLocation
	}
	next, err := nextHop(ctx, orig, hop, code, string(loc))
	if err != nil {
		return nil, err
	}
	all := append(via[:len(via):len(via)], hop)
	if c.CheckRedirect != nil {
		err = c.CheckRedirect(next, all)
	} else if len(all) > MaxRedirects {
		err = ErrTooManyRedirects
	}
	if err != nil {
		return nil, err
	}
	return next, nil
}

// nextHop builds the request that follows a redirect of hop to location.
func nextHop(ctx context.Context, orig, hop *Request, code int, location string) (*Request, error) {
	base, err := url.Parse(hop.URL.String())
	if err != nil {
		return nil, err
	}
	target, err := base.Parse(location)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") {
		return nil, ErrRedirectLocation
	}
	target.Fragment, target.RawFragment, target.User = "", "", nil
	next := &Request{Method: hop.Method, Close: orig.Close}
	if err := next.SetURL(target.String()); err != nil {
		return nil, ErrRedirectLocation
	}
	next.SetContext(ctx)
	keepBody := code == 307 || code == 308
	if !keepBody && method(hop) != MethodHead {
		next.Method = MethodGet
	}
	orig.Header.CopyTo(&next.Header)
	if keepBody && hop.Body != nil {
		if hop.GetBody == nil {
			return nil, ErrRedirectBody
		}
		body, err := hop.GetBody()
		if err != nil {
			return nil, err
		}
		next.Body, next.GetBody, next.ContentLength = body, hop.GetBody, hop.ContentLength
	} else if !keepBody {
		for _, h := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Transfer-Encoding", "Trailer"} {
			next.Header.Del(h)
		}
	}
	if origin(&orig.URL) != origin(&next.URL) {
		for _, h := range []string{"Authorization", "Cookie", "Proxy-Authorization", "WWW-Authenticate"} {
			next.Header.Del(h)
		}
	}
	if orig.Host != nil && origin(&orig.URL) == origin(&next.URL) {
		next.Host = orig.Host
	}
	setReferer(hop, next)
	return next, nil
}

// setReferer sets the Referer of a redirected request to the URL of the
// request redirected, as net/http does, unless the caller set one; but
// none, not even the caller's, goes from an https page to an http one
// (RFC 9110 §10.1.3). (net/http keeps a caller's Referer then.)
func setReferer(hop, next *Request) {
	if ascii.EqualFold(hop.URL.Scheme, "https") && ascii.EqualFold(next.URL.Scheme, "http") {
		next.Header.Del("Referer")
		return
	}
	if !next.Header.Has("Referer") {
		next.Header.Set("Referer", hop.URL.String())
	}
}

// origin returns scheme://host:port, lower-cased, the unit of trust for
// credentials on a redirect: the Client drops Authorization, Cookie and
// the like on a redirect to any other origin, subdomains included — safer
// than net/http, which keeps them for subdomains.
func origin(u *URL) string {
	https := ascii4(u.Scheme)
	b := ascii.AppendLower(nil, u.Scheme)
	b = append(b, "://"...)
	b = appendHostPort(b, ascii.AppendLower(nil, u.Host), https)
	return string(b)
}

// cancelBody ends the Client's timeout context when the body ends.
type cancelBody struct {
	rc     io.ReadCloser
	cancel context.CancelFunc
	ctx    context.Context
}

func (b *cancelBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.cancel()
	} else if err != nil && context.Cause(b.ctx) == ErrClientTimeout {
		err = ErrClientTimeout
	}
	return n, err
}

func (b *cancelBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}

// CookieJar stores cookies for a Client. Package turbohttp/cookiejar
// provides one that follows RFC 6265 and the public suffix list;
// nethttp.CookieJar adapts a net/http one (net/http/cookiejar).
type CookieJar interface {
	// SetCookies handles the cookies of a response from u.
	SetCookies(u *url.URL, cookies []*Cookie)
	// Cookies returns the cookies to send to u.
	Cookies(u *url.URL) []*Cookie
}
