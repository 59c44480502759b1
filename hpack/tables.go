package hpack

// The static and dynamic tables (RFC 7541, Section 2.3 and Appendix A) and
// the index address space over both: indices 1…61 are the static table,
// 62 and up the dynamic table, newest entry first.

// entryOverhead is the size an entry adds to its table beyond the lengths of
// its name and value (RFC 7541, Section 4.1).
const entryOverhead = 32

// DefaultDynamicTableSize is the initial maximum size of the dynamic table,
// the initial value of SETTINGS_HEADER_TABLE_SIZE (RFC 9113, Section 6.5.2).
const DefaultDynamicTableSize = 4096

// staticTable is RFC 7541 Appendix A; entry i has index i+1.
var staticTable = [...]struct{ name, value string }{
	{":authority", ""},
	{":method", "GET"},
	{":method", "POST"},
	{":path", "/"},
	{":path", "/index.html"},
	{":scheme", "http"},
	{":scheme", "https"},
	{":status", "200"},
	{":status", "204"},
	{":status", "206"},
	{":status", "304"},
	{":status", "400"},
	{":status", "404"},
	{":status", "500"},
	{"accept-charset", ""},
	{"accept-encoding", "gzip, deflate"},
	{"accept-language", ""},
	{"accept-ranges", ""},
	{"accept", ""},
	{"access-control-allow-origin", ""},
	{"age", ""},
	{"allow", ""},
	{"authorization", ""},
	{"cache-control", ""},
	{"content-disposition", ""},
	{"content-encoding", ""},
	{"content-language", ""},
	{"content-length", ""},
	{"content-location", ""},
	{"content-range", ""},
	{"content-type", ""},
	{"cookie", ""},
	{"date", ""},
	{"etag", ""},
	{"expect", ""},
	{"expires", ""},
	{"from", ""},
	{"host", ""},
	{"if-match", ""},
	{"if-modified-since", ""},
	{"if-none-match", ""},
	{"if-range", ""},
	{"if-unmodified-since", ""},
	{"last-modified", ""},
	{"link", ""},
	{"location", ""},
	{"max-forwards", ""},
	{"proxy-authenticate", ""},
	{"proxy-authorization", ""},
	{"range", ""},
	{"referer", ""},
	{"refresh", ""},
	{"retry-after", ""},
	{"server", ""},
	{"set-cookie", ""},
	{"strict-transport-security", ""},
	{"transfer-encoding", ""},
	{"user-agent", ""},
	{"vary", ""},
	{"via", ""},
	{"www-authenticate", ""},
}

// staticLen is the number of static entries: the last static index.
const staticLen = len(staticTable)

// staticFields holds the static table as byte slices, indexed by HPACK
// index (entry 0 is unused). The Decoder emits views of it; nobody may
// modify them.
var staticFields [staticLen + 1]entry

func init() {
	for i, e := range staticTable {
		staticFields[i+1].name = []byte(e.name)
		staticFields[i+1].value = []byte(e.value)
	}
}

// dynamicTable is the FIFO table of RFC 7541, Section 2.3.2. It allocates
// only while it grows: entry bytes live back to back, oldest first, in
// data[start:end], and each entry's name and value are kept as slices of
// them in a power-of-two ring indexed by the entry's id, so that reading an
// entry, which the Decoder does for every indexed field and the Encoder
// for every lookup, is one load with no slicing. Ids are handed out in
// insertion order and wrap around at 2^32; the live ones are added-n …
// added-1.
type dynamicTable struct {
	data       []byte
	start, end int
	ents       []entry // ring, by id
	// prev, a ring parallel to ents, belongs to the Encoder's index
	// (dynamicIndex): the id of the previous entry with the same name.
	prev    []uint32
	added   uint32
	n       int
	size    uint32 // RFC 7541 size: sum of name+value lengths + 32 each
	maxSize uint32
}

// entry is a dynamic table entry's name and value, as slices of the
// table's data (or of nothing once evicted).
type entry struct{ name, value []byte }

func (e *entry) len() int { return len(e.name) + len(e.value) }

func (t *dynamicTable) entryAt(id uint32) *entry {
	return &t.ents[id&uint32(len(t.ents)-1)]
}

