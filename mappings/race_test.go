package mappings

import (
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// raceSummary writes a us-core-race or us-core-ethnicity extension as
// "omb=2106-3 det=2131-1 text=White", null flavors as omb=UNK.
func raceSummary(e fhir.Extension) string {
	var parts []string
	for _, s := range e.Extension {
		switch s.URL {
		case "ombCategory":
			parts = append(parts, "omb="+s.ValueCoding.Code)
		case "detailed":
			parts = append(parts, "det="+s.ValueCoding.Code)
		case "text":
			parts = append(parts, "text="+*s.ValueString)
		default:
			parts = append(parts, "?"+s.URL)
		}
	}
	return strings.Join(parts, " ")
}

// mapPID maps an A04 whose PID carries pid10 and pid22, validates it (the
// US Core race checks of helpers_test.go included) and returns the Patient
// and the warnings.
func mapPID(t *testing.T, pid10, pid22 string) (*fhir.Patient, []Warning) {
	t.Helper()
	text := "MSH|^~\\&|ADT|HOSP|||20240501103000||ADT^A04|C1|P|2.5.1\n" +
		"PID|1||MRN1^^^HOSP^MR||Doe^Jane||19800101|F||" + pid10 + "||||||||||||" + pid22 + "\n"
	m := mustMapper(t, Options{})
	msg := parse(t, text)
	if got := msg.Segment("PID").Field(10).Raw(); got != pid10 {
		t.Fatalf("PID-10 is %q, the test meant %q", got, pid10)
	}
	if got := msg.Segment("PID").Field(22).Raw(); got != pid22 {
		t.Fatalf("PID-22 is %q, the test meant %q", got, pid22)
	}
	out, err := m.MapJSON(msg)
	if err != nil {
		t.Fatal(err)
	}
	validateBundle(t, "A04", out)
	b, ws, err := m.MapWarnings(msg)
	if err != nil {
		t.Fatal(err)
	}
	ps := all[*fhir.Patient](b)
	if len(ps) != 1 {
		t.Fatalf("%d Patients", len(ps))
	}
	return ps[0], ws
}

// extSummary returns the summary of p's extension url, or "".
func extSummary(p *fhir.Patient, url string) string {
	for _, e := range p.Extension {
		if e.URL == url {
			return raceSummary(e)
		}
	}
	return ""
}

func TestPID10_Race(t *testing.T) {
	for _, c := range []struct {
		name, pid10, want string
		warn              bool
	}{
		{"CDC code, HL70005", "2106-3^White^HL70005", "omb=2106-3 text=White", false},
		{"CDC code, CDCREC with a local alternate", "2106-3^White^CDCREC^W^White^L", "omb=2106-3 text=White", false},
		{"CDC code, no system", "2054-5^Black or African American", "omb=2054-5 text=Black or African American", false},
		{"CDC code, OID in CWE.14", "2076-8^NHOPI^99RACE^^^^^^^^^^^2.16.840.1.113883.6.238", "omb=2076-8 text=NHOPI", false},
		{"CDC code, code only", "2106-3", "omb=2106-3 text=White", false},
		{"standard display in the coding, sender's in the text", "2106-3^WHITE^HL70005", "omb=2106-3 text=WHITE", false},
		{"CWE.9 is the text", "2106-3^White^CDCREC^^^^^^Caucasian", "omb=2106-3 text=Caucasian", false},
		{"multiple races", "2106-3^White^HL70005~2028-9^Asian^HL70005", "omb=2106-3 omb=2028-9 text=White, Asian", false},
		{"the same race twice", "W~2106-3^White^CDCREC", "omb=2106-3 text=White", false},
		{"letter W", "W", "omb=2106-3 text=White", false},
		{"letter B under HL70005", "B^Black^HL70005", "omb=2054-5 text=Black", false},
		{"letter in lower case", "a", "omb=2028-9 text=Asian", false},
		{"letter I", "I^American Indian", "omb=1002-5 text=American Indian", false},
		{"letter O: Other Race is detailed", "O", "det=2131-1 text=Other Race", false},
		{"letter H: Hispanic is no race", "H^Hispanic", "text=Hispanic", false},
		{"letter under a local system is not the table's", "W^White^L", "text=White", false},
		{"Other Race code", "2131-1^Other Race^CDCREC", "det=2131-1 text=Other Race", false},
		{"detailed race rolls up to its OMB category", "2034-7^Chinese^CDCREC", "omb=2028-9 det=2034-7 text=Chinese", false},
		{"detailed race and its category sent", "2028-9^Asian^CDCREC~2034-7^Chinese^CDCREC", "omb=2028-9 det=2034-7 text=Asian, Chinese", false},
		{"detailed race this package does not list", "2031-3^Bangladeshi^CDCREC", "det=2031-3 text=Bangladeshi", false},
		{"an ethnicity code is no race", "2135-2^Hispanic or Latino^CDCREC", "text=Hispanic or Latino", false},
		{"text only", "^Caucasian", "text=Caucasian", false},
		{"text in CWE.1", "Caucasian", "text=Caucasian", false},
		{"unknown letter C", "C", "text=C", false},
		{"unknown number", "4", "text=4", false},
		{"unknown beside a known race", "2106-3^White^HL70005~X^Martian^L", "omb=2106-3 text=White, Martian", false},
		{"UNK", "UNK", "omb=UNK text=Unknown", false},
		{"UNK under NULLFL", "UNK^Unknown^NULLFL", "omb=UNK text=Unknown", false},
		{"ASKU", "ASKU^Declined^NULLFL", "omb=ASKU text=Declined", false},
		{"U letter", "U^Unknown^HL70005", "omb=UNK text=Unknown", false},
		{"UNK and ASKU: the first", "UNK~ASKU", "omb=UNK text=Unknown, Asked but no answer", false},
		{"UNK beside a race: the race alone", "2106-3^White^CDCREC~UNK^Unknown^NULLFL", "omb=2106-3 text=White, Unknown", false},
		{"explicit null", `""`, "", false},
		{"empty components", "^^HL70005", "", false},
		{"escaped text", `^Pacific \T\ other`, "text=Pacific & other", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, ws := mapPID(t, c.pid10, "")
			if got := extSummary(p, extUSCoreRace); got != c.want {
				t.Errorf("race %q, want %q", got, c.want)
			}
			if extSummary(p, extUSCoreEthnicity) != "" {
				t.Error("an ethnicity extension without PID-22")
			}
			if w := hasWarning(ws, "PID-10"); w != c.warn {
				t.Errorf("warning on PID-10: %v, want %v (%v)", w, c.warn, ws)
			}
		})
	}
}

