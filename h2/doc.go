// Package h2 is HTTP/2 (RFC 9113): the frame codec and, above it, the
// connection state machine shared by clients and servers. Header fields and
// data go in and out as bytes; it knows nothing of request or response types.
package h2
