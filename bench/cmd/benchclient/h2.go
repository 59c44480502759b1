package main

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"

	"turbohttp"
	"turbohttp/nethttp"
)

// h2WorkerFactory makes the workers of -proto h2: every client speaks
// HTTP/2 on one connection shared by all workers (h2c by prior knowledge
// for http://, ALPN h2 for https://, certificates not checked).
func h2WorkerFactory(impl, url string) (func() worker, error) {
	tlsConf := &tls.Config{InsecureSkipVerify: true}
	h2c := strings.HasPrefix(url, "http://")
	ours := func() *turbohttp.Transport {
		return &turbohttp.Transport{TLSClientConfig: tlsConf, HTTP2PriorKnowledge: h2c, MaxConnsPerHost: 1}
	}
	switch impl {
	case "native":
		t := ours()
		return func() worker { return nativeWorker(t, url) }, nil
	case "roundtripper":
		c := &http.Client{Transport: nethttp.RoundTripper(ours())}
		return func() worker { return netHTTPWorker(c, url) }, nil
	case "nethttp":
		var p http.Protocols
		if h2c {
			p.SetUnencryptedHTTP2(true)
		} else {
			p.SetHTTP2(true)
		}
		c := &http.Client{Transport: &http.Transport{Protocols: &p, TLSClientConfig: tlsConf, ForceAttemptHTTP2: true}}
		return func() worker { return netHTTPWorker(c, url) }, nil
	}
	return nil, fmt.Errorf("-proto h2: unknown -impl %q (fasthttp has no HTTP/2)", impl)
}
