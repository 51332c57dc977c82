package mappings

import (
	"bytes"
	"errors"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

func parse(t testing.TB, text string) *hl7.Message {
	t.Helper()
	msg, err := hl7.Parse([]byte(strings.ReplaceAll(text, "\n", "\r")))
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

const oruText = `MSH|^~\&|LAB|LABFAC|EHR|HOSP|20240501103000-0400||ORU^R01^ORU_R01|MSG001|P|2.5.1
PID|1||MRN001^^^HOSP^MR||Doe^Jane||19800101|F
PV1|1|O|CLINIC^^^HOSP||||||||||||||||V001^^^HOSP^VN
ORC|RE|P1^EHR|F1^LAB
OBR|1|P1^EHR|F1^LAB|24323-8^CMP^LN|||20240501080000-0400||||||||||||||||||F
OBX|1|NM|2345-7^Glucose^LN||98|mg/dL^^UCUM|70-99|N|||P
OBX|2|NM|2160-0^Creatinine^LN||1.40|mg/dL^^UCUM|0.60-1.20|H|||P
OBX|3|NM|2160-0^Creatinine^LN||1.41|mg/dL^^UCUM|0.60-1.20|H|||P
`

func TestMap_IDsAreDeterministicAndNamespaced(t *testing.T) {
	msg := parse(t, oruText)
	a, b := mustMapper(t, Options{Namespace: "tenant-a"}), mustMapper(t, Options{Namespace: "tenant-b"})
	x1, err := a.MapJSON(msg)
	if err != nil {
		t.Fatal(err)
	}
	x2, _ := a.MapJSON(msg)
	if !bytes.Equal(x1, x2) {
		t.Fatal("the same message mapped twice gave different bytes")
	}
	// Another Mapper with the same options agrees: nothing depends on
	// process state.
	x3, _ := mustMapper(t, Options{Namespace: "tenant-a"}).MapJSON(msg)
	if !bytes.Equal(x1, x3) {
		t.Fatal("two mappers with the same options disagree")
	}
	y, _ := b.MapJSON(msg)
	ids := func(b []byte) []string {
		return regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindAllString(string(b), -1)
	}
	idA, idB := ids(x1), ids(y)
	// Patient, Encounter, ServiceRequest, DiagnosticReport, 3 Observations,
	// 2 Locations, 2 Provenances; the bundle's own id is not in quotes
	// after "id" alone.
	if len(idA) != 12 || len(idA) != len(idB) {
		t.Fatalf("ids: %d and %d", len(idA), len(idB))
	}
	for i := range idA {
		if idA[i] == idB[i] {
			t.Errorf("id %s is the same in two namespaces", idA[i])
		}
	}
	uuid := regexp.MustCompile(`^"id":"[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$`)
	for _, id := range idA {
		if !uuid.MatchString(id) {
			t.Errorf("%s is not an RFC 9562 version 8 UUID", id)
		}
	}
}

// A corrected result (OBX-11 C) in a later message must update the
// Observation the preliminary one created; so must a changed value.
func TestMap_CorrectedResultKeepsItsID(t *testing.T) {
	m := mustMapper(t, Options{})
	prelim, err := m.Map(parse(t, oruText))
	if err != nil {
		t.Fatal(err)
	}
	corrected := strings.NewReplacer("|MSG001|", "|MSG002|", "||1.40|", "||1.38|", "|H|||P\nOBX|3", "|H|||C\nOBX|3").Replace(oruText)
	final, err := m.Map(parse(t, corrected))
	if err != nil {
		t.Fatal(err)
	}
	byCode := func(b *fhir.Bundle) map[string][]*fhir.Observation {
		out := map[string][]*fhir.Observation{}
		for _, e := range b.Entry {
			if o, ok := e.Resource.(*fhir.Observation); ok {
				out[o.Code.Coding[0].Code] = append(out[o.Code.Coding[0].Code], o)
			}
		}
		return out
	}
	p, f := byCode(prelim), byCode(final)
	if p["2160-0"][0].ID != f["2160-0"][0].ID || f["2160-0"][0].Status != "corrected" {
		t.Errorf("corrected creatinine: id %s → %s, status %s", p["2160-0"][0].ID, f["2160-0"][0].ID, f["2160-0"][0].Status)
	}
	if string(f["2160-0"][0].ValueQuantity.Value) != "1.38" {
		t.Errorf("value %s", f["2160-0"][0].ValueQuantity.Value)
	}
	// Two OBX with the same code and no sub-id under one OBR: distinct ids.
	if len(p["2160-0"]) != 2 || p["2160-0"][0].ID == p["2160-0"][1].ID {
		t.Errorf("repeated OBX-3 share an id")
	}
	if p["2345-7"][0].ID != f["2345-7"][0].ID {
		t.Error("an unchanged result got a new id")
	}
	if prelim.ID == final.ID {
		t.Error("two messages have the same bundle id")
	}
}

func TestMap_BundleShape(t *testing.T) {
	b, err := mustMapper(t, Options{}).Map(parse(t, oruText))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range b.Entry {
		types = append(types, e.Resource.ResourceType())
	}
	want := "Patient Encounter ServiceRequest DiagnosticReport Observation Observation Observation Provenance Provenance Location Location"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("entries %s\nwant    %s", got, want)
	}
	if b.Type != "transaction" || b.Timestamp != "2024-05-01T10:30:00-04:00" {
		t.Errorf("type %q timestamp %q", b.Type, b.Timestamp)
	}
	sr := b.Entry[2].Resource.(*fhir.ServiceRequest)
	dr := b.Entry[3].Resource.(*fhir.DiagnosticReport)
	if len(dr.Result) != 3 || dr.Result[0].Reference != b.Entry[4].FullURL {
		t.Errorf("report results %v", dr.Result)
	}
	if len(dr.BasedOn) != 1 || dr.BasedOn[0].Reference != b.Entry[2].FullURL || sr.Subject.Reference != b.Entry[0].FullURL {
		t.Errorf("report basedOn %v, request subject %v", dr.BasedOn, sr.Subject)
	}
	obs := b.Entry[4].Resource.(*fhir.Observation)
	if obs.Subject.Reference != b.Entry[0].FullURL || obs.Encounter.Reference != b.Entry[1].FullURL {
		t.Errorf("observation subject %v encounter %v", obs.Subject, obs.Encounter)
	}
	if len(obs.BasedOn) != 1 || obs.BasedOn[0].Reference != b.Entry[2].FullURL {
		t.Errorf("observation basedOn %v", obs.BasedOn)
	}
}

func TestMap_MessageBundle(t *testing.T) {
	b, err := mustMapper(t, Options{BundleType: BundleMessage}).Map(parse(t, oruText))
	if err != nil {
		t.Fatal(err)
	}
	h, ok := b.Entry[0].Resource.(*fhir.MessageHeader)
	if !ok || b.Type != "message" {
		t.Fatalf("first entry %T, type %s", b.Entry[0].Resource, b.Type)
	}
	if h.EventCoding.Code != "R01" || h.Source.Name != "LAB" || h.Source.EndpointExt == nil || len(h.Focus) != 1 {
		t.Errorf("header %+v", h)
	}
	for _, e := range b.Entry {
		if e.Request != nil {
			t.Errorf("message entry with a request")
		}
	}
}

func TestMap_Errors(t *testing.T) {
	m := mustMapper(t, Options{})
	for _, tc := range []struct {
		name, text string
		want       error
		contains   string
	}{
		{"unsupported type", "MSH|^~\\&|A|B|||20240101||MDM^T02|1|P|2.5", ErrUnsupported, "MDM^T02"},
		{"unsupported trigger", "MSH|^~\\&|A|B|||20240101||ADT^A17|1|P|2.5\nPID|1||1^^^A", ErrUnsupported, "ADT^A17"},
		{"A40 without MRG", "MSH|^~\\&|A|B|||20240101||ADT^A40|1|P|2.5\nPID|1||1^^^A", ErrMalformed, "no MRG"},
		{"A40 without PID", "MSH|^~\\&|A|B|||20240101||ADT^A40|1|P|2.5\nMRG|2^^^A", ErrMalformed, "no PID"},
		{"ORU without PID", "MSH|^~\\&|A|B|||20240101||ORU^R01|1|P|2.5\nOBR|1||F^L|1^x^L", ErrMalformed, "no PID"},
		{"ORU without OBR", "MSH|^~\\&|A|B|||20240101||ORU^R01|1|P|2.5\nPID|1||1^^^A", ErrMalformed, "no OBR"},
		{"ADT without PID", "MSH|^~\\&|A|B|||20240101||ADT^A01|1|P|2.5\nPV1|1|I", ErrMalformed, "no PID"},
		{"no message type", "MSH|^~\\&|A|B|||20240101|||1|P|2.5\nPID|1", ErrMalformed, "MSH-9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := parse(t, tc.text)
			b, err := m.Map(msg)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.contains) || b != nil {
				t.Errorf("Map: %v (bundle %v), want %v containing %q", err, b != nil, tc.want, tc.contains)
			}
			if out, err := m.MapJSON(msg); !errors.Is(err, tc.want) || out != nil {
				t.Errorf("MapJSON: %v", err)
			}
		})
	}
	if _, err := m.Map(nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("nil message: %v", err)
	}
	if _, err := m.Map(&hl7.Message{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty message: %v", err)
	}
}

