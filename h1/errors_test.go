package h1

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestErrorsContract checks every *Error of the package: a status a server
// can answer, Close set, and a reason that is fixed text.
func TestErrorsContract(t *testing.T) {
	all := []*Error{
		ErrBadRequestLine, ErrBadMethod, ErrBadTarget, ErrTargetForm, ErrTargetTooLong, ErrBadVersion,
		ErrVersion, ErrBadStatusLine, ErrBadStatusCode, ErrMissingColon, ErrLeadingEmptyLine, ErrHeaderTooLarge, ErrTooManyFields,
		ErrBadFieldName, ErrSpaceBeforeColon, ErrBadFieldValue, ErrObsFold, ErrBareCR, ErrBareLF,
		ErrSpaceAfterStart, ErrMissingHost, ErrDuplicateHost, ErrBadHost, ErrTrailerTooLarge,
		ErrTooManyTrailers, ErrForbiddenTrailer, ErrBadContentLength, ErrDuplicateContentLength,
		ErrContentLengthAndTE, ErrTransferEncodingHTTP10, ErrBadTransferEncoding,
		ErrUnsupportedTransferCode, ErrBadChunkSize, ErrChunkSizeOverflow, ErrBadChunkExtension,
		ErrChunkExtTooLong, ErrBadChunkEnd,
	}
	want := map[*Error]int{ErrTargetTooLong: 414, ErrHeaderTooLarge: 431, ErrTooManyFields: 431,
		ErrTrailerTooLarge: 431, ErrTooManyTrailers: 431, ErrVersion: 505, ErrUnsupportedTransferCode: 501}
	seen := map[string]bool{}
	for _, e := range all {
		status := want[e]
		if status == 0 {
			status = 400
		}
		if e.Status != status || !e.Close || !strings.HasPrefix(e.Error(), "h1: ") || seen[e.Reason] {
			t.Errorf("%+v", e)
		}
		seen[e.Reason] = true
		wrapped := fmt.Errorf("conn: %w", e)
		if !errors.Is(wrapped, e) || StatusOf(wrapped) != status {
			t.Errorf("%v: not found through wrapping", e)
		}
	}
	if StatusOf(errors.New("other")) != 400 {
		t.Error("StatusOf(other)")
	}
}

// TestErrorsDoNotEchoInput feeds requests full of a marker and checks that
// no error text repeats it.
func TestErrorsDoNotEchoInput(t *testing.T) {
	for _, tc := range badRequests {
		in := strings.ReplaceAll(tc.in, "a", "SECRET")
		var h RequestHead
		if _, err := ParseRequest([]byte(in), &h, nil); err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
