package sandbox

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// obj is a JSON object under construction.
type obj = map[string]any

var (
	// synthEpoch is meta.lastUpdated of all built-in data: a fixed date,
	// so that the same seed gives byte-identical resources.
	synthEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	// synthToday is the day the synthetic clinical histories lead up to.
	synthToday = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
)

// Ids of the shared resources every synthetic patient points at.
const (
	hospitalID = "org-hospital"
	payerID    = "org-payer"
)

// synthesize builds the shared resources and n patients with their
// histories. Patient i depends only on seed and i, never on n.
func synthesize(seed int64, n int) []map[string]any {
	docs := infrastructure()
	for i := 1; i <= n; i++ {
		docs = append(docs, synthPatient(seed, i)...)
	}
	for _, d := range docs {
		stamp(d, 1, synthEpoch)
	}
	return docs
}

// patientGen builds one patient and everything recorded about them.
type patientGen struct {
	r      *rand.Rand
	n      int
	id     string
	age    int
	birth  time.Time
	height float64 // cm, for the clinic's vital signs
	weight float64 // kg
	docs   []map[string]any
}

func synthPatient(seed int64, n int) []map[string]any {
	g := &patientGen{r: rand.New(rand.NewPCG(uint64(seed), uint64(n))), n: n, id: fmt.Sprintf("pat-%05d", n)}
	g.patient()
	probs := g.conditions()
	g.medications(probs)
	g.allergies()
	g.coverage()
	g.encounters()
	return g.docs
}

func (g *patientGen) patient() {
	r := g.r
	g.age = r.IntN(96)
	g.birth = synthToday.AddDate(-g.age, 0, -r.IntN(365))
	male := r.IntN(2) == 0
	gender, given := "female", pick(r, givenFemale)
	if male {
		gender, given = "male", pick(r, givenMale)
	}
	g.height = 150 + 40*r.Float64()
	g.weight = g.height - 100 + 25*r.Float64()
	if g.age < 18 {
		g.height, g.weight = 60+float64(g.age)*6, 5+float64(g.age)*3.5
	}
	place := pick(r, places)
	name := obj{"use": "official", "family": pick(r, families), "given": []any{given}}
	if r.IntN(2) == 0 {
		name["given"] = []any{given, string(rune('A' + r.IntN(26)))}
	}
	g.add(obj{
		"resourceType": "Patient",
		"id":           g.id,
		"identifier":   []any{mrnIdentifier(fmt.Sprintf("%08d", 20000000+g.n))},
		"active":       true,
		"name":         []any{name},
		"telecom": []any{
			obj{"system": "phone", "value": fmt.Sprintf("(%s) 555-01%02d", place.area, r.IntN(100)), "use": "home"},
		},
		"gender":    gender,
		"birthDate": g.birth.Format(time.DateOnly),
		"address": []any{obj{
			"use":        "home",
			"line":       []any{fmt.Sprintf("%d %s %s", 1+r.IntN(9999), pick(r, streets), pick(r, streetKinds))},
			"city":       place.city,
			"state":      place.state,
			"postalCode": place.zip,
			"country":    "US",
		}},
		"generalPractitioner":  []any{ref("Practitioner", pick(r, practitioners).id)},
		"managingOrganization": ref("Organization", hospitalID),
	})
}

// diagnosis is a condition recorded for the patient.
type diagnosis struct {
	problem
	id    string
	onset time.Time
}

func (g *patientGen) conditions() []diagnosis {
	r := g.r
	k := r.IntN(min(4, 1+g.age/20))
	var out []diagnosis
	for j, p := range r.Perm(len(problems))[:k] {
		d := diagnosis{problem: problems[p], id: fmt.Sprintf("cond-%05d-%d", g.n, j+1)}
		d.onset = synthToday.AddDate(0, 0, -r.IntN(365*min(g.age, 20)+1))
		out = append(out, d)
		g.add(obj{
			"resourceType":       "Condition",
			"id":                 d.id,
			"clinicalStatus":     concept(condClinSystem, "active", "Active"),
			"verificationStatus": concept(condVerSystem, "confirmed", "Confirmed"),
			"category":           []any{concept(condCatSystem, "problem-list-item", "Problem List Item")},
			"code": obj{"coding": []any{
				coding(snomedSystem, d.snomed, d.snomedDisplay),
				coding(icd10System, d.icd10, d.icd10Display),
			}, "text": d.icd10Display},
			"subject":       ref("Patient", g.id),
			"onsetDateTime": d.onset.Format(time.DateOnly),
			"recordedDate":  d.onset.Format(time.DateOnly),
		})
	}
	return out
}

