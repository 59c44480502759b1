package hpack

import (
	"errors"
	"strconv"
)

// Errors that abandon one header block but leave the decoder usable. The
// Decoder reports them only after it has processed the whole block, so its
// dynamic table stays in step with the peer's encoder. In HTTP/2 they call
// for a 431 (Request Header Fields Too Large) or a reset of the stream, not
// for a connection error.
var (
	// ErrHeaderListTooLarge reports a header list larger than
	// Decoder.MaxHeaderListSize (RFC 9113, Section 6.5.2).
	ErrHeaderListTooLarge = errors.New("hpack: header list too large")
	// ErrTooManyFields reports a header list of more than Decoder.MaxFields
	// fields.
	ErrTooManyFields = errors.New("hpack: too many header fields")
	// ErrStringTooLong reports a name or value longer than
	// Decoder.MaxStringLength.
	ErrStringTooLong = errors.New("hpack: header field name or value too long")
)

// Reasons for a *DecodingError, to be matched with errors.Is. A decoding
// error is a COMPRESSION_ERROR in HTTP/2 (RFC 9113, Section 4.3): the
// decoder has lost track of the peer's dynamic table and the connection must
// be closed.
var (
	ErrTruncated            = errors.New("truncated representation")
	ErrIntegerOverflow      = errors.New("integer overflow")
	ErrStringLength         = errors.New("string length beyond the block")
	ErrInvalidIndex         = errors.New("invalid table index")
	ErrHuffmanEOS           = errors.New("EOS symbol in Huffman-coded data")
	ErrHuffmanPadding       = errors.New("padding of Huffman-coded data longer than 7 bits or not all ones")
	ErrSizeUpdateTooLarge   = errors.New("dynamic table size update above the limit")
	ErrSizeUpdateAfterField = errors.New("dynamic table size update after a field")
	ErrSizeUpdateMissing    = errors.New("dynamic table size update required but missing")
)

// errStringOverMax is the internal signal that a string is longer than the
// decoder is willing to store.
var errStringOverMax = errors.New("hpack: string over the maximum")

// A DecodingError reports a malformed header block. Err is one of the
// reasons above; Offset is the position in the block of the representation
// that failed.
type DecodingError struct {
	Offset int
	Err    error
}

func (e *DecodingError) Error() string {
	return "hpack: decoding error at offset " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
}

// Unwrap returns the reason, so that errors.Is(err, ErrHuffmanEOS) works.
func (e *DecodingError) Unwrap() error { return e.Err }
