// Package hpack implements HPACK (RFC 7541), the header compression of
// HTTP/2: integer and string coding, Huffman coding, the static and dynamic
// tables, an Encoder and a Decoder. It imports nothing else from turbohttp.
package hpack
