package mllp

import (
	"bytes"
	"errors"
)

// ErrNoMSA is returned by [AckCode] for a reply without an MSA segment.
var ErrNoMSA = errors.New("mllp: ACK has no MSA segment")

// AckCode returns MSA-1 (the acknowledgment code, such as AA, AE or AR) and
// MSA-2 (the control ID of the acknowledged message) of ack. It parses nothing
// else, so it is safe to use on anything a peer sends.
func AckCode(ack []byte) (code, controlID string, err error) {
	c, id, ok := msaFields(ack)
	if !ok {
		return "", "", ErrNoMSA
	}
	return string(c), string(id), nil
}

// controlID returns MSH-10 of msg, or nil if msg has no MSH segment or its
// MSH-10 is empty. The result aliases msg.
func controlID(msg []byte) []byte {
	term := segmentTerminator(msg)
	msh := findSegment(msg, "MSH", term)
	if len(msh) < 4 {
		return nil
	}
	// MSH-1 is the separator itself, so MSH-n is the n-1th field after the name.
	id := bytes.TrimSpace(field(msh, msh[3], 9))
	if len(id) == 0 {
		return nil
	}
	return id
}

// msaFields returns MSA-1 and MSA-2 of ack, trimmed of spaces. The field
// separator is taken from the ack's MSH segment, or is '|' without one.
func msaFields(ack []byte) (code, id []byte, ok bool) {
	term := segmentTerminator(ack)
	sep := byte('|')
	if msh := findSegment(ack, "MSH", term); len(msh) >= 4 {
		sep = msh[3]
	}
	msa := findSegment(ack, "MSA", term)
	if len(msa) < 4 || msa[3] != sep {
		return nil, nil, false
	}
	return bytes.TrimSpace(field(msa, sep, 1)), bytes.TrimSpace(field(msa, sep, 2)), true
}

// segmentTerminator returns '\r' if msg holds any, otherwise '\n': when a
// message uses '\r', a '\n' may be data (as in NTE text), not a segment end.
func segmentTerminator(msg []byte) byte {
	if bytes.IndexByte(msg, '\r') >= 0 {
		return '\r'
	}
	return '\n'
}

// utf8BOM may precede a message read from a file.
var utf8BOM = []byte("\xEF\xBB\xBF")

// findSegment returns the first segment of msg whose name is name, followed
// by at least one byte, without its terminator; nil if there is none.
func findSegment(msg []byte, name string, term byte) []byte {
	msg = bytes.TrimPrefix(msg, utf8BOM)
	for len(msg) > 0 {
		seg := msg
		if i := bytes.IndexByte(msg, term); i >= 0 {
			seg, msg = msg[:i], msg[i+1:]
		} else {
			msg = nil
		}
		// With "\r\n" endings the '\n' starts the next piece; skip it.
		seg = bytes.TrimLeft(seg, "\r\n")
		if len(seg) > len(name) && string(seg[:len(name)]) == name {
			return seg
		}
	}
	return nil
}

// field returns field n of seg split by sep, where field 0 is the segment
// name; nil if seg has fewer fields.
func field(seg []byte, sep byte, n int) []byte {
	for range n {
		i := bytes.IndexByte(seg, sep)
		if i < 0 {
			return nil
		}
		seg = seg[i+1:]
	}
	if i := bytes.IndexByte(seg, sep); i >= 0 {
		seg = seg[:i]
	}
	return seg
}
