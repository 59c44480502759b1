package h1

import (
	"io"
	"net/http/httputil"
)

// netHTTPChunkedReader is net/http's own chunked decoder, used as the
// reference in FuzzChunkedReader.
func netHTTPChunkedReader(r io.Reader) io.Reader { return httputil.NewChunkedReader(r) }