func (g *patientGen) medications(probs []diagnosis) {
	for j, d := range probs {
		if d.rxnorm == "" {
			continue
		}
		g.add(obj{
			"resourceType":              "MedicationRequest",
			"id":                        fmt.Sprintf("medrx-%05d-%d", g.n, j+1),
			"status":                    "active",
			"intent":                    "order",
			"medicationCodeableConcept": concept(rxnormSystem, d.rxnorm, d.rxDisplay),
			"subject":                   ref("Patient", g.id),
			"authoredOn":                d.onset.Format(time.DateOnly),
			"requester":                 ref("Practitioner", pick(g.r, practitioners).id),
			"reasonReference":           []any{ref("Condition", d.id)},
			"dosageInstruction":         []any{obj{"text": d.dosage}},
		})
	}
}

func (g *patientGen) allergies() {
	r := g.r
	for j, a := range r.Perm(len(allergens))[:r.IntN(3)] {
		al := allergens[a]
		g.add(obj{
			"resourceType":       "AllergyIntolerance",
			"id":                 fmt.Sprintf("allergy-%05d-%d", g.n, j+1),
			"clinicalStatus":     concept(allergyClinSys, "active", "Active"),
			"verificationStatus": concept(allergyVerSys, "confirmed", "Confirmed"),
			"type":               "allergy",
			"category":           []any{al.category},
			"criticality":        al.criticality,
			"code":               concept(al.system, al.code, al.display),
			"patient":            ref("Patient", g.id),
			"recordedDate":       synthToday.AddDate(0, 0, -r.IntN(3650)).Format(time.DateOnly),
			"reaction":           []any{obj{"manifestation": []any{concept(snomedSystem, al.reaction, al.reactionTxt)}}},
		})
	}
}

func (g *patientGen) coverage() {
	kind := concept(payerTypeSystem, "5", "PRIVATE HEALTH INSURANCE")
	if g.age >= 65 {
		kind = concept(payerTypeSystem, "1", "MEDICARE")
	}
	g.add(obj{
		"resourceType": "Coverage",
		"id":           fmt.Sprintf("cov-%05d", g.n),
		"status":       "active",
		"type":         kind,
		"subscriberId": fmt.Sprintf("SBX%07d", g.n*7919%10000000),
		"beneficiary":  ref("Patient", g.id),
		"relationship": concept(subscriberRel, "self", "Self"),
		"period":       obj{"start": synthToday.AddDate(-1-g.r.IntN(5), 0, 0).Format(time.DateOnly)},
		"payor":        []any{ref("Organization", payerID)},
	})
}

func (g *patientGen) encounters() {
	r := g.r
	days := make([]int, 1+r.IntN(4))
	for i := range days {
		days[i] = 1 + r.IntN(720)
	}
	slices.Sort(days)
	slices.Reverse(days) // oldest first
	for j, ago := range days {
		kind := encounterKinds[0]
		if x := r.IntN(10); x >= 8 {
			kind = encounterKinds[2]
		} else if x >= 6 {
			kind = encounterKinds[1]
		}
		start := synthToday.AddDate(0, 0, -ago).Add(time.Duration(7+r.IntN(11))*time.Hour + time.Duration(15*r.IntN(4))*time.Minute)
		id := fmt.Sprintf("enc-%05d-%d", g.n, j+1)
		g.encounter(id, fmt.Sprintf("V%05d%02d", g.n, j+1), kind, start)
		g.observations(id, j+1, kind, start)
	}
}

