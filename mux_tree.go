package turbohttp

import (
	"bytes"
	"slices"
	"strings"

	"turbohttp/internal/ascii"
)

// This file holds the routing tree a ServeMux looks requests up in. It
// branches on the host, then the method, then the path segment by segment.
// Within a node, a literal child is tried before the wildcard child, and
// that before the multi wildcard: since conflicting patterns cannot be
// registered, the first pattern found this way is the most specific one
// (a failed branch backtracks to the next).
//
// The tree is immutable once built, so lookups take no lock.

// maxListedChildren is how many literal children (or hosts) a node keeps
// in a slice scanned in order; beyond it they go in a map.
const maxListedChildren = 8

// maxStackKey is the length up to which a lookup key that needs decoding
// (a segment with escapes, a host in upper case) is decoded into a buffer
// on the stack; longer keys are decoded into a new one.
const maxStackKey = 128

// route is a registered pattern and its handler.
type route struct {
	pat  *pattern
	h    Handler
	wild bool // the pattern has named wildcards to fill in
}

// routingTree is the root of the tree.
type routingTree struct {
	hosts   []*hostRoutes          // patterns with a host
	hostMap map[string]*hostRoutes // the same, once there are many
	anyHost methodRoutes           // patterns without a host
}

type hostRoutes struct {
	host string
	methodRoutes
}

// methodRoutes branches on the method.
type methodRoutes struct {
	methods   []methodRoot // patterns with a method, sorted by method
	anyMethod *routingNode // patterns without a method
}

type methodRoot struct {
	method string
	root   *routingNode
}

// routingNode matches the rest of a path. Its fields are the patterns that end
// here and the branches for the next segment.
type routingNode struct {
	leaf  *route // the pattern whose path ends here
	end   *route // the pattern ending here with {$}
	multi *route // the pattern ending here with a multi wildcard

	lits   []routingEdge           // literal children
	litMap map[string]*routingNode // the same, once there are many
	wild   *routingNode            // the child for a {name} wildcard
}

type routingEdge struct {
	key   string // the unescaped literal
	child *routingNode
}

// buildTree returns the tree of routes, which must not conflict.
func buildTree(routes []*route) *routingTree {
	t := &routingTree{}
	for _, rt := range routes {
		mr := &t.anyHost
		if h := rt.pat.host; h != "" {
			mr = t.addHost(h)
		}
		mr.root(rt.pat.method).add(rt.pat.segs, rt)
	}
	if len(t.hosts) > maxListedChildren {
		t.hostMap = make(map[string]*hostRoutes, len(t.hosts))
		for _, hr := range t.hosts {
			t.hostMap[hr.host] = hr
		}
	}
	return t
}

func (t *routingTree) addHost(host string) *methodRoutes {
	for _, hr := range t.hosts {
		if hr.host == host {
			return &hr.methodRoutes
		}
	}
	hr := &hostRoutes{host: host}
	t.hosts = append(t.hosts, hr)
	return &hr.methodRoutes
}

// root returns the node of method, creating it.
func (mr *methodRoutes) root(method string) *routingNode {
	if method == "" {
		if mr.anyMethod == nil {
			mr.anyMethod = &routingNode{}
		}
		return mr.anyMethod
	}
	i, found := slices.BinarySearchFunc(mr.methods, method, func(m methodRoot, k string) int {
		return strings.Compare(m.method, k)
	})
	if !found {
		mr.methods = slices.Insert(mr.methods, i, methodRoot{method: method, root: &routingNode{}})
	}
	return mr.methods[i].root
}

// add puts rt at the end of the path segs below n.
func (n *routingNode) add(segs []segment, rt *route) {
	for _, s := range segs {
		switch s.kind {
		case segLiteral:
			n = n.literalChild(s.s)
		case segWild:
			if n.wild == nil {
				n.wild = &routingNode{}
			}
			n = n.wild
		case segMulti:
			n.multi = rt
			return
		case segEnd:
			n.end = rt
			return
		}
	}
	n.leaf = rt
}

// literalChild returns the child of n for key, creating it.
func (n *routingNode) literalChild(key string) *routingNode {
	if c := n.literal([]byte(key)); c != nil {
		return c
	}
	c := &routingNode{}
	n.lits = append(n.lits, routingEdge{key: key, child: c})
	switch {
	case n.litMap != nil:
		n.litMap[key] = c
	case len(n.lits) > maxListedChildren:
		n.litMap = make(map[string]*routingNode, len(n.lits))
		for _, e := range n.lits {
			n.litMap[e.key] = e.child
		}
	}
	return c
}

// literal returns the child of n for the literal key, or nil.
func (n *routingNode) literal(key []byte) *routingNode {
	if n.litMap != nil {
		return n.litMap[string(key)] // no allocation for a lookup
	}
	for i := range n.lits {
		if n.lits[i].key == string(key) {
			return n.lits[i].child
		}
	}
	return nil
}

