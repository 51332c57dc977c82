package sandbox

import (
	"encoding/json"
	"slices"
)

// lineSource is the content of an export, one NDJSON line at a time:
// files are written from it as they are served, never held whole.
// Implementations are immutable and safe for concurrent use.
type lineSource interface {
	// lines is the number of lines.
	lines() int
	// appendLine appends line i, with its newline, to b.
	appendLine(b []byte, i int) []byte
}

// resourceLines serves stored resources as stored.
type resourceLines []*resource

func (rs resourceLines) lines() int { return len(rs) }

func (rs resourceLines) appendLine(b []byte, i int) []byte {
	return append(append(b, rs[i].raw...), '\n')
}

// bulkLines serves synthetic Observations: indexes 0..n-1, or those of
// idx when not nil.
type bulkLines struct {
	gen bulkGen
	idx []int32
	n   int
}

func (bl bulkLines) lines() int { return bl.n }

func (bl bulkLines) appendLine(b []byte, i int) []byte {
	if bl.idx != nil {
		i = int(bl.idx[i])
	}
	return bl.gen.appendLine(b, i)
}

// rawLines serves ready lines (error files), newline not included.
type rawLines [][]byte

func (rl rawLines) lines() int { return len(rl) }

func (rl rawLines) appendLine(b []byte, i int) []byte { return append(append(b, rl[i]...), '\n') }

// concatLines serves one source after another.
type concatLines []lineSource

func (c concatLines) lines() int {
	n := 0
	for _, s := range c {
		n += s.lines()
	}
	return n
}

func (c concatLines) appendLine(b []byte, i int) []byte {
	for _, s := range c {
		if n := s.lines(); i >= n {
			i -= n
			continue
		}
		return s.appendLine(b, i)
	}
	panic("sandbox: export line out of range")
}

// skipFirst serves a source without its first line (a resource the
// ExportErrors fault pretends could not be exported).
type skipFirst struct{ src lineSource }

func (s skipFirst) lines() int { return s.src.lines() - 1 }

func (s skipFirst) appendLine(b []byte, i int) []byte { return s.src.appendLine(b, i+1) }

// subsettedTag marks resources cut down by _elements, as the Bulk Data
// spec requires.
var subsettedTag = obj{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}

// elementLines serves a source keeping only the listed top-level
// elements, plus the mandatory resourceType, id and meta (tagged
// SUBSETTED). Each line is decoded and encoded again, so this is slow.
type elementLines struct {
	src  lineSource
	keep []string
}

func (e elementLines) lines() int { return e.src.lines() }

func (e elementLines) appendLine(b []byte, i int) []byte {
	n0 := len(b)
	b = e.src.appendLine(b, i)
	doc, err := decodeResource(b[n0:])
	if err != nil {
		return b // not ours to fix: serve it as it is
	}
	for k := range doc {
		if k != "resourceType" && k != "id" && k != "meta" && !slices.Contains(e.keep, k) {
			delete(doc, k)
		}
	}
	meta, _ := doc["meta"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		doc["meta"] = meta
	}
	tags, _ := meta["tag"].([]any)
	meta["tag"] = append(tags, subsettedTag)
	typ, _ := doc["resourceType"].(string)
	id, _ := doc["id"].(string)
	raw, err := encodeResource(doc, typ, id)
	if err != nil {
		return b
	}
	return append(append(b[:n0], raw...), '\n')
}

// outcomeLine is one OperationOutcome of an error file.
func outcomeLine(severity, code, diagnostics string) []byte {
	raw, _ := json.Marshal(operationOutcome{
		ResourceType: "OperationOutcome",
		Issue:        []outcomeIssue{{Severity: severity, Code: code, Diagnostics: diagnostics}},
	})
	return raw
}

// malformedLines breaks every Nth line of src: the first half of the
// resource, then the newline (the MalformedEvery fault).
type malformedLines struct {
	src   lineSource
	every int
}

func (m malformedLines) lines() int { return m.src.lines() }

func (m malformedLines) appendLine(b []byte, i int) []byte {
	if (i+1)%m.every != 0 {
		return m.src.appendLine(b, i)
	}
	n := len(b)
	b = m.src.appendLine(b, i)
	return append(b[:n+(len(b)-n)/2], '\n')
}
