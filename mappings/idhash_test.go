package mappings

import (
	"crypto/sha256"
	"strings"
	"testing"
)

// TestIDHasher_SumsLikeSHA256 runs keys through one idHasher in an order
// that uses its remembered block (same first 64 bytes), replaces it (a
// different first block) and skips it (short keys): every sum must be
// sha256.Sum256's.
func TestIDHasher_SumsLikeSHA256(t *testing.T) {
	block := strings.Repeat("a", 64)
	other := strings.Repeat("b", 64)
	keys := []string{
		block + "first", block + "second", block, "short", block + "third",
		other + "x", block + "back", strings.Repeat("c", 63), other + strings.Repeat("y", 100), other,
	}
	var h idHasher
	for _, k := range keys {
		if got, want := h.sum([]byte(k)), sha256.Sum256([]byte(k)); got != want {
			t.Errorf("sum(%q...) = %x, want %x", k[:min(len(k), 70)], got, want)
		}
	}
}
