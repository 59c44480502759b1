package h2

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
