package turbohttp

import (
	"fmt"
	"strings"
)

// This file decides which of two patterns takes precedence, and when two
// patterns conflict, following net/http since Go 1.22:
//
//  1. A pattern with a host wins over one without.
//  2. Otherwise a pattern wins when it is more specific: it matches a
//     strict subset of the (method, path) pairs the other matches.
//
// Two patterns with the same host conflict when some request matches both
// and neither is more specific: they are equivalent, or they overlap.

// relation is how the set of requests matched by one pattern (or part of
// it) relates to that of another.
type relation uint8

const (
	equivalent   relation = iota // the same requests
	moreGeneral                  // all of the other's requests, and more
	moreSpecific                 // a strict subset of the other's
	disjoint                     // no request in common
	overlaps                     // some in common, neither a subset
)

// inverse is the relation of the other pattern to this one.
func (r relation) inverse() relation {
	switch r {
	case moreGeneral:
		return moreSpecific
	case moreSpecific:
		return moreGeneral
	}
	return r
}

// and combines the relations of two independent parts of a pattern (the
// method and the path, or successive segments) into that of the whole.
func (r relation) and(s relation) relation {
	switch {
	case r == disjoint || s == disjoint:
		return disjoint
	case r == equivalent:
		return s
	case s == equivalent || r == s:
		return r
	}
	return overlaps // general one way and specific the other, or overlaps
}

// conflictsWith reports whether p and q cannot both be registered.
func (p *pattern) conflictsWith(q *pattern) bool {
	if p.host != q.host {
		return false // rule 1, or different hosts: no common request
	}
	rel := compareMethods(p.method, q.method).and(comparePaths(p.segs, q.segs))
	return rel == equivalent || rel == overlaps
}

// compareMethods relates two pattern methods: "" matches every method and
// "GET" matches HEAD too.
func compareMethods(m1, m2 string) relation {
	switch {
	case m1 == m2:
		return equivalent
	case m1 == "":
		return moreGeneral
	case m2 == "":
		return moreSpecific
	case m1 == MethodGet && m2 == MethodHead:
		return moreGeneral
	case m1 == MethodHead && m2 == MethodGet:
		return moreSpecific
	}
	return disjoint
}

// comparePaths relates the paths of two patterns, segment by segment; a
// trailing multi wildcard also covers the longer pattern's remaining
// segments.
func comparePaths(a, b []segment) relation {
	rel := equivalent
	i := 0
	for ; i < len(a) && i < len(b); i++ {
		if rel = rel.and(compareSegments(a[i], b[i])); rel == disjoint {
			return disjoint
		}
	}
	switch {
	case len(a) == len(b):
		return rel
	case len(a) < len(b) && a[len(a)-1].kind == segMulti:
		return rel.and(moreGeneral)
	case len(b) < len(a) && b[len(b)-1].kind == segMulti:
		return rel.and(moreSpecific)
	}
	return disjoint
}

// compareSegments relates two segments in the same position.
func compareSegments(s1, s2 segment) relation {
	switch {
	case s1.kind == segMulti && s2.kind == segMulti:
		return equivalent
	case s1.kind == segMulti:
		return moreGeneral
	case s2.kind == segMulti:
		return moreSpecific
	case s1.kind == s2.kind && s1.kind != segLiteral: // both {x}, or both {$}
		return equivalent
	case s1.kind == segEnd || s2.kind == segEnd:
		return disjoint // {$} matches only a trailing slash, the others never
	case s1.kind == segWild:
		return moreGeneral
	case s2.kind == segWild:
		return moreSpecific
	case s1.s == s2.s:
		return equivalent
	}
	return disjoint
}

// conflictError is the panic value of Handle for a pattern that conflicts
// with one registered before.
func conflictError(p, q *pattern) error {
	return fmt.Errorf("turbohttp: ServeMux: pattern %q (registered at %s) conflicts with pattern %q (registered at %s): %s",
		p.str, p.loc, q.str, q.loc, describeConflict(p, q))
}

// describeConflict explains why p and q, which conflict, do.
func describeConflict(p, q *pattern) string {
	mrel := compareMethods(p.method, q.method)
	prel := comparePaths(p.segs, q.segs)
	switch {
	case mrel.and(prel) == equivalent:
		return fmt.Sprintf("%s matches the same requests as %s", p, q)
	case prel == overlaps:
		return fmt.Sprintf("%s and %s both match some paths, like %q, but neither is more specific than the other",
			p, q, commonPath(p.segs, q.segs))
	case mrel == moreGeneral:
		return fmt.Sprintf("%s matches more methods than %s, but has a more specific path pattern", p, q)
	}
	return fmt.Sprintf("%s matches fewer methods than %s, but has a more general path pattern", p, q)
}

// commonPath returns a path that both a and b, which overlap, match.
func commonPath(a, b []segment) string {
	var sb strings.Builder
	for len(a) > 0 && len(b) > 0 {
		s := a[0]
		if s.kind == segWild || s.kind == segMulti {
			s = b[0]
		}
		writeSegment(&sb, s)
		a, b = a[1:], b[1:]
	}
	for _, rest := range [][]segment{a, b} {
		for _, s := range rest {
			writeSegment(&sb, s)
		}
	}
	return sb.String()
}

// writeSegment writes a path piece that s matches.
func writeSegment(sb *strings.Builder, s segment) {
	sb.WriteByte('/')
	if s.kind == segLiteral || s.kind == segWild {
		sb.WriteString(s.s)
	}
}

// conflictIndex narrows down the registered patterns a new one may conflict
// with, so that registering n patterns does not cost n² comparisons when
// most begin with distinct literals: patterns conflict only if they have
// the same host, and a pattern whose path begins with a literal can only
// conflict with those beginning with the same literal or with a wildcard.
type conflictIndex struct {
	hosts map[string]*hostIndex
}

type hostIndex struct {
	byLiteral map[string][]*pattern // by first segment, for literal ones
	others    []*pattern            // first segment a wildcard or {$}
	all       []*pattern
}

// candidates calls f for each indexed pattern that may conflict with p,
// until f returns an error, which it returns.
func (ci *conflictIndex) candidates(p *pattern, f func(*pattern) error) error {
	hi := ci.hosts[p.host]
	if hi == nil {
		return nil
	}
	list := hi.all
	if first := p.segs[0]; first.kind == segLiteral || first.kind == segEnd {
		list = hi.others
		if first.kind == segLiteral {
			for _, q := range hi.byLiteral[first.s] {
				if err := f(q); err != nil {
					return err
				}
			}
		}
	}
	for _, q := range list {
		if err := f(q); err != nil {
			return err
		}
	}
	return nil
}

// add indexes p.
func (ci *conflictIndex) add(p *pattern) {
	if ci.hosts == nil {
		ci.hosts = make(map[string]*hostIndex)
	}
	hi := ci.hosts[p.host]
	if hi == nil {
		hi = &hostIndex{byLiteral: make(map[string][]*pattern)}
		ci.hosts[p.host] = hi
	}
	hi.all = append(hi.all, p)
	if first := p.segs[0]; first.kind == segLiteral {
		hi.byLiteral[first.s] = append(hi.byLiteral[first.s], p)
	} else {
		hi.others = append(hi.others, p)
	}
}