// match returns the route that matches path below n: rest is what is left
// of the path (empty, or starting with '/'), and slash adds a '/' after it,
// for the trailing-slash redirect. exact is false when a multi wildcard
// matched a non-empty remainder.
func (n *routingNode) match(rest []byte, slash bool) (rt *route, exact bool) {
	switch {
	case len(rest) == 0 && !slash:
		return n.leaf, true
	case len(rest) == 0 || len(rest) == 1 && !slash:
		// The trailing slash: only {$} and multi wildcards match it.
		if n.end != nil {
			return n.end, true
		}
		return n.multi, true
	}
	seg, after, escaped := splitSegment(rest)
	if n.lits != nil {
		if c := n.lookup(seg, escaped); c != nil {
			if rt, exact := c.match(after, slash); rt != nil {
				return rt, exact
			}
		}
	}
	if n.wild != nil {
		if rt, exact := n.wild.match(after, slash); rt != nil {
			return rt, exact
		}
	}
	return n.multi, false
}

// lookup returns the literal child of n for seg, a raw path segment that
// has percent-escapes if escaped is set.
func (n *routingNode) lookup(seg []byte, escaped bool) *routingNode {
	if escaped {
		return n.lookupEscaped(seg)
	}
	return n.literal(seg)
}

// lookupEscaped is lookup for a segment with percent-escapes.
func (n *routingNode) lookupEscaped(seg []byte) *routingNode {
	var buf [maxStackKey]byte
	key, err := appendUnescaped(buf[:0], seg)
	if err != nil {
		key = seg // net/http matches an invalid escape as it stands
	}
	return n.literal(key)
}

// splitSegment splits rest, which starts with '/', into its first segment
// (without the slash) and what follows it; escaped reports a '%' in the
// segment. Segments are short: a plain loop beats bytes.IndexByte here.
func splitSegment(rest []byte) (seg, after []byte, escaped bool) {
	for i := 1; i < len(rest); i++ {
		switch rest[i] {
		case '/':
			return rest[1:i], rest[i:], escaped
		case '%':
			escaped = true
		}
	}
	return rest[1:], nil, escaped
}

// match finds the route for a request: patterns with its host first, then
// those without. exact is false when there is none.
func (t *routingTree) match(host []byte, method string, path []byte, slash bool) (*route, bool) {
	if hr := t.findHost(host); hr != nil {
		if rt, exact := hr.match(method, path, slash); rt != nil {
			return rt, exact
		}
	}
	rt, exact := t.anyHost.match(method, path, slash)
	return rt, exact && rt != nil
}

// findHost returns the routes of host, compared without case, or nil.
func (t *routingTree) findHost(host []byte) *hostRoutes {
	if len(host) == 0 {
		return nil
	}
	if t.hostMap == nil {
		for _, hr := range t.hosts {
			if ascii.EqualFold(hr.host, host) {
				return hr
			}
		}
		return nil
	}
	var buf [maxStackKey]byte
	return t.hostMap[string(ascii.AppendLower(buf[:0], host))]
}

// match tries the method's patterns, then for HEAD those of GET, then the
// patterns without a method.
func (mr *methodRoutes) match(method string, path []byte, slash bool) (*route, bool) {
	if root := mr.find(method); root != nil {
		if rt, exact := root.match(path, slash); rt != nil {
			return rt, exact
		}
	}
	if method == MethodHead {
		if root := mr.find(MethodGet); root != nil {
			if rt, exact := root.match(path, slash); rt != nil {
				return rt, exact
			}
		}
	}
	if mr.anyMethod == nil {
		return nil, false
	}
	return mr.anyMethod.match(path, slash)
}

// find returns the root of method's patterns, or nil.
func (mr *methodRoutes) find(method string) *routingNode {
	for i := range mr.methods {
		if mr.methods[i].method == method {
			return mr.methods[i].root
		}
	}
	return nil
}

// allowedMethods returns, sorted, the methods with a pattern matching host
// and path, or path with a slash added: those a 405 response lists in
// Allow. HEAD is listed when GET is.
func (t *routingTree) allowedMethods(host []byte, path []byte) []string {
	var set []string
	add := func(mr *methodRoutes) {
		for _, m := range mr.methods {
			if rt, _ := m.root.match(path, false); rt != nil || !bytes.HasSuffix(path, []byte("/")) && hasMatch(m.root, path) {
				set = append(set, m.method)
			}
		}
	}
	if hr := t.findHost(host); hr != nil {
		add(&hr.methodRoutes)
	}
	add(&t.anyHost)
	if slices.Contains(set, MethodGet) {
		set = append(set, MethodHead)
	}
	slices.Sort(set)
	return slices.Compact(set)
}

// hasMatch reports whether path with a slash added matches below n.
func hasMatch(n *routingNode, path []byte) bool {
	rt, _ := n.match(path, true)
	return rt != nil
}

// appendValues appends to dst the values of rt's named wildcards in path,
// which rt matches: views of path, or new slices where a segment had to be
// unescaped.
func (rt *route) appendValues(dst []pathValue, path []byte) []pathValue {
	rest := path
	for _, s := range rt.pat.segs {
		switch s.kind {
		case segLiteral, segWild:
			var seg []byte
			seg, rest, _ = splitSegment(rest)
			if s.kind == segWild {
				dst = append(dst, pathValue{name: s.s, value: unescapeValue(seg)})
			}
		case segMulti:
			if s.s != "" {
				dst = append(dst, pathValue{name: s.s, value: unescapeValue(rest[1:])})
			}
			return dst
		case segEnd:
			return dst
		}
	}
	return dst
}