// live reports whether the entry with the given id is in the table.
func (t *dynamicTable) live(id uint32) bool {
	return t.added-1-id < uint32(t.n)
}

// field returns the name and value of the live entry id, as views valid
// until the next change to the table.
func (t *dynamicTable) field(id uint32) (name, value []byte) {
	e := t.entryAt(id)
	return e.name, e.value
}

// at returns the entry with dynamic index k (1 is the newest), if any.
func (t *dynamicTable) at(k uint32) (name, value []byte, ok bool) {
	if k == 0 || k > uint32(t.n) {
		return nil, nil, false
	}
	name, value = t.field(t.added - k)
	return name, value, true
}

// setMaxSize changes the maximum size, evicting entries as needed
// (RFC 7541, Section 4.3).
func (t *dynamicTable) setMaxSize(v uint32) {
	t.maxSize = v
	t.evictTo(v)
}

// evictTo evicts the oldest entries until the size is at most v.
func (t *dynamicTable) evictTo(v uint32) {
	for t.size > v {
		e := t.entryAt(t.added - uint32(t.n))
		t.start += e.len()
		t.size -= uint32(e.len()) + entryOverhead
		t.n--
	}
	if t.n == 0 {
		t.start, t.end = 0, 0
	}
}

// add inserts a new entry (RFC 7541, Section 4.4): it evicts entries to make
// room and, when the entry is larger than the maximum size, leaves the table
// empty. name and value must not alias the table's own storage.
func (t *dynamicTable) add(name, value []byte) {
	need := uint64(len(name)) + uint64(len(value)) + entryOverhead
	if need > uint64(t.maxSize) {
		t.evictTo(0)
		return
	}
	t.evictTo(t.maxSize - uint32(need))
	t.reserve(len(name) + len(value))
	if t.n == len(t.ents) {
		t.growRing()
	}
	off, mid := t.end, t.end+len(name)
	t.end = mid + len(value)
	copy(t.data[off:mid], name)
	copy(t.data[mid:t.end], value)
	*t.entryAt(t.added) = entry{t.data[off:mid:mid], t.data[mid:t.end]}
	t.added++
	t.n++
	t.size += uint32(need)
}

// addTooLarge records the insertion of an entry that is known to be larger
// than the maximum size, which empties the table.
func (t *dynamicTable) addTooLarge() { t.evictTo(0) }

// reserve makes room for k more bytes at data[end:], first by moving the
// live bytes to the front, then by growing data to twice the live bytes so
// that moves stay amortised O(1) per byte.
func (t *dynamicTable) reserve(k int) {
	if t.end+k <= len(t.data) {
		return
	}
	live := t.end - t.start
	data := t.data
	if want := 2 * (live + k); len(data) < want {
		data = make([]byte, max(want, 256))
	}
	copy(data, t.data[t.start:t.end])
	t.data, t.start, t.end = data, 0, live
	// Point the live entries at their bytes' new place, still back to back
	// and oldest first, and clear the others, so that evicted entries keep
	// no old data alive.
	mask := uint32(len(t.ents) - 1)
	oldest := t.added - uint32(t.n)
	for id := t.added; id != oldest+uint32(len(t.ents)); id++ {
		t.ents[id&mask] = entry{}
	}
	pos := 0
	for id := oldest; id != t.added; id++ {
		e := &t.ents[id&mask]
		mid := pos + len(e.name)
		end := mid + len(e.value)
		e.name, e.value = data[pos:mid:mid], data[mid:end]
		pos = end
	}
}

// growRing doubles the entry ring, keeping every live entry at its id.
func (t *dynamicTable) growRing() {
	size := max(2*len(t.ents), 16)
	ents, prev := make([]entry, size), make([]uint32, size)
	mask := uint32(size - 1)
	for i := 0; i < t.n; i++ {
		id := t.added - 1 - uint32(i)
		ents[id&mask] = *t.entryAt(id)
		prev[id&mask] = *t.prevAt(id)
	}
	t.ents, t.prev = ents, prev
}

// prevAt returns the index's link from entry id to the previous entry with
// its name.
func (t *dynamicTable) prevAt(id uint32) *uint32 {
	return &t.prev[id&uint32(len(t.prev)-1)]
}