func TestPID22_Ethnicity(t *testing.T) {
	for _, c := range []struct {
		name, pid22, want string
		warn              bool
	}{
		{"H", "H^Hispanic or Latino^HL70189", "omb=2135-2 text=Hispanic or Latino", false},
		{"N, code only", "N", "omb=2186-5 text=Not Hispanic or Latino", false},
		{"N with a stray sub-component", "N^ Not Hispanic or Latino&HL70189", "omb=2186-5 text=Not Hispanic or Latino", false},
		{"U", "U^Unknown^HL70189", "omb=UNK text=Unknown", false},
		{"CDC code without a system", "2186-5^Not Hispanic or Latino", "omb=2186-5 text=Not Hispanic or Latino", false},
		{"CDC code under CDCREC", "2135-2^Hispanic or Latino^CDCREC", "omb=2135-2 text=Hispanic or Latino", false},
		{"detailed ethnicity rolls up", "2148-5^Mexican^CDCREC", "omb=2135-2 det=2148-5 text=Mexican", false},
		{"N and U: N alone", "N^Not Hispanic or Latino^HL70189^NH^Non hispanic^L~U^Unknown^HL70189", "omb=2186-5 text=Not Hispanic or Latino, Unknown", false},
		{"H and N: one category only", "H~N", "omb=2135-2 text=Hispanic or Latino, Not Hispanic or Latino", true},
		{"ASKU", "ASKU", "omb=ASKU text=Asked but no answer", false},
		{"a race code is no ethnicity", "2106-3^White^CDCREC", "text=White", false},
		{"text only", "^Latina", "text=Latina", false},
		{"unknown code", "X^Other^L", "text=Other", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, ws := mapPID(t, "", c.pid22)
			if got := extSummary(p, extUSCoreEthnicity); got != c.want {
				t.Errorf("ethnicity %q, want %q", got, c.want)
			}
			if w := hasWarning(ws, "PID-22"); w != c.warn {
				t.Errorf("warning on PID-22: %v, want %v (%v)", w, c.warn, ws)
			}
		})
	}
}

