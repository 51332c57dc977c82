package mllptest

import (
	"bytes"
	"strconv"
	"sync/atomic"
	"time"
)

// ackSeq numbers the ACKs built in this process, to give each its own MSH-10.
var ackSeq atomic.Uint64

// BuildAck returns a minimal, correct ACK for msg: an MSH with sender and
// receiver swapped, a new MSH-10 and MSH-12 echoed, then
// MSA|code|<MSH-10 of msg>|text, with text escaped. It uses msg's delimiters
// and accepts '\r' or '\n' segment endings. For a msg without an MSH it still
// returns an ACK, with an empty MSA-2.
func BuildAck(msg []byte, code, text string) []byte {
	return appendAck(nil, msg, code, text, nil)
}

// Message returns a small synthetic ADT^A01 with the given MSH-10, for tests
// that need a plausible message and nothing more.
func Message(controlID string) []byte {
	return []byte("MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240101120000||ADT^A01^ADT_A01|" +
		controlID + "|P|2.5.1\r" +
		"EVN|A01|20240101120000\r" +
		"PID|1||12345^^^HOSP^MR||DOE^JANE||19800101|F\r" +
		"PV1|1|I|WARD^101^1\r")
}

// Defaults for what a message may leave out.
var (
	defaultEncoding   = []byte(`^~\&`)
	defaultProcessing = []byte("P")
	defaultVersion    = []byte("2.5.1")
)

// header is what an ACK needs from the message it answers.
type header struct {
	sep    byte
	enc    []byte     // MSH-2: component, repetition, escape, subcomponent
	fields [13][]byte // fields[n] is MSH-n, for n >= 2
}

// parseHeader reads MSH-1 to MSH-12 of msg.
func parseHeader(msg []byte) header {
	h := header{sep: '|', enc: defaultEncoding}
	term := byte('\n')
	if bytes.IndexByte(msg, '\r') >= 0 {
		term = '\r'
	}
	msg = bytes.TrimPrefix(msg, []byte("\xEF\xBB\xBF"))
	for len(msg) > 0 {
		seg := msg
		if i := bytes.IndexByte(msg, term); i >= 0 {
			seg, msg = msg[:i], msg[i+1:]
		} else {
			msg = nil
		}
		seg = bytes.TrimLeft(seg, "\r\n")
		if len(seg) < 4 || string(seg[:3]) != "MSH" {
			continue
		}
		h.sep = seg[3]
		rest := seg[4:]
		for n := 2; n < len(h.fields) && rest != nil; n++ {
			f := rest
			if i := bytes.IndexByte(rest, h.sep); i >= 0 {
				f, rest = rest[:i], rest[i+1:]
			} else {
				rest = nil
			}
			h.fields[n] = f
		}
		if len(h.fields[2]) >= 4 {
			h.enc = h.fields[2]
		}
		break
	}
	return h
}

// appendAck appends the ACK for msg to dst. A non-nil controlID replaces the
// MSA-2 that would echo msg's MSH-10.
func appendAck(dst, msg []byte, code, text string, controlID []byte) []byte {
	h := parseHeader(msg)
	if code == "" {
		code = "AA"
	}
	if controlID == nil {
		controlID = bytes.TrimSpace(h.fields[10])
	}
	comp := h.enc[0]
	f := func(b []byte) { dst = append(dst, h.sep); dst = append(dst, b...) }

	dst = append(dst, "MSH"...)
	dst = append(dst, h.sep)
	dst = append(dst, h.enc...)
	f(h.fields[5]) // MSH-3 sending application: their receiver is us
	f(h.fields[6])
	f(h.fields[3])
	f(h.fields[4])
	dst = append(dst, h.sep)
	dst = time.Now().AppendFormat(dst, "20060102150405")
	f(nil) // MSH-8 security
	dst = append(dst, h.sep)
	dst = append(dst, "ACK"...)
	if trigger := component(h.fields[9], comp, 1); len(trigger) > 0 {
		dst = append(dst, comp)
		dst = append(dst, trigger...)
		dst = append(dst, comp)
		dst = append(dst, "ACK"...)
	}
	dst = append(dst, h.sep)
	dst = append(dst, "ACK"...)
	dst = strconv.AppendUint(dst, ackSeq.Add(1), 10)
	f(orDefault(h.fields[11], defaultProcessing))
	f(orDefault(h.fields[12], defaultVersion))
	dst = append(dst, '\r')

	dst = append(dst, "MSA"...)
	f([]byte(code))
	f(controlID)
	if text != "" {
		dst = append(dst, h.sep)
		dst = appendEscaped(dst, text, h.sep, h.enc)
	}
	return append(dst, '\r')
}

// appendEscaped appends text with the delimiters escaped as HL7 requires,
// and line breaks as hex escapes so they cannot end the segment.
func appendEscaped(dst []byte, text string, sep byte, enc []byte) []byte {
	esc := enc[2]
	for i := 0; i < len(text); i++ {
		var seq string
		switch b := text[i]; b {
		case sep:
			seq = "F"
		case enc[0]:
			seq = "S"
		case enc[1]:
			seq = "R"
		case esc:
			seq = "E"
		case enc[3]:
			seq = "T"
		case '\r':
			seq = "X0D"
		case '\n':
			seq = "X0A"
		default:
			dst = append(dst, b)
			continue
		}
		dst = append(dst, esc)
		dst = append(dst, seq...)
		dst = append(dst, esc)
	}
	return dst
}

// component returns component n (0-based) of a field.
func component(f []byte, comp byte, n int) []byte {
	for range n {
		i := bytes.IndexByte(f, comp)
		if i < 0 {
			return nil
		}
		f = f[i+1:]
	}
	if i := bytes.IndexByte(f, comp); i >= 0 {
		f = f[:i]
	}
	return f
}

func orDefault(b, def []byte) []byte {
	if len(b) == 0 {
		return def
	}
	return b
}
