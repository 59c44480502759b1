package turbohttp

// The request methods of RFC 9110 §9 and RFC 5789.
const (
	MethodGet     = "GET"
	MethodHead    = "HEAD"
	MethodPost    = "POST"
	MethodPut     = "PUT"
	MethodPatch   = "PATCH"
	MethodDelete  = "DELETE"
	MethodConnect = "CONNECT"
	MethodOptions = "OPTIONS"
	MethodTrace   = "TRACE"
)

// internMethod returns the method named by b as a string. For the methods
// above it returns the constant, so parsing a request does not allocate;
// any other method is copied.
func internMethod(b []byte) string {
	switch string(b) { // the conversion in a switch does not allocate
	case MethodGet:
		return MethodGet
	case MethodHead:
		return MethodHead
	case MethodPost:
		return MethodPost
	case MethodPut:
		return MethodPut
	case MethodPatch:
		return MethodPatch
	case MethodDelete:
		return MethodDelete
	case MethodConnect:
		return MethodConnect
	case MethodOptions:
		return MethodOptions
	case MethodTrace:
		return MethodTrace
	}
	return string(b)
}

// MethodIsSafe reports whether method is safe (RFC 9110 §9.2.1): read-only
// by definition.
func MethodIsSafe(method string) bool {
	switch method {
	case MethodGet, MethodHead, MethodOptions, MethodTrace:
		return true
	}
	return false
}

// MethodIsIdempotent reports whether method is idempotent (RFC 9110
// §9.2.2), so that a client may retry a request that failed before any
// response arrived.
func MethodIsIdempotent(method string) bool {
	switch method {
	case MethodGet, MethodHead, MethodOptions, MethodTrace, MethodPut, MethodDelete:
		return true
	}
	return false
}