// Race before ethnicity, each with its own extension.
func TestPID10_22_Together(t *testing.T) {
	p, _ := mapPID(t, "2106-3^White^HL70005~2028-9^Asian^HL70005", "N^NOT HISPANIC OR LATINO^HL70189")
	var got []string
	for _, e := range p.Extension {
		got = append(got, e.URL+" "+raceSummary(e))
	}
	want := []string{
		extUSCoreRace + " omb=2106-3 omb=2028-9 text=White, Asian",
		extUSCoreEthnicity + " omb=2186-5 text=NOT HISPANIC OR LATINO",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("extensions\n%q\nwant\n%q", got, want)
	}
}

// The checks validateBundle runs on the extensions catch what US Core
// forbids.
func TestUSCoreRaceChecks(t *testing.T) {
	omb := func(sys, code string) map[string]any {
		return map[string]any{"url": "ombCategory", "valueCoding": map[string]any{"system": sys, "code": code}}
	}
	text := map[string]any{"url": "text", "valueString": "x"}
	for _, c := range []struct {
		name string
		v    *demographic
		subs []any
		want string
	}{
		{"valid", raceVocab, []any{omb(sysCDCREC, "2106-3"), text}, ""},
		{"no text", raceVocab, []any{omb(sysCDCREC, "2106-3")}, "0 text"},
		{"two texts", raceVocab, []any{text, text}, "2 text"},
		{"not an OMB race", raceVocab, []any{omb(sysCDCREC, "2131-1"), text}, "not an OMB category"},
		{"an ethnicity in race", raceVocab, []any{omb(sysCDCREC, "2135-2"), text}, "not an OMB category"},
		{"a v2 code", raceVocab, []any{omb(sysV2Prefix+"0005", "W"), text}, "not an OMB category"},
		{"UNK beside a race", raceVocab, []any{omb(sysCDCREC, "2106-3"), omb(sysNullFlavor, "UNK"), text}, "beside"},
		{"two ethnicities", ethnicityVocab, []any{omb(sysCDCREC, "2135-2"), omb(sysCDCREC, "2186-5"), text}, "at most 1"},
		{"a race in ethnicity", ethnicityVocab, []any{omb(sysCDCREC, "2106-3"), text}, "not an OMB category"},
		{"detailed without CDCREC", raceVocab, []any{map[string]any{"url": "detailed", "valueCoding": map[string]any{"code": "2034-7"}}, text}, "not a CDC"},
		{"another sub-extension", raceVocab, []any{map[string]any{"url": "other", "valueString": "x"}, text}, "sub-extension"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := strings.Join(usCoreRaceProblems("race", map[string]any{"extension": c.subs}, c.v), "; ")
			if c.v == ethnicityVocab {
				got = strings.Join(usCoreRaceProblems("ethnicity", map[string]any{"extension": c.subs}, c.v), "; ")
			}
			if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
				t.Errorf("problems %q, want %q", got, c.want)
			}
		})
	}
}

// Every sample that carries PID-10 (PID-22) gets a race (ethnicity)
// extension on its Patient; TestMap_EverySampleValidatesAgainstR4 checks
// their content.
func TestUSCoreDemographics_Samples(t *testing.T) {
	m := mustMapper(t, Options{})
	races := 0
	for _, s := range samples(t) {
		if s.name == unparseable || unsupported[s.name] {
			continue
		}
		msg, err := hl7.Parse(s.data)
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.Map(msg)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		first := msg.Segment("PID")
		ps := all[*fhir.Patient](b)
		if first == nil || len(ps) == 0 {
			continue
		}
		for _, f := range []struct {
			n   int
			url string
		}{{10, extUSCoreRace}, {22, extUSCoreEthnicity}} {
			v := first.Field(f.n)
			has := extSummary(ps[0], f.url) != ""
			if want := !v.IsEmpty() && !v.IsNull(); has != want {
				t.Errorf("%s: PID-%d %q: extension %v", s.name, f.n, v.Raw(), has)
			}
			if has && f.n == 10 {
				races++
			}
		}
	}
	if races < 10 {
		t.Errorf("only %d samples with race", races)
	}
}

// A PID without PID-10 and PID-22 costs no allocation here.
func TestUSCoreDemographics_NoFieldsNoAllocations(t *testing.T) {
	r, msg := testRun(t, Options{}, "PID|1||MRN1^^^HOSP^MR||Doe^Jane||19800101|F")
	p := &fhir.Patient{}
	if n := testing.AllocsPerRun(100, func() { r.usCoreDemographics(msg.Segment("PID"), 1, p) }); n != 0 {
		t.Errorf("%v allocations without PID-10 and PID-22", n)
	}
	if p.Extension != nil {
		t.Errorf("extensions %v", p.Extension)
	}
}