func TestSupported(t *testing.T) {
	for _, ok := range [][2]string{{"ORU", "R01"}, {"ADT", "A01"}, {"ADT", "A03"}, {"ADT", "A04"}, {"ADT", "A08"}, {"ADT", "A28"}, {"ADT", "A31"}, {"ADT", "A13"}, {"ADT", "A40"}} {
		if !Supported(ok[0], ok[1]) {
			t.Errorf("%s^%s not supported", ok[0], ok[1])
		}
	}
	for _, no := range [][2]string{{"ADT", "A17"}, {"ADT", "A39"}, {"MDM", "T02"}, {"ORU", "R30"}, {"ORM", "O01"}, {"", ""}} {
		if Supported(no[0], no[1]) {
			t.Errorf("%s^%s supported", no[0], no[1])
		}
	}
}

func TestMap_ADTEncounter(t *testing.T) {
	m := mustMapper(t, Options{})
	text := `MSH|^~\&|ADT|HOSP|||20240501103000||ADT^A01^ADT_A01|C1|P|2.5.1
EVN|A01|20240501103000
PID|1||MRN001^^^HOSP^MR||Doe^Jane||19800101|F
PV1|1|I|4W^401^B^HOSP||||1234^Attend^Ann^^^DR^^^NPI^L^^^NPI|^Refer^Rob||MED|||||||||V100^^^HOSP^VN|||||||||||||||||||||||||20240501090000
`
	status := func(text string) (string, string) {
		b, err := m.Map(parse(t, text))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range b.Entry {
			if enc, ok := e.Resource.(*fhir.Encounter); ok {
				return enc.Status, enc.ID
			}
		}
		return "", ""
	}
	s1, id1 := status(text)
	s3, id3 := status(strings.NewReplacer("ADT^A01^ADT_A01", "ADT^A03^ADT_A03", "|C1|", "|C3|").Replace(text))
	s8, id8 := status(strings.NewReplacer("ADT^A01^ADT_A01", "ADT^A08^ADT_A01", "|C1|", "|C8|", "20240501090000\n", "20240501090000|20240503120000\n").Replace(text))
	if s1 != "in-progress" || s3 != "finished" || s8 != "finished" {
		t.Errorf("statuses A01 %s, A03 %s, A08 with PV1-45 %s", s1, s3, s8)
	}
	if id1 != id3 || id1 != id8 {
		t.Errorf("the visit's events gave different Encounter ids: %s %s %s", id1, id3, id8)
	}
	// A28 (person information) with a placeholder PV1: no Encounter
	// (the Patient, and the two Provenances of MSH).
	b, err := m.Map(parse(t, "MSH|^~\\&|A|B|||20240101||ADT^A28|1|P|2.3\nPID|1||1^^^A||Doe^J\nPV1|1|N"))
	if err != nil || len(all[*fhir.Encounter](b)) != 0 || len(all[*fhir.Patient](b)) != 1 {
		t.Errorf("A28: %v, %d entries", err, len(b.Entry))
	}
	b, err = m.Map(parse(t, text))
	if err != nil {
		t.Fatal(err)
	}
	enc := b.Entry[1].Resource.(*fhir.Encounter)
	if len(enc.Participant) != 2 || enc.Participant[0].Type[0].Coding[0].Code != "ATND" || enc.Participant[1].Individual.Display != "Rob Refer" {
		t.Errorf("participants %s", jsonOf(t, enc.Participant))
	}
	if len(enc.Location) != 1 || enc.Class.Code != "IMP" || enc.Period.Start != "2024-05-01T09:00:00Z" {
		t.Errorf("encounter %s", jsonOf(t, enc))
	}
}

