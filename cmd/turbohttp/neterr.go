package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"syscall"

	"turbohttp"
)

// errKind sorts a failed exchange into the classes get turns into its exit
// status and load counts.
type errKind int

// Kinds of failure, from the most specific test to the least.
const (
	kindOther     errKind = iota
	kindResolve           // the host name did not resolve
	kindConnect           // the TCP connection failed (refused, unreachable)
	kindTimeout           // a timeout expired (--max-time, --connect-timeout, --timeout)
	kindTLS               // the TLS handshake failed for another reason than the certificate
	kindCert              // the server's certificate was not trusted
	kindRedirects         // too many redirects
	kindClosed            // the connection was reset or closed in the middle of an exchange
	kindMalformed         // the response broke HTTP/1.1
	numKinds
)

var kindNames = [numKinds]string{
	kindOther:     "other",
	kindResolve:   "resolve",
	kindConnect:   "connect",
	kindTimeout:   "timeout",
	kindTLS:       "tls",
	kindCert:      "certificate",
	kindRedirects: "redirects",
	kindClosed:    "closed",
	kindMalformed: "malformed",
}

func (k errKind) String() string { return kindNames[k] }

// tlsHandshakeError marks an error of a TLS handshake made by the command's
// own dialer, so that every handshake failure is classed as TLS.
type tlsHandshakeError struct{ err error }

func (e *tlsHandshakeError) Error() string { return "TLS handshake: " + e.err.Error() }
func (e *tlsHandshakeError) Unwrap() error { return e.err }

// errTooManyRedirects is returned by get's redirect policy past
// --max-redirs.
var errTooManyRedirects = errors.New("too many redirects")

// classify returns the kind of err, which is not nil.
func classify(err error) errKind {
	var (
		timeout interface{ Timeout() bool }
		dns     *net.DNSError
		op      *net.OpError
		hs      *tlsHandshakeError
	)
	switch {
	case errors.Is(err, errTooManyRedirects) || errors.Is(err, turbohttp.ErrTooManyRedirects):
		return kindRedirects
	case errors.As(err, &timeout) && timeout.Timeout():
		return kindTimeout
	case errors.As(err, &dns):
		return kindResolve
	case isCertError(err):
		return kindCert
	case errors.As(err, &hs) || isTLSError(err):
		return kindTLS
	case errors.As(err, &op) && op.Op == "dial":
		return kindConnect
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return kindClosed
	case errors.Is(err, turbohttp.ErrMalformedResponse):
		return kindMalformed
	}
	return kindOther
}

// isCertError reports a certificate the client refused.
func isCertError(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) ||
		errors.As(err, &hostname) || errors.As(err, &invalid)
}

// isTLSError reports the typed TLS failures of crypto/tls and the
// Transport's own.
func isTLSError(err error) bool {
	var (
		alert  tls.AlertError
		record tls.RecordHeaderError
	)
	return errors.As(err, &alert) || errors.As(err, &record) || errors.Is(err, turbohttp.ErrALPN)
}

// Exit statuses of get, as curl's where curl has one.
const (
	exitOK        = 0
	exitOther     = 1  // any other failure
	exitUsage     = 2  // bad flags, arguments or URL
	exitResolve   = 6  // could not resolve the host
	exitConnect   = 7  // could not connect
	exitHTTP      = 22 // HTTP status >= 400 with --fail
	exitWrite     = 23 // could not write the output
	exitRead      = 26 // could not read a @file argument
	exitTimeout   = 28 // --max-time or --connect-timeout expired
	exitTLS       = 35 // TLS handshake failed
	exitRedirects = 47 // more than --max-redirs redirects
	exitRecv      = 56 // connection closed or reset while receiving
	exitCert      = 60 // server certificate not trusted (use -k to skip the check)
)

// exitCode maps a failed exchange to get's exit status.
func exitCode(err error) int {
	switch classify(err) {
	case kindResolve:
		return exitResolve
	case kindConnect:
		return exitConnect
	case kindTimeout:
		return exitTimeout
	case kindTLS:
		return exitTLS
	case kindCert:
		return exitCert
	case kindRedirects:
		return exitRedirects
	case kindClosed:
		return exitRecv
	}
	return exitOther
}
