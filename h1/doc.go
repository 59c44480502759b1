// Package h1 is the HTTP/1.x wire codec (RFC 9112): it parses request and
// response heads from bytes, writes heads, frames message bodies and applies
// the message-length rules. It does no I/O of its own beyond the readers and
// writers it is handed, starts no goroutines and takes no locks.
package h1
