package nethttp

// commonHeader maps the canonical form of common header names to a
// constant string, so that converting a request's header allocates no
// string for them. Looking it up with string(b) for a []byte b does not
// allocate either.
var commonHeader = func() map[string]string {
	m := make(map[string]string, len(commonHeaderNames))
	for _, name := range commonHeaderNames {
		m[name] = name
	}
	return m
}()

// commonHeaderNames are the interned names, in canonical form.
var commonHeaderNames = [...]string{
	"Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language",
	"Accept-Ranges", "Access-Control-Request-Headers",
	"Access-Control-Request-Method", "Authorization", "Cache-Control",
	"Cdn-Loop", "Connection", "Content-Disposition", "Content-Encoding",
	"Content-Language", "Content-Length", "Content-Location",
	"Content-Range", "Content-Type", "Cookie", "Date", "Dnt", "Early-Data",
	"Etag", "Expect", "Expires", "Forwarded", "From", "Host", "If-Match",
	"If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since",
	"Keep-Alive", "Last-Modified", "Link", "Location", "Max-Forwards",
	"Origin", "Pragma", "Priority", "Proxy-Authorization",
	"Proxy-Connection", "Range", "Referer", "Sec-Ch-Ua", "Sec-Ch-Ua-Mobile",
	"Sec-Ch-Ua-Platform", "Sec-Fetch-Dest", "Sec-Fetch-Mode",
	"Sec-Fetch-Site", "Sec-Fetch-User", "Sec-Gpc", "Sec-Purpose",
	"Sec-Websocket-Extensions", "Sec-Websocket-Key", "Sec-Websocket-Protocol",
	"Sec-Websocket-Version", "Server", "Set-Cookie", "Te", "Traceparent",
	"Tracestate", "Trailer", "Transfer-Encoding", "Upgrade",
	"Upgrade-Insecure-Requests", "User-Agent", "Via", "Warning",
	"X-Amzn-Trace-Id", "X-Csrf-Token", "X-Forwarded-For",
	"X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Proto",
	"X-Real-Ip", "X-Request-Id", "X-Requested-With",
}
