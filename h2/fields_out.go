package h2

// checkedList is checkOut's verdict on a header list, for writeHeaders:
// its kind (0 for a list the Conn made itself, which is not remembered),
// its :status, and whether it is the list in the memo (c.om).
type checkedList struct {
	kind   sectionKind
	status int
	memo   bool
}

// checkOut checks a header list to write, as checkFields does, unless it
// is the list the memo holds, already checked.
func (c *Conn) checkOut(fields []Field, kind sectionKind) (checkedList, error) {
	if c.om.match(fields, kind, c.enc.Generation()) {
		return checkedList{kind: kind, status: c.om.status, memo: true}, nil
	}
	status, err := c.checkFields(fields, kind)
	return checkedList{kind: kind, status: status}, err
}

// outMemo remembers the last header list the Conn checked and encoded, if
// encoding it left the HPACK context as it was (every field was found in
// the tables): the same list, of the same kind, at the same
// hpack.Encoder.Generation, would pass the same checks and encode to the
// same block, so it is written again from here. A client's requests and a
// server's responses repeat theirs field for field once the encoder has
// indexed them.
type outMemo struct {
	valid  bool
	kind   sectionKind
	status int
	gen    uint64
	data   []byte  // the names and values, back to back
	ends   []int32 // where each name and each value ends in data
	block  []byte
}

// maxMemoList bounds the names and values of a list the memo keeps. (A
// variable only so that FuzzHeaderMemo can turn the memo off and compare.)
var maxMemoList = 1 << 10

// match reports whether fields of kind, at the encoder's generation gen,
// are the list in the memo.
func (m *outMemo) match(fields []Field, kind sectionKind, gen uint64) bool {
	if m == nil || !m.valid || m.kind != kind || m.gen != gen || 2*len(fields) != len(m.ends) {
		return false
	}
	start := int32(0)
	for i, f := range fields {
		mid, end := m.ends[2*i], m.ends[2*i+1]
		if string(f.Name) != string(m.data[start:mid]) || string(f.Value) != string(m.data[mid:end]) {
			return false
		}
		start = end
	}
	return true
}

// store remembers fields and their block if they were checked (a kind)
// and the encoding did not change the context (from == to).
func (m *outMemo) store(fields []Field, checked checkedList, from, to uint64, block []byte) {
	m.valid = false
	if checked.kind == 0 || from != to || len(block) > maxMemoList {
		return
	}
	m.data, m.ends = m.data[:0], m.ends[:0]
	for _, f := range fields {
		if len(m.data)+len(f.Name)+len(f.Value) > maxMemoList {
			return
		}
		m.data = append(m.data, f.Name...)
		m.ends = append(m.ends, int32(len(m.data)))
		m.data = append(m.data, f.Value...)
		m.ends = append(m.ends, int32(len(m.data)))
	}
	m.block = append(m.block[:0], block...)
	m.valid, m.kind, m.status, m.gen = true, checked.kind, checked.status, to
}

// checkFields applies to a section we send the rules we enforce on the
// sections we receive (RFC 9113 §8.2–8.3), so that the engine never
// writes a malformed message. For a response it returns the :status.
func (c *Conn) checkFields(fields []Field, kind sectionKind) (status int, err error) {
	var seen int
	regular := false
	for _, f := range fields {
		if len(f.Name) > 0 && f.Name[0] == ':' {
			if regular {
				return 0, &FieldError{"pseudo-header field after a regular field"}
			}
			bit := outPseudoBit(f.Name, kind)
			if bit == 0 || seen&bit != 0 {
				return 0, &FieldError{"pseudo-header field " + quote(f.Name) + " not allowed or repeated"}
			}
			seen |= bit
			if bit == pseudoStatus {
				var ok bool
				if status, ok = parseStatus(f.Value); !ok || status == 101 {
					return 0, &FieldError{"invalid :status"}
				}
			}
			if !validFieldValue(f.Value) {
				return 0, &FieldError{"invalid value of " + quote(f.Name)}
			}
			continue
		}
		regular = true
		if err := checkRegularField(f); err != nil {
			return 0, err
		}
	}
	switch {
	case kind == sectionResponse && seen&pseudoStatus == 0:
		return 0, &FieldError{"response without :status"}
	case kind == sectionRequest && !validRequestPseudo(fields, seen):
		return 0, &FieldError{"request pseudo-header fields incomplete"}
	}
	return status, nil
}

func outPseudoBit(name []byte, kind sectionKind) int {
	switch kind {
	case sectionRequest:
		switch string(name) {
		case ":method":
			return pseudoMethod
		case ":scheme":
			return pseudoScheme
		case ":authority":
			return pseudoAuthority
		case ":path":
			return pseudoPath
		}
	case sectionResponse:
		if string(name) == ":status" {
			return pseudoStatus
		}
	}
	return 0
}

// validRequestPseudo checks the set of request pseudo-header fields: all
// of :method, :scheme and :path, or CONNECT with :authority only (§8.5).
func validRequestPseudo(fields []Field, seen int) bool {
	if seen&pseudoMethod == 0 {
		return false
	}
	for _, f := range fields {
		if string(f.Name) == ":method" && string(f.Value) == "CONNECT" {
			return seen == pseudoMethod|pseudoAuthority
		}
	}
	return seen&(pseudoScheme|pseudoPath) == pseudoScheme|pseudoPath
}

func checkRegularField(f Field) error {
	if len(f.Name) == 0 || !validFieldName(f.Name) {
		return &FieldError{"invalid field name " + quote(f.Name)}
	}
	if !validFieldValue(f.Value) {
		return &FieldError{"invalid value of field " + quote(f.Name)}
	}
	switch string(f.Name) {
	case "connection", "proxy-connection", "keep-alive", "transfer-encoding", "upgrade":
		return &FieldError{"connection-specific field " + quote(f.Name)}
	case "te":
		if string(f.Value) != "trailers" {
			return &FieldError{`te other than "trailers"`}
		}
	}
	return nil
}

// CheckField returns the FieldError that would make the write methods
// refuse f as a regular field (a name that is not a lowercase token, an
// invalid value, a connection-specific field, te other than "trailers"),
// or nil: an owner that builds a section from fields it does not control
// leaves such a field out instead of failing the whole section.
func CheckField(f Field) error { return checkRegularField(f) }