func (g *patientGen) encounter(id, visit string, kind encounterKind, start time.Time) {
	hours := kind.minHours + g.r.IntN(kind.maxHours-kind.minHours+1)
	end := start.Add(time.Duration(hours) * time.Hour)
	status, period := "finished", obj{"start": dateTime(start), "end": dateTime(end)}
	if end.After(synthToday) {
		status, period = "in-progress", obj{"start": dateTime(start)}
	}
	g.add(obj{
		"resourceType": "Encounter",
		"id":           id,
		"identifier":   []any{visitIdentifier(visit)},
		"status":       status,
		"class":        coding(actCodeSystem, kind.class, kind.classDisplay),
		"type":         []any{concept(snomedSystem, kind.snomed, kind.display)},
		"subject":      ref("Patient", g.id),
		"participant": []any{obj{
			"type":       []any{concept(participantType, "ATND", "attender")},
			"individual": ref("Practitioner", pick(g.r, practitioners).id),
		}},
		"period":          period,
		"location":        []any{obj{"location": ref("Location", kind.location)}},
		"serviceProvider": ref("Organization", hospitalID),
	})
}

// observations records the vital signs of a visit and, for some, labs.
func (g *patientGen) observations(encID string, enc int, kind encounterKind, start time.Time) {
	at := start.Add(20 * time.Minute)
	seq := 0
	next := func() string { seq++; return fmt.Sprintf("obs-%05d-%d-%02d", g.n, enc, seq) }
	for _, q := range vitalKinds {
		g.add(g.observation(next(), encID, q, g.measure(q), at, false))
	}
	var labs []quantityKind
	switch {
	case kind.class == "AMB":
		g.add(g.observation(next(), encID, bodyHeight, g.height, at, false))
		g.add(g.observation(next(), encID, bodyWeight, g.weight, at, false))
		if g.r.IntN(2) == 0 {
			labs = clinicLabs
		}
	default:
		labs = panelLabs
	}
	for _, q := range labs {
		g.add(g.observation(next(), encID, q, g.measure(q), at.Add(10*time.Minute), true))
	}
}

// measure draws a value around the normal range, sometimes outside it.
func (g *patientGen) measure(q quantityKind) float64 {
	span := q.high - q.low
	v := q.low + span*(1.3*g.r.Float64()-0.15)
	if q == spo2 {
		v = min(v, 100)
	}
	return v
}

func (g *patientGen) observation(id, encID string, q quantityKind, v float64, at time.Time, lab bool) obj {
	cat, catText, issued := "vital-signs", "Vital Signs", at
	if lab {
		cat, catText, issued = "laboratory", "Laboratory", at.Add(45*time.Minute)
	}
	o := obj{
		"resourceType":      "Observation",
		"id":                id,
		"status":            "final",
		"category":          []any{concept(obsCatSystem, cat, catText)},
		"code":              concept(loincSystem, q.code, q.display),
		"subject":           ref("Patient", g.id),
		"encounter":         ref("Encounter", encID),
		"effectiveDateTime": dateTime(at),
		"issued":            instant(issued),
		"valueQuantity":     quantity(q, v),
	}
	if lab {
		o["referenceRange"] = []any{obj{"low": quantity(q, q.low), "high": quantity(q, q.high)}}
		code, text := interpretation(q, v)
		o["interpretation"] = []any{concept(interpSystem, code, text)}
	}
	return o
}

// quantity is a UCUM Quantity, its value written with the kind's usual
// number of decimals (as a lab reports it, 4.0 not 4).
func quantity(q quantityKind, v float64) obj {
	return obj{
		"value":  json.Number(strconv.FormatFloat(v, 'f', q.decimals, 64)),
		"unit":   unitText(q.unit),
		"system": ucumSystem,
		"code":   q.unit,
	}
}

// interpretation flags a value against the normal range.
func interpretation(q quantityKind, v float64) (code, text string) {
	switch {
	case v < q.low:
		return "L", "Low"
	case v > q.high:
		return "H", "High"
	}
	return "N", "Normal"
}

func (g *patientGen) add(doc obj) { g.docs = append(g.docs, doc) }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func ref(typ, id string) obj { return obj{"reference": typ + "/" + id} }

func coding(system, code, display string) obj {
	return obj{"system": system, "code": code, "display": display}
}

func concept(system, code, display string) obj {
	return obj{"coding": []any{coding(system, code, display)}, "text": display}
}

func dateTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func mrnIdentifier(mrn string) obj {
	return obj{"use": "usual", "type": concept(v2IDTypeSystem, "MR", "Medical record number"), "system": MRNSystem, "value": mrn}
}

func visitIdentifier(visit string) obj {
	return obj{"use": "usual", "type": concept(v2IDTypeSystem, "VN", "Visit number"), "system": VisitSystem, "value": visit}
}
