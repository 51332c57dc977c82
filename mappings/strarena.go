package mappings

import "strings"

// strArena hands out strings built in large shared chunks, so that the ids
// and urls of a message cost one allocation per chunk rather than one
// each. A chunk is a strings.Builder that is never grown: a Builder only
// appends after what it has written, so every string cut from it stays
// valid and unchanged, and the collector keeps its chunk alive as long as
// one of them is in use. A run keeps its arena across messages; a new chunk
// starts when the current one is too short.
type strArena struct {
	chunk *strings.Builder
}

// arenaChunk is the size of a chunk: room for about forty ids.
const arenaChunk = 4096

// add returns a copy of b as a string cut from the chunk.
func (a *strArena) add(b []byte) string {
	if a.chunk == nil || a.chunk.Cap()-a.chunk.Len() < len(b) {
		a.chunk = new(strings.Builder)
		a.chunk.Grow(max(len(b), arenaChunk))
	}
	start := a.chunk.Len()
	a.chunk.Write(b)
	return a.chunk.String()[start:]
}