// FuzzMap maps arbitrary messages twice: as they come, and as an update
// of themselves, with the first run's Patient and Encounter as the
// previous versions (see mapBothWays).
func FuzzMap(f *testing.F) {
	for _, s := range samples(f) {
		f.Add(s.data)
	}
	f.Add([]byte(oruText))
	f.Add([]byte("MSH|^~\\&|||||||ADT^A01|1|P|2.5\rPID|||\"\"\rPV1||\"\"|^^^^^^^^\\X00\\"))
	m := mustMapper(f, Options{BundleType: BundleMessage, Namespace: "fuzz"})
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := hl7.Parse(data)
		if err != nil {
			return
		}
		mapped := map[string]fhir.Resource{}
		if !mapBothWays(t, m, msg, &Enrichment{Mapped: mapped}) {
			return
		}
		mapBothWays(t, m, msg, &Enrichment{Previous: mapped})
	})
}

// FuzzMapUpdate maps a message, then a second one as its update, with the
// first one's Patient and Encounter as the previous versions: the fuzzer
// mutates the two apart, so the second often names the same patient with
// other fields, empty ones or "" (the carry rules of previous.go).
func FuzzMapUpdate(f *testing.F) {
	for _, s := range samples(f) {
		f.Add(s.data, s.data)
	}
	// An update that fails (an ORU without OBR) after mapping the patient
	// from the previous version: that must leave the version as it was too.
	noOBR := oruText[:strings.Index(oruText, "\nOBR|")]
	f.Add([]byte(oruText), []byte(noOBR))
	m := mustMapper(f, Options{Namespace: "fuzz"})
	f.Fuzz(func(t *testing.T, first, second []byte) {
		a, errA := hl7.Parse(first)
		b, errB := hl7.Parse(second)
		if errA != nil || errB != nil {
			return
		}
		mapped := map[string]fhir.Resource{}
		if _, _, err := m.MapJSONEnriched(a, &Enrichment{Mapped: mapped}); err != nil || len(mapped) == 0 {
			return
		}
		mapBothWays(t, m, b, &Enrichment{Previous: mapped})
	})
}

