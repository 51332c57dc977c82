package sandbox

import (
	"fmt"
	"strconv"
	"time"
)

// bulkGen writes the synthetic laboratory Observations of large exports.
// Observation i depends only on the seed and i, and is written straight
// into a byte slice (no maps, no reflection): serving them must be far
// faster than any client can ingest them.
type bulkGen struct {
	seed     uint64
	patients int // synthetic patients the subjects cycle through (≥ 1)
}

func newBulkGen(seed int64, population int) bulkGen {
	return bulkGen{seed: uint64(seed), patients: max(population, 1)}
}

// bulkLabs are the lab tests the bulk Observations report.
var bulkLabs = append(append([]quantityKind(nil), panelLabs...), hba1c)

// bulkID is the id of bulk Observation i.
func bulkID(i int) string { return "bulk-obs-" + fmt.Sprintf("%08d", i) }

// patientID is the id of the synthetic patient at subject index k.
func (g bulkGen) patientID(k int) string { return fmt.Sprintf("pat-%05d", k+1) }

// random is a splitmix64 step: a well-mixed 64-bit value for (seed, i, n).
func (g bulkGen) random(i, n int) uint64 {
	z := g.seed + uint64(i)*0x9e3779b97f4a7c15 + uint64(n)*0xbf58476d1ce4e5b9
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// appendLine appends Observation i and its newline to b.
func (g bulkGen) appendLine(b []byte, i int) []byte {
	q := bulkLabs[g.random(i, 0)%uint64(len(bulkLabs))]
	u := float64(g.random(i, 1)>>11) / (1 << 53)
	v := q.low + (q.high-q.low)*(1.3*u-0.15)
	at := synthEpoch.Add(-time.Duration(i+1) * 7 * time.Minute)

	b = append(b, `{"resourceType":"Observation","id":"bulk-obs-`...)
	b = appendPadded(b, i, 8)
	b = append(b, `","meta":{"versionId":"1","lastUpdated":"`...)
	b = synthEpoch.AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	b = append(b, `"},"status":"final","category":[{"coding":[{"system":"`+obsCatSystem+
		`","code":"laboratory","display":"Laboratory"}],"text":"Laboratory"}],"code":{"coding":[{"system":"`+loincSystem+`","code":"`...)
	b = append(b, q.code...)
	b = append(b, `","display":"`...)
	b = append(b, q.display...)
	b = append(b, `"}],"text":"`...)
	b = append(b, q.display...)
	b = append(b, `"},"subject":{"reference":"Patient/pat-`...)
	b = appendPadded(b, i%g.patients+1, 5)
	b = append(b, `"},"effectiveDateTime":"`...)
	b = at.AppendFormat(b, time.RFC3339)
	b = append(b, `","issued":"`...)
	b = at.Add(45*time.Minute).AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	b = append(b, `","valueQuantity":`...)
	b = appendQuantity(b, q, v)
	b = append(b, `,"referenceRange":[{"low":`...)
	b = appendQuantity(b, q, q.low)
	b = append(b, `,"high":`...)
	b = appendQuantity(b, q, q.high)
	b = append(b, `}],"interpretation":[{"coding":[{"system":"`+interpSystem+`","code":"`...)
	code, text := interpretation(q, v)
	b = append(b, code...)
	b = append(b, `","display":"`...)
	b = append(b, text...)
	b = append(b, `"}],"text":"`...)
	b = append(b, text...)
	return append(b, "\"}]}\n"...)
}

// appendQuantity appends a UCUM Quantity with the kind's decimals. The
// lab units hold no characters JSON must escape.
func appendQuantity(b []byte, q quantityKind, v float64) []byte {
	b = append(b, `{"value":`...)
	b = strconv.AppendFloat(b, v, 'f', q.decimals, 64)
	b = append(b, `,"unit":"`...)
	b = append(b, unitText(q.unit)...)
	b = append(b, `","system":"`+ucumSystem+`","code":"`...)
	b = append(b, q.unit...)
	return append(b, `"}`...)
}

// appendPadded appends n in decimal, zero-padded to width digits.
func appendPadded(b []byte, n, width int) []byte {
	var d [20]byte
	s := strconv.AppendInt(d[:0], int64(n), 10)
	for range width - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}
