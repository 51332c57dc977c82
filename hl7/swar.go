package hl7

// load64 reads text[i:i+8] as a little-endian word (the compiler merges
// the loads into one). Callers guarantee i+8 <= len(text).
func load64(text string, i int) uint64 {
	s := text[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// matchBytes returns a word with the high bit set in exactly the bytes of
// x equal to c. (The usual (v-ones)&^v trick may also flag the byte above
// a match; this form adds within each byte, so nothing carries over.)
func matchBytes(x uint64, c byte) uint64 {
	const low7 = 0x7f7f7f7f7f7f7f7f
	v := x ^ (0x0101010101010101 * uint64(c))
	return ^((v&low7 + low7) | v | low7)
}