// mapBothWays maps msg with enr as the engine does (streamed JSON) and as
// Map does (the struct Bundle), and fails unless both succeed or both
// fail (with ErrUnsupported or ErrMalformed), the JSON decodes, the two
// agree byte for byte, and the resources enr gave as previous versions are
// as they were, whether the mapping succeeded or not: the engine keeps
// them for the next message. It reports whether msg mapped; a message of
// a type without a map, or missing what its type requires, is no failure.
func mapBothWays(t *testing.T, m *Mapper, msg *hl7.Message, enr *Enrichment) bool {
	before := encodeAll(t, enr.Previous)
	out, _, err := m.MapJSONEnriched(msg, enr)
	enc, mapErr := mapEncoded(m, msg, enr.Previous)
	if after := encodeAll(t, enr.Previous); !maps.Equal(before, after) {
		t.Fatalf("mapping changed its previous versions (error %v):\n%v\n%v", err, before, after)
	}
	switch {
	case err != nil && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrMalformed):
		t.Fatalf("unexpected error kind: %v", err)
	case err != nil && mapErr == nil:
		t.Fatalf("MapJSON failed (%v), Map succeeded", err)
	case err != nil:
		return false
	case mapErr != nil:
		t.Fatalf("MapJSON succeeded, Map failed: %v", mapErr)
	}
	var b fhir.Bundle
	if err := b.UnmarshalJSON(out); err != nil {
		t.Fatalf("output does not decode: %v\n%s", err, out)
	}
	if !bytes.Equal(enc, out) {
		t.Fatalf("Map and MapJSON differ:\n%s\n%s", enc, out)
	}
	return true
}

