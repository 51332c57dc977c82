package mappings

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// testRun parses a message made of MSH and the given segments and returns
// a run over it, for testing one map at a time.
func testRun(t *testing.T, o Options, segments ...string) (*run, *hl7.Message) {
	t.Helper()
	text := "MSH|^~\\&|APP|FAC|||20240501120000||ORU^R01|CTRL1|P|2.5.1"
	for _, s := range segments {
		text += "\r" + s
	}
	msg, err := hl7.Parse([]byte(text + "\r"))
	if err != nil {
		t.Fatal(err)
	}
	m := mustMapper(t, o)
	return m.newRun(msg, "R01"), msg
}

// field returns field n of the first segment called seg.
func field(msg *hl7.Message, seg string, n int) hl7.Value { return msg.Segment(seg).Field(n) }

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestXPN(t *testing.T) {
	for _, tc := range []struct {
		name, xpn, want string
	}{
		{"full official name", "Everywoman^Eve^L^Jr^Dr^PhD^L^^^^G^20000909^20301231^MD",
			`{"use":"official","family":"Everywoman","given":["Eve","L"],"prefix":["Dr"],"suffix":["Jr","PhD","MD"],"period":{"start":"2000-09-09","end":"2030-12-31"}}`},
		{"surname sub-components", "van Beethoven&van^Ludwig",
			`{"family":"van Beethoven","given":["Ludwig"]}`},
		{"maiden name with DR validity", "Original^Eve^^^^^M^^^19700601&20000908",
			`{"use":"maiden","family":"Original","given":["Eve"],"period":{"start":"1970-06-01","end":"2000-09-08"}}`},
		{"unmapped name type gives no use", "Doe^Jane^^^^^B",
			`{"family":"Doe","given":["Jane"]}`},
		{"escaped text", `O\T\Brien^Mary`, `{"family":"O\u0026Brien","given":["Mary"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, msg := testRun(t, Options{}, "PID|1||1^^^A||"+tc.xpn)
			n, _, ok, _ := r.xpn(field(msg, "PID", 5).Rep(1), at{"PID", 1, 5})
			if !ok {
				t.Fatal("no name")
			}
			if got := jsonOf(t, n); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	r, msg := testRun(t, Options{}, "PID|1||1^^^A||^^^^^^^^^^^^^^Bobby")
	_, nick, ok, hasNick := r.xpn(field(msg, "PID", 5).Rep(1), at{})
	if ok || !hasNick || jsonOf(t, nick) != `{"use":"nickname","given":["Bobby"]}` {
		t.Errorf("called-by only: ok %v nick %v %s", ok, hasNick, jsonOf(t, nick))
	}
}

func TestCX_IdentifierSystemFromAssigningAuthority(t *testing.T) {
	o := Options{Namespace: "tenant a", IdentifierSystems: map[string]string{
		"EPIC":         "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14",
		"1.2.3.4.5.99": "https://hospital.example/mrn",
	}}
	for _, tc := range []struct {
		name, cx, want string
	}{
		{"configured namespace", "E123^^^EPIC^MRN",
			`{"type":{"text":"MRN"},"system":"urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14","value":"E123"}`},
		{"configured universal id", "77^^^X&1.2.3.4.5.99&ISO^MR",
			`{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR","display":"Medical record number"}]},"system":"https://hospital.example/mrn","value":"77"}`},
		{"ISO universal id", "1032702^^^V2FHIR&1.2.3.4.5&ISO^MR^^20190101^20290101",
			`{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR","display":"Medical record number"}]},"system":"urn:oid:1.2.3.4.5","value":"1032702","period":{"start":"2019-01-01","end":"2029-01-01"},"assigner":{"display":"V2FHIR"}}`},
		{"UUID universal id", "9^^^&6B29FC40-CA47-1067-B31D-00DD010662DA&UUID",
			`{"system":"urn:uuid:6b29fc40-ca47-1067-b31d-00dd010662da","value":"9"}`},
		{"namespace only: local urn, escaped", "PATID1234^^^NIST MPI^MR",
			`{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR","display":"Medical record number"}]},"system":"urn:switchboard:tenant%20a:aa:NIST%20MPI","value":"PATID1234","assigner":{"display":"NIST MPI"}}`},
		{"check digit", "1234567^4^M11^test^MR",
			`{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/identifier-checkDigit","valueString":"4"},{"url":"http://hl7.org/fhir/StructureDefinition/namingsystem-checkDigit","valueString":"M11"}],"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR","display":"Medical record number"}]},"system":"urn:switchboard:tenant%20a:aa:test","value":"1234567","assigner":{"display":"test"}}`},
		{"no authority", "555^^^^SS",
			`{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"SS","display":"Social Security number"}]},"value":"555"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, msg := testRun(t, o, "PID|1||"+tc.cx)
			id, _, ok := r.cx(field(msg, "PID", 3).Rep(1), at{"PID", 1, 3})
			if !ok {
				t.Fatal("no identifier")
			}
			if got := jsonOf(t, id); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestNew_RejectsBadOptions(t *testing.T) {
	for name, o := range map[string]Options{
		"bundle type":     {BundleType: "batch"},
		"system not URI":  {IdentifierSystems: map[string]string{"EPIC": "not a uri"}},
		"empty authority": {IdentifierSystems: map[string]string{" ": "urn:x:y"}},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: New accepted %+v", name, o)
		}
	}
}

func TestXAD(t *testing.T) {
	for _, tc := range []struct {
		name, xad, want string
	}{
		{"home address with county", "1000 House Lane^Appt 123^Ann Arbor^MI^99999^USA^H^^WA",
			`{"use":"home","line":["1000 House Lane","Appt 123"],"city":"Ann Arbor","district":"WA","state":"MI","postalCode":"99999","country":"USA"}`},
		{"street sub-components and validity", "Emergency Lane&&911^First Floor^Ann Arbor^MI^^^M^^^^^^20100612^20200101",
			`{"type":"postal","line":["Emergency Lane","911","First Floor"],"city":"Ann Arbor","state":"MI","period":{"start":"2010-06-12","end":"2020-01-01"}}`},
		{"vacation address: no use in the IG", "212 Resort Drive^^Miami^FL^99999^USA^V",
			`{"line":["212 Resort Drive"],"city":"Miami","state":"FL","postalCode":"99999","country":"USA"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, msg := testRun(t, Options{}, "PID|1||1^^^A||||||||"+tc.xad)
			ad := r.xad(field(msg, "PID", 11).Rep(1), at{})
			if got := jsonOf(t, ad); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestXTN(t *testing.T) {
	for _, tc := range []struct {
		name, xtn, defUse, want string
	}{
		{"structured phone", "^PRN^PH^^1^555^555-8473", "home", `{"system":"phone","value":"+1 555 555-8473","use":"home"}`},
		{"e-mail", "^NET^Internet^eve@test.test", "home", `{"system":"email","value":"eve@test.test"}`},
		{"work phone with extension", "^WPN^PH^^1^555^555-1126^12", "work", `{"system":"phone","value":"+1 555 555-1126 X12","use":"work"}`},
		{"v2.3 free text, default use", "(555)555-2004", "home", `{"system":"phone","value":"(555)555-2004","use":"home"}`},
		{"cell phone", "^^CP^^^555^1234567", "home", `{"system":"phone","value":"555 1234567","use":"mobile"}`},
		{"e-mail without equipment type", "^^^me@example.org", "", `{"system":"email","value":"me@example.org"}`},
		{"unformatted number wins", "^PRN^PH^^1^555^5550100^^^^^5550199", "home", `{"system":"phone","value":"5550199","use":"home"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, msg := testRun(t, Options{}, "PID|1||1^^^A||||||||||"+tc.xtn)
			cp := r.xtn(field(msg, "PID", 13).Rep(1), tc.defUse, at{})
			if got := jsonOf(t, cp); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestCWE(t *testing.T) {
	for _, tc := range []struct {
		name, cwe, defTable, want string
	}{
		{"LOINC with local alternate", "2345-7^Glucose^LN^GLU^Glucose SerPl^L",
			"", `{"coding":[{"system":"http://loinc.org","code":"2345-7","display":"Glucose"},{"code":"GLU","display":"Glucose SerPl"}]}`},
		{"three triplets, versions and original text", "260348001^Present ++^SCT^P2^Present^99LAB^20230301^v1^Moderate^A2^Mod^HL70078",
			"", `{"coding":[{"system":"http://snomed.info/sct","version":"20230301","code":"260348001","display":"Present ++"},{"version":"v1","code":"P2","display":"Present"},{"system":"http://terminology.hl7.org/CodeSystem/v2-0078","code":"A2","display":"Mod"}],"text":"Moderate"}`},
		{"table default system", "SUR", "0069", `{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0069","code":"SUR"}]}`},
		{"text only", "^Not feeling well", "", `{"text":"Not feeling well"}`},
		{"coding system OID in CWE.14", "X1^Thing^99ZZ^^^^^^^^^^^2.16.840.1.113883.6.1", "", `{"coding":[{"system":"urn:oid:2.16.840.1.113883.6.1","code":"X1","display":"Thing"}]}`},
		{"duplicate alternate dropped", "A^x^LN^A^y^LN", "", `{"coding":[{"system":"http://loinc.org","code":"A","display":"x"}]}`},
		{"code whitespace collapsed", " 2106-3  x^White^CDCREC", "", `{"coding":[{"system":"urn:oid:2.16.840.1.113883.6.238","code":"2106-3 x","display":"White"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, msg := testRun(t, Options{}, "OBX|1|CWE|"+tc.cwe)
			cc := r.codeable(field(msg, "OBX", 3).Rep(1), tc.defTable)
			if got := jsonOf(t, cc); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	r, msg := testRun(t, Options{}, `OBX|1|CWE|""`)
	if cc := r.codeable(field(msg, "OBX", 3).Rep(1), ""); cc != nil {
		t.Errorf("explicit null mapped to %s", jsonOf(t, cc))
	}
}

func TestCWE_VocabularyTables(t *testing.T) {
	for _, tc := range []struct {
		cwe   string
		table *table
		want  string
	}{
		{"M^Married^HL70002", maritalStatus, `{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-MaritalStatus","code":"M","display":"Married"}]}`},
		{"U", maritalStatus, `{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-NullFlavor","code":"UNK","display":"Unknown"}]}`},
		{"H", interpretation, `{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"H","display":"High"}]}`},
		{"ZZ^Local flag^HL70078", interpretation, `{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0078","code":"ZZ","display":"Local flag"}]}`},
		// A code from another system is not translated through the v2 table.
		{"M^Mixed^99LOCAL", maritalStatus, `{"coding":[{"code":"M","display":"Mixed"}]}`},
	} {
		r, msg := testRun(t, Options{}, "OBX|1|CWE|"+tc.cwe)
		cc := r.codeableVia(field(msg, "OBX", 3).Rep(1), tc.table)
		if got := jsonOf(t, cc); got != tc.want {
			t.Errorf("%s via %s: got %s\nwant %s", tc.cwe, tc.table.name, got, tc.want)
		}
	}
}

func TestTables(t *testing.T) {
	for _, tc := range []struct {
		table    *table
		v2, want string
	}{
		{administrativeSex, "F", "female"}, {administrativeSex, "m", "male"}, {administrativeSex, "A", "other"},
		{administrativeSex, "N", "other"}, {administrativeSex, "U", "unknown"},
		{patientClass, "E", "EMER"}, {patientClass, "I", "IMP"}, {patientClass, "O", "AMB"}, {patientClass, "P", "PRENC"},
		{patientClass, "N", "N"},
		{patientClassStatus, "P", "planned"}, {patientClassStatus, "I", "in-progress"}, {patientClassStatus, "U", "unknown"},
		{observationStatus, "F", "final"}, {observationStatus, "C", "corrected"}, {observationStatus, "P", "preliminary"},
		{observationStatus, "D", "entered-in-error"}, {observationStatus, "W", "entered-in-error"}, {observationStatus, "X", "cancelled"},
		{observationStatus, "I", "registered"}, {observationStatus, "R", "preliminary"}, {observationStatus, "A", "amended"},
		{resultStatus, "F", "final"}, {resultStatus, "P", "preliminary"}, {resultStatus, "C", "corrected"},
		{resultStatus, "R", "partial"}, {resultStatus, "X", "cancelled"}, {resultStatus, "O", "registered"}, {resultStatus, "A", "partial"},
		{eventStatus, "A01", "in-progress"}, {eventStatus, "A03", "finished"}, {eventStatus, "A04", "planned"}, {eventStatus, "A11", "cancelled"},
		{identifierType, "MR", "MR"}, {identifierType, "VN", "VN"}, {identifierType, "NPI", "NPI"},
		{nameUse, "L", "official"}, {nameUse, "M", "maiden"}, {nameUse, "D", "usual"},
		{telecomUse, "PRN", "home"}, {telecomUse, "WPN", "work"}, {telecomSystem, "Internet", "email"}, {telecomSystem, "FX", "fax"},
	} {
		k, ok := tc.table.lookup(tc.v2)
		if !ok || k.Code != tc.want {
			t.Errorf("%s %q → %q (%v), want %q", tc.table.name, tc.v2, k.Code, ok, tc.want)
		}
	}
	for _, miss := range []struct {
		table *table
		v2    string
	}{{administrativeSex, "1"}, {patientClass, "Z"}, {observationStatus, "Q"}, {eventStatus, "A08"}, {nameUse, "B"}} {
		if k, ok := miss.table.lookup(miss.v2); ok {
			t.Errorf("%s %q maps to %q: want no mapping", miss.table.name, miss.v2, k.Code)
		}
	}
	for _, tb := range []*table{administrativeSex, patientClass, patientClassStatus, eventStatus, resultStatus,
		observationStatus, interpretation, identifierType, maritalStatus, nameUse, addressUse, addressType,
		telecomUse, telecomSystem, serviceSection} {
		if tb.number == "" || tb.source == "" || len(tb.codes) == 0 {
			t.Errorf("table %q: number %q source %q, %d codes", tb.name, tb.number, tb.source, len(tb.codes))
		}
		for v2, k := range tb.codes {
			if k.System == "" || k.Code == "" || !isURI(k.System) {
				t.Errorf("table %s: %s → %+v", tb.name, v2, k)
			}
		}
	}
}

func TestCodingSystems(t *testing.T) {
	for name, want := range map[string]string{
		"LN": "http://loinc.org", "ln": "http://loinc.org", "SCT": "http://snomed.info/sct", "UCUM": sysUCUM,
		"HL70078": "http://terminology.hl7.org/CodeSystem/v2-0078", "HL7_0203": "http://terminology.hl7.org/CodeSystem/v2-0203",
		"HL7396": "http://terminology.hl7.org/CodeSystem/v2-0396", "2.16.840.1.113883.6.1": "urn:oid:2.16.840.1.113883.6.1",
		"https://terminology.hl7.org/CodeSystem-x": "https://terminology.hl7.org/CodeSystem-x",
		"L": "", "99USI": "", "": "",
	} {
		if got := codingSystem(name); got != want {
			t.Errorf("codingSystem(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestDTM(t *testing.T) {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	utc := mustMapper(t, Options{})
	ny := mustMapper(t, Options{Location: newYork})
	for _, tc := range []struct {
		in   string
		m    *Mapper
		kind dtmKind
		want string
	}{
		{"2024", utc, kindDateTime, "2024"},
		{"202405", utc, kindDateTime, "2024-05"},
		{"20240501", ny, kindDateTime, "2024-05-01"},
		{"20240501+0200", ny, kindDateTime, "2024-05-01"}, // a date has no zone
		{"2024050114", utc, kindDateTime, "2024-05-01T14:00:00Z"},
		{"202405011430", ny, kindDateTime, "2024-05-01T14:30:00-04:00"}, // EDT
		{"202401151430", ny, kindDateTime, "2024-01-15T14:30:00-05:00"}, // EST
		{"20240501143059", utc, kindDateTime, "2024-05-01T14:30:59Z"},
		{"20240501143059.1234", utc, kindDateTime, "2024-05-01T14:30:59.1234Z"},
		{"20150602100012.43+0100", ny, kindDateTime, "2015-06-02T10:00:12.43+01:00"}, // its own offset wins
		{"198908181126+0215", utc, kindDateTime, "1989-08-18T11:26:00+02:15"},
		{"20240501143059-0000", ny, kindDateTime, "2024-05-01T14:30:59Z"},
		{"197006010912", utc, kindDate, "1970-06-01"},
		{"19700601", utc, kindInstant, "1970-06-01T00:00:00Z"},
		{"201506011358", ny, kindInstant, "2015-06-01T13:58:00-04:00"},
		{"202405", utc, kindInstant, ""},
		{"20240230", utc, kindDateTime, ""},
		{"196203520", utc, kindDate, ""},
		{"2024050125", utc, kindDateTime, ""},
		{"0000", utc, kindDate, ""},
		{"20240501+1500", utc, kindDateTime, ""},
		{"2024-05-01", utc, kindDateTime, ""},
		{"abc", utc, kindDateTime, ""},
	} {
		got, why := tc.m.formatDTM(tc.in, tc.kind)
		if got != tc.want {
			t.Errorf("formatDTM(%q, %v) = %q, want %q", tc.in, tc.kind, got, tc.want)
		}
		if (got == "") != (why != "") {
			t.Errorf("formatDTM(%q): result %q with reason %q", tc.in, got, why)
		}
	}
}

func TestDTM_InvalidDateIsAWarningNotAFailure(t *testing.T) {
	r, msg := testRun(t, Options{}, "PID|1||1^^^A||Doe^J||20240230|F")
	p := r.pid(msg.Segment("PID"), 1)
	res := r.entries[r.byID[p.id]].res.(*fhir.Patient)
	if res.BirthDate != "" || res.Gender != "female" {
		t.Errorf("birthDate %q gender %q", res.BirthDate, res.Gender)
	}
	if len(r.warnings) != 1 || r.warnings[0].Field != "PID-7" {
		t.Fatalf("warnings %v", r.warnings)
	}
	if w := r.warnings[0].String(); w != "PID-7: invalid date/time: skipped" {
		t.Errorf("warning %q (it must not hold the value)", w)
	}
}

func TestNumeric(t *testing.T) {
	for _, tc := range []struct {
		in, value, comparator string
		ok                    bool
	}{
		{"1.40", "1.40", "", true}, {"0.10", "0.10", "", true}, {"182", "182", "", true},
		{"-2.5", "-2.5", "", true}, {"+3", "3", "", true}, {".5", "0.5", "", true}, {"5.", "5", "", true},
		{"007.10", "7.10", "", true}, {" 98 ", "98", "", true}, {"-0.0", "-0.0", "", true},
		{"<0.10", "0.10", "<", true}, {"<=5", "5", "<=", true}, {">= 1000", "1000", ">=", true}, {">60", "60", ">", true},
		{"1e3", "", "", false}, {"TNP", "", "", false}, {"1.2.3", "", "", false}, {"", "", "", false}, {"<", "", "", false},
		{"1,5", "", "", false}, {"--1", "", "", false},
	} {
		var q fhir.Quantity
		ok := numeric(tc.in, &q)
		if ok != tc.ok || string(q.Value) != tc.value || q.Comparator != tc.comparator {
			t.Errorf("numeric(%q) = %q %q %v, want %q %q %v", tc.in, q.Value, q.Comparator, ok, tc.value, tc.comparator, tc.ok)
		}
	}
}

// obxJSON maps one OBX (under an OBR) and returns the Observation as JSON.
func obxJSON(t *testing.T, obx string) (string, []Warning) {
	t.Helper()
	r, msg := testRun(t, Options{}, "PID|1||1^^^A", "OBR|1||F1^LAB|24323-8^CMP^LN|||20240501080000||||||||||||||||CH|F", obx)
	p := r.pid(msg.Segment("PID"), 1)
	o := r.obr(msg.Segment("OBR"), nil, 1, p, ref{}, msg.Segments[3:])
	obs := r.obx(msg.Segment("OBX"), 1, obxContext{pat: p, order: o})
	b, err := fhir.Marshal(obs)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	if v["status"] == "unknown" {
		t.Errorf("status unknown: the test message must value OBX-11")
	}
	for _, k := range []string{"resourceType", "id", "status", "category", "code", "subject", "effectiveDateTime", "basedOn"} {
		delete(v, k)
	}
	return jsonOf(t, v), r.warnings
}

func TestOBX_Values(t *testing.T) {
	for _, tc := range []struct {
		name, obx, want string
	}{
		{"NM keeps its decimal text, UCUM units",
			"OBX|1|NM|2160-0^Creatinine^LN||1.40|mg/dL^milligram per deciliter^UCUM|0.60-1.20|H|||F",
			`{"interpretation":[{"coding":[{"code":"H","display":"High","system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"}]}],"referenceRange":[{"high":{"code":"mg/dL","system":"http://unitsofmeasure.org","unit":"milligram per deciliter","value":1.20},"low":{"code":"mg/dL","system":"http://unitsofmeasure.org","unit":"milligram per deciliter","value":0.60},"text":"0.60-1.20"}],"valueQuantity":{"code":"mg/dL","system":"http://unitsofmeasure.org","unit":"milligram per deciliter","value":1.40}}`},
		{"NM with a comparator: non-conformant, kept as Quantity.comparator",
			"OBX|1|NM|6265-3^IgE^LN||<0.10|kU/L|<0.10||||F",
			`{"referenceRange":[{"text":"\u003c0.10"}],"valueQuantity":{"comparator":"\u003c","unit":"kU/L","value":0.10}}`},
		{"NM units without a system: no code",
			"OBX|1|NM|1^x^L||5|mg/dL|||||F", `{"valueQuantity":{"unit":"mg/dL","value":5}}`},
		{"NM UCUM only as the alternate",
			"OBX|1|NM|1^x^L||5|IU/mL^intl units^L^[IU]/mL^^UCUM|||||F", `{"valueQuantity":{"code":"[IU]/mL","system":"http://unitsofmeasure.org","unit":"intl units","value":5}}`},
		{"NM that is not a number becomes a string",
			"OBX|1|NM|1^x^L||see note||||||F", `{"valueString":"see note"}`},
		{"ST", "OBX|1|ST|1^x^L||Negative for malignancy||||||F", `{"valueString":"Negative for malignancy"}`},
		{"TX repetitions and \\.br\\ are lines",
			`OBX|1|TX|1^x^L||Line one\.br\Line two~  indented three||||||F`, `{"valueString":"Line one\nLine two\n  indented three"}`},
		{"FT with escapes", `OBX|1|FT|1^x^L||A \T\ B \S\ C||||||F`, `{"valueString":"A \u0026 B ^ C"}`},
		{"CWE", "OBX|1|CWE|1^x^L||260385009^Negative^SCT|||N|||F",
			`{"interpretation":[{"coding":[{"code":"N","display":"Normal","system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"}]}],"valueCodeableConcept":{"coding":[{"code":"260385009","display":"Negative","system":"http://snomed.info/sct"}]}}`},
		{"SN plain", "OBX|1|SN|1^x^L||^182|mg/dl|||||F", `{"valueQuantity":{"unit":"mg/dl","value":182}}`},
		{"SN comparator", "OBX|1|SN|1^x^L||>^60|mL/min/{1.73_m2}^^UCUM|||||F", `{"valueQuantity":{"code":"mL/min/{1.73_m2}","comparator":"\u003e","system":"http://unitsofmeasure.org","unit":"mL/min/{1.73_m2}","value":60}}`},
		{"SN ratio", "OBX|1|SN|1^x^L||^1^:^160||||||F", `{"valueRatio":{"denominator":{"value":160},"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/originalText","valueString":"1 : 160"}],"numerator":{"value":1}}}`},
		{"SN range", "OBX|1|SN|1^x^L||^0^-^5|/[HPF]^^UCUM|||||F", `{"valueRange":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/originalText","valueString":"0 - 5"}],"high":{"code":"/[HPF]","system":"http://unitsofmeasure.org","unit":"/[HPF]","value":5},"low":{"code":"/[HPF]","system":"http://unitsofmeasure.org","unit":"/[HPF]","value":0}}}`},
		{"SN plus: string", "OBX|1|SN|1^x^L||^2^+||||||F", `{"valueString":"2 +"}`},
		{"SN unsplit comparator", "OBX|1|SN|1^x^L||<0.10|kU/L|||||F", `{"valueQuantity":{"comparator":"\u003c","unit":"kU/L","value":0.10}}`},
		{"SN not-equal: string with units", "OBX|1|SN|1^x^L||<>^5|kU/L|||||F", `{"valueString":"\u003c\u003e 5 kU/L"}`},
		{"DT", "OBX|1|DT|1^x^L||20240301||||||F", `{"valueDateTime":"2024-03-01"}`},
		{"TM", "OBX|1|TM|1^x^L||1430||||||F", `{"valueTime":"14:30:00"}`},
		{"NR", "OBX|1|NR|1^x^L||3.5^5.0||||||F", `{"valueRange":{"high":{"value":5.0},"low":{"value":3.5}}}`},
		{"unknown type: string", "OBX|1|ZZ|1^x^L||odd^value||||||F", `{"valueString":"odd^value"}`},
		{"repeating NM: components", "OBX|1|NM|8867-4^Heart rate^LN||72~75|/min^^UCUM|||||F",
			`{"component":[{"code":{"coding":[{"code":"8867-4","display":"Heart rate","system":"http://loinc.org"}]},"valueQuantity":{"code":"/min","system":"http://unitsofmeasure.org","unit":"/min","value":72}},{"code":{"coding":[{"code":"8867-4","display":"Heart rate","system":"http://loinc.org"}]},"valueQuantity":{"code":"/min","system":"http://unitsofmeasure.org","unit":"/min","value":75}}]}`},
		{"not asked: data absent", "OBX|1|NM|1^x^L||||||||N", `{"dataAbsentReason":{"coding":[{"code":"not-asked","display":"Not Asked","system":"http://terminology.hl7.org/CodeSystem/data-absent-reason"}]}}`},
		{"RP: url in the valueAttachment extension",
			"OBX|1|RP|11529-5^Path report^LN||https://pacs.example.org/doc/1^^IM^JPEG||||||F",
			`{"extension":[{"url":"http://hl7.org/fhir/5.0/StructureDefinition/extension-Observation.value","valueAttachment":{"contentType":"image/jpeg","url":"https://pacs.example.org/doc/1"}}]}`},
		{"RP without a URI: string",
			"OBX|1|RP|11529-5^Path report^LN||report-0001.pdf^^AP^PDF||||||F",
			`{"valueString":"report-0001.pdf"}`},
		{"ED base64: valueAttachment extension", "OBX|1|ED|1^x^L||^AP^pdf^Base64^JVBERi0xLjQ=||||||F",
			`{"extension":[{"url":"http://hl7.org/fhir/5.0/StructureDefinition/extension-Observation.value","valueAttachment":{"contentType":"application/pdf","data":"JVBERi0xLjQ="}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, w := obxJSON(t, tc.obx)
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			_ = w
		})
	}
}

func TestOBX_StatusAndWarnings(t *testing.T) {
	r, msg := testRun(t, Options{}, "PID|1||1^^^A", "OBR|1||F1^LAB|1^x^L|||20240501||||||||||||||||||F",
		"OBX|1|NM|1^x^L||5||||||C", "OBX|2|NM|2^y^L||abc||||||", "OBX|3|NM|3^z^L||1||||||Q")
	p := r.pid(msg.Segment("PID"), 1)
	o := r.obr(msg.Segment("OBR"), nil, 1, p, ref{}, msg.Segments[3:])
	obx := msg.All("OBX")
	var statuses []string
	for i, s := range obx {
		statuses = append(statuses, r.obx(s, i+1, obxContext{pat: p, order: o}).Status)
	}
	if diff := cmp.Diff([]string{"corrected", "unknown", "unknown"}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	var fields []string
	for _, w := range r.warnings {
		fields = append(fields, w.Field)
	}
	if diff := cmp.Diff([]string{"OBX[2]-11", "OBX[2]-5", "OBX[3]-11"}, fields); diff != "" {
		t.Errorf("warned fields (-want +got):\n%s", diff)
	}
}

func TestEncounterStatus(t *testing.T) {
	for _, tc := range []struct {
		trigger, class string
		discharged     bool
		want           string
	}{
		{"A01", "I", false, "in-progress"},
		{"A03", "I", false, "finished"},
		{"A03", "I", true, "finished"},
		{"A04", "O", false, "planned"},
		{"A08", "I", false, "in-progress"},
		{"A08", "I", true, "finished"},
		{"A08", "P", false, "planned"},
		{"A11", "I", true, "cancelled"},
		{"A13", "I", true, "in-progress"},
		{"A01", "I", true, "finished"},
		{"R01", "Z", false, "unknown"},
	} {
		if got := encounterStatus(tc.trigger, tc.class, tc.discharged); got != tc.want {
			t.Errorf("encounterStatus(%s, %s, %v) = %s, want %s", tc.trigger, tc.class, tc.discharged, got, tc.want)
		}
	}
}
