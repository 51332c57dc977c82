package mappings

import "unsafe"

// strArena hands out strings built in large shared chunks, so that the ids,
// urls and timestamps of a message cost one allocation per chunk rather
// than one each. Bytes are only ever appended after the last string handed
// out, never rewritten, so a string stays valid (and immutable) for as long
// as anything refers to it: the collector keeps its chunk alive. A run keeps
// its arena across messages; a new chunk starts when the tail is too short.
type strArena struct {
	chunk []byte
}

// arenaChunk is the size of a chunk: room for about fifty ids.
const arenaChunk = 4096

// room returns an empty slice with capacity for n bytes at the end of the
// current chunk. The caller appends at most n bytes and passes the result
// to done.
func (a *strArena) room(n int) []byte {
	if cap(a.chunk)-len(a.chunk) < n {
		a.chunk = make([]byte, 0, max(n, arenaChunk))
	}
	return a.chunk[len(a.chunk):len(a.chunk)]
}

// done turns b, filled from room, into a string and reserves its bytes.
func (a *strArena) done(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	a.chunk = a.chunk[:len(a.chunk)+len(b)]
	return unsafe.String(unsafe.SliceData(b), len(b))
}
