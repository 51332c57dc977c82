package mappings

import (
	"crypto/sha256"
	"encoding"
	"hash"
)

// idHasher computes SHA-256 sums of id keys (see ids.go) and remembers
// the hash state after the first 64-byte block of the last long key.
// SHA-256 consumes its input in 64-byte blocks, and the keys of a
// report's Observations share their first 72 bytes (namespace,
// "Observation", "DiagnosticReport", the report's id): with the state
// restored, each Observation after the first hashes one block instead of
// two. The sums are sha256.Sum256's.
type idHasher struct {
	h     blockHash
	first [sha256.BlockSize]byte // the first block of the remembered key
	state []byte                 // h's state after hashing first; nil: none
	out   []byte                 // room for Sum
}

// blockHash is a hash whose state can be saved and restored.
type blockHash interface {
	hash.Hash
	encoding.BinaryAppender
	encoding.BinaryUnmarshaler
}

// sum returns the SHA-256 of k.
func (x *idHasher) sum(k []byte) [sha256.Size]byte {
	if len(k) < sha256.BlockSize {
		return sha256.Sum256(k)
	}
	if x.h == nil {
		h, ok := sha256.New().(blockHash)
		if !ok {
			return sha256.Sum256(k)
		}
		x.h = h
	}
	if x.state == nil || [sha256.BlockSize]byte(k) != x.first || x.h.UnmarshalBinary(x.state) != nil {
		x.remember(k)
	}
	x.h.Write(k[sha256.BlockSize:])
	x.out = x.h.Sum(x.out[:0])
	return [sha256.Size]byte(x.out)
}

// remember hashes the first block of k and saves the state.
func (x *idHasher) remember(k []byte) {
	x.h.Reset()
	x.h.Write(k[:sha256.BlockSize])
	x.first = [sha256.BlockSize]byte(k)
	var err error
	if x.state, err = x.h.AppendBinary(x.state[:0]); err != nil {
		x.state = nil
	}
}