// mapEncoded maps msg as Map does, with prev as the previous versions, and
// encodes the Bundle.
func mapEncoded(m *Mapper, msg *hl7.Message, prev map[string]fhir.Resource) ([]byte, error) {
	r, err := m.start(msg, false, &Enrichment{Previous: prev})
	if r == nil {
		return nil, err
	}
	defer m.release(r)
	if err != nil {
		return nil, err
	}
	return fhir.Marshal(r.bundle())
}

// encodeAll encodes each resource of rs.
func encodeAll(t *testing.T, rs map[string]fhir.Resource) map[string]string {
	out := make(map[string]string, len(rs))
	for k, r := range rs {
		b, err := fhir.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = string(b)
	}
	return out
}

// A Mapper is shared by a channel's workers: concurrent calls must give
// what sequential ones give (run with -race).
func TestMapper_ConcurrentUse(t *testing.T) {
	m := mustMapper(t, Options{Namespace: "c"})
	var msgs []*hl7.Message
	var want [][]byte
	for _, s := range samples(t) {
		msg, err := hl7.Parse(s.data)
		if err != nil {
			continue
		}
		out, err := m.MapJSON(msg)
		if err != nil {
			continue
		}
		msgs, want = append(msgs, msg), append(want, out)
	}
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := range 3 * len(msgs) {
				k := (i + g) % len(msgs)
				var got []byte
				var err error
				if i%2 == 0 {
					got, err = m.MapJSON(msgs[k])
				} else {
					var b *fhir.Bundle
					if b, err = m.Map(msgs[k]); err == nil {
						got, err = fhir.Marshal(b)
					}
				}
				if err != nil || !bytes.Equal(got, want[k]) {
					errs <- errors.New("concurrent mapping differs from sequential")
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestMapJSONWarnings_NamesFieldNotContent(t *testing.T) {
	m, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := hl7.Parse([]byte("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|W1|P|2.5.1\rPID|1||123^^^MRN||Doe^Jane||19620352|F\rPV1|1|I\r"))
	if err != nil {
		t.Fatal(err)
	}
	out, ws, err := m.MapJSONWarnings(msg)
	if err != nil || len(out) == 0 {
		t.Fatalf("MapJSONWarnings: %v", err)
	}
	found := false
	for _, w := range ws {
		if strings.HasPrefix(w.Field, "PID") && strings.Contains(w.Field, "7") {
			found = true
		}
		if strings.Contains(w.String(), "19620352") {
			t.Errorf("warning quotes content: %s", w)
		}
	}
	if !found {
		t.Errorf("no warning for the invalid birth date PID-7: %v", ws)
	}
}

// The Bundle carries MSH-10 as its identifier, in the system of the
// sending application MSH-3, through Map and MapJSON alike.
func TestBundleIdentifier_ControlIDOfTheSender(t *testing.T) {
	const msg = "MSH|^~\\&|LAB^1.2.3^ISO|H|||20240501||ADT^A04|CTRL\\F\\9|P|2.5\nPID|1||M1^^^H^MR||Doe^Jane\n"
	for _, o := range []Options{{}, {IdentifierSystems: map[string]string{"LAB": "https://hospital.example/lab"}}} {
		m := mustMapper(t, o)
		b, err := m.Map(parse(t, msg))
		if err != nil {
			t.Fatal(err)
		}
		want := "urn:oid:1.2.3"
		if o.IdentifierSystems != nil {
			want = "https://hospital.example/lab"
		}
		if b.Identifier == nil || b.Identifier.System != want || b.Identifier.Value != "CTRL|9" {
			t.Errorf("identifier %s, want %s|CTRL|9", jsonOf(t, b.Identifier), want)
		}
		j, _ := m.MapJSON(parse(t, msg))
		if fromMap, _ := fhir.Marshal(b); string(j) != string(fromMap) {
			t.Errorf("MapJSON and Map differ:\n%s\n%s", j, fromMap)
		}
	}
}

// Without MSH-3 the identifier is the value alone, escaped as fhir.Marshal
// escapes it in the streamed JSON too.
func TestBundleIdentifier_NoSenderAndEscaping(t *testing.T) {
	const msg = "MSH|^~\\&||H|||20240501||ADT^A04|A\"B\\E\\|P|2.5\nPID|1||M1^^^H^MR||Doe^Jane\n"
	m := mustMapper(t, Options{})
	b, err := m.Map(parse(t, msg))
	if err != nil {
		t.Fatal(err)
	}
	if b.Identifier == nil || b.Identifier.System != "" || b.Identifier.Value != `A"B\` {
		t.Errorf("identifier %s", jsonOf(t, b.Identifier))
	}
	j, _ := m.MapJSON(parse(t, msg))
	if fromMap, _ := fhir.Marshal(b); string(j) != string(fromMap) {
		t.Errorf("MapJSON and Map differ:\n%s\n%s", j, fromMap)
	}
}

// A message Bundle's MessageHeader takes MSH-19, MSH-22, MSH-23 (else
// MSH-6) and MSH-24 as the IG's MSH[MessageHeader] map says.
func TestMessageHeader_ResponsibleReceiverLanguage(t *testing.T) {
	const msg = "MSH|^~\\&|APP|FAC||RcvFac|20240501||ADT^A04|7|P|2.5.1|||||USA||en-US|||Sender Org^L^^^^H&1.2&ISO^XX^^^S1|Receiver Org^L^^^^H&1.2&ISO^XX^^^R1|^1.2.3.4^ISO\n" +
		"PID|1||M1^^^H^MR||Doe^Jane\n"
	m := mustMapper(t, Options{BundleType: BundleMessage})
	b, err := m.Map(parse(t, msg))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := fhir.Marshal(b)
	validateBundle(t, "msh", out)
	if j, _ := m.MapJSON(parse(t, msg)); string(j) != string(out) {
		t.Errorf("MapJSON and Map differ:\n%s\n%s", j, out)
	}
	h := all[*fhir.MessageHeader](b)[0]
	if h.Language != "en-US" || h.Source.Endpoint != "urn:oid:1.2.3.4" {
		t.Errorf("language %q, source %s", h.Language, jsonOf(t, h.Source))
	}
	resp, ok := bundleResource(b, h.Responsible.Reference).(*fhir.Organization)
	if !ok || resp.Name != "Sender Org" {
		t.Errorf("responsible %s", jsonOf(t, h.Responsible))
	}
	if len(h.Destination) != 1 || h.Destination[0].Receiver == nil {
		t.Fatalf("destination %s: want one, with a receiver, though MSH-5 is empty", jsonOf(t, h.Destination))
	}
	if recv, ok := bundleResource(b, h.Destination[0].Receiver.Reference).(*fhir.Organization); !ok || recv.Name != "Receiver Org" {
		t.Errorf("receiver %s: want MSH-23's organization", jsonOf(t, h.Destination[0].Receiver))
	}
	// Without MSH-23, MSH-6 is the receiver, by display.
	b, _ = m.Map(parse(t, strings.Replace(msg, "|Receiver Org^L^^^^H&1.2&ISO^XX^^^R1|", "||", 1)))
	if h := all[*fhir.MessageHeader](b)[0]; len(h.Destination) != 1 || h.Destination[0].Receiver.Display != "RcvFac" {
		t.Errorf("destination without MSH-23 %s", jsonOf(t, h.Destination))
	}
}

// MSH-24, the sending network address, is the source endpoint even when
// MSH-3 has a universal id of its own (the IG uses MSH-3's only without
// MSH-24).
func TestMessageHeader_SendingNetworkAddressWins(t *testing.T) {
	const msg = "MSH|^~\\&|APP^9.9.9^ISO|FAC|||20240501||ADT^A04|7|P|2.5.1||||||||||||^1.2.3.4^ISO\nPID|1||M1^^^H^MR||Doe^Jane\n"
	b, err := mustMapper(t, Options{BundleType: BundleMessage}).Map(parse(t, msg))
	if err != nil {
		t.Fatal(err)
	}
	if h := all[*fhir.MessageHeader](b)[0]; h.Source.Endpoint != "urn:oid:1.2.3.4" || h.Source.Name != "APP" {
		t.Errorf("source %s, want MSH-24's endpoint and MSH-3's name", jsonOf(t, h.Source))
	}
}
