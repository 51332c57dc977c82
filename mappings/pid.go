package mappings

import (
	"strconv"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// patient is a Patient added to the bundle.
type patient struct {
	ref ref
	id  string
	// res is the Patient, for the segments after the PID (PD1, NK1, MRG)
	// to add to. It may be a discarded copy when the bundle already held
	// a Patient with its id (A40 names one patient twice).
	res *fhir.Patient
}

// isLanguageTag reports whether s looks like a BCP 47 tag: a primary
// language of 2-3 letters, then subtags of letters and digits.
func isLanguageTag(s string) bool {
	for i, part := range strings.Split(s, "-") {
		if len(part) == 0 || len(part) > 8 || i == 0 && (len(part) < 2 || len(part) > 3) {
			return false
		}
		for j := 0; j < len(part); j++ {
			c := part[j] | 0x20
			if !(c >= 'a' && c <= 'z' || i > 0 && part[j] >= '0' && part[j] <= '9') {
				return false
			}
		}
	}
	return true
}

// pid maps a PID segment (the n-th) to a Patient after the IG's
// PID[Patient] map:
//   - identifier: PID-2, every PID-3 repetition, PID-4 (CX), PID-19 (SSN,
//     type SS, system us-ssn), PID-20 (driver's licence, type DL);
//   - name: PID-5 and PID-9 (alias) repetitions;
//   - gender: PID-8 through table 0001; a code the table does not know is
//     dropped with a warning (gender is a required binding);
//   - birthDate: PID-7's date as sent; when PID-7 has a time, the
//     patient-birthTime extension carries the full dateTime (IG);
//   - deceased: PID-29 as dateTime, else PID-30 (Y/N) as boolean;
//   - address: PID-11; PID-12 (county) as the IG places it: the district of
//     the only address when that has none, else an address of its own;
//   - telecom: PID-13 (use home unless XTN.2 says), PID-14 (work), PID-40;
//   - communication: PID-15; maritalStatus: PID-16 through table 0002;
//   - multipleBirth: PID-25 (birth order) as integer, else PID-24 (Y/N);
//   - extension: PID-10 race and PID-22 ethnic group as the US Core 6.1
//     race and ethnicity extensions (race.go); PID-6, PID-17, PID-23,
//     PID-26, PID-28, PID-35/36 and PID-39 as the IG's extensions
//     (pid_ext.go);
//   - PID-18 becomes an Account and PID-21 the mother's RelatedPerson
//     (pid_ext.go).
//
// PID-33/34 (last update) make the Patient's own Provenance (pid_ext.go).
func (r *run) pid(s *hl7.Segment, n int) patient {
	a := func(field int) at { return at{"PID", n, field} }
	p := &fhir.Patient{}
	var key []string
	addCX := func(f hl7.Value, field int) {
		var one [1]hl7.Value
		for _, rep := range r.reps(f, &one) {
			id, auth, ok := r.cx(rep, a(field))
			if !ok {
				continue
			}
			p.Identifier = append(p.Identifier, id)
			if key == nil && field == 3 {
				key = []string{"PID-3", id.Value, auth.key()}
			}
		}
	}
	addCX(s.Field(2), 2)
	addCX(s.Field(3), 3)
	addCX(s.Field(4), 4)
	if key == nil {
		for _, f := range [...]int{2, 4} {
			if id, auth, ok := r.cx(s.Field(f).Rep(1), a(f)); ok {
				key = []string{"PID-" + strconv.Itoa(f), id.Value, auth.key()}
				break
			}
		}
	}
	if ssn := text(s.Field(19)); ssn != "" {
		p.Identifier = append(p.Identifier, fhir.Identifier{
			Type: identifierTypeCC("SS"), System: sysUSSSN, Value: ssn,
		})
	}
	if dl := text(s.Field(20).Component(1)); dl != "" {
		id := fhir.Identifier{Type: identifierTypeCC("DL"), Value: dl}
		if end := r.date(s.Field(20).Component(3), a(20)); end != "" {
			id.Period = &fhir.Period{End: end}
		}
		p.Identifier = append(p.Identifier, id)
	}

	p.Name = r.names(s.Field(5), a(5), nil)
	p.Name = r.names(s.Field(9), a(9), p.Name)

	if g := code(s.Field(8).Component(1)); g != "" {
		if k, ok := administrativeSex.lookup(g); ok {
			p.Gender = k.Code
		} else {
			r.warn(a(8), "sex not in table 0001: gender left out")
		}
	}

	if p.BirthDate = r.date(s.Field(7), a(7)); p.BirthDate != "" {
		if t, err := hl7.ParseDTM(text(s.Field(7).Component(1))); err == nil && t.Precision >= hl7.PrecisionHour {
			if bt := r.dateTime(s.Field(7), a(7)); bt != "" {
				p.BirthDateExt = &fhir.Element{Extension: []fhir.Extension{{
					URL: "http://hl7.org/fhir/StructureDefinition/patient-birthTime", ValueDateTime: &bt,
				}}}
			}
		}
	}

	if dt := r.dateTime(s.Field(29), a(29)); dt != "" {
		p.DeceasedDateTime = &dt
	} else if b, ok := yesNo[code(s.Field(30))]; ok {
		p.DeceasedBoolean = &b
	}

	var one [1]hl7.Value
	for _, rep := range r.reps(s.Field(11), &one) {
		if ad := r.xad(rep, a(11)); ad != nil {
			p.Address = append(p.Address, *ad)
		}
	}
	if county := text(s.Field(12)); county != "" {
		if len(p.Address) == 1 && p.Address[0].District == "" {
			p.Address[0].District = county
		} else if len(p.Address) != 1 || p.Address[0].District != county {
			p.Address = append(p.Address, fhir.Address{District: county})
		}
	}

	p.Telecom = r.telecoms(s.Field(13), "home", a(13), nil)
	p.Telecom = r.telecoms(s.Field(14), "work", a(14), p.Telecom)
	p.Telecom = r.telecoms(s.Field(40), "", a(40), p.Telecom)

	if lang := r.codeable(s.Field(15).Rep(1), ""); lang != nil {
		// The IG's PrimaryLanguage map targets BCP 47 (urn:ietf:bcp:47);
		// table 0296 and ISO 639 codes are such tags (decision: a code that
		// looks like one, sent without another system, is taken as one).
		if c := &lang.Coding; len(*c) > 0 && ((*c)[0].System == "" || (*c)[0].System == sysV2Prefix+"0296") && isLanguageTag((*c)[0].Code) {
			(*c)[0].System = "urn:ietf:bcp:47"
		}
		p.Communication = []fhir.PatientCommunication{{Language: lang}}
	}
	p.MaritalStatus = r.codeableVia(s.Field(16).Rep(1), maritalStatus)

	if o := text(s.Field(25)); allDigits(o) && len(o) < 4 {
		n := atoi(o)
		p.MultipleBirthInteger = &n
	} else if b, ok := yesNo[code(s.Field(24))]; ok {
		p.MultipleBirthBoolean = &b
	}
	r.usCoreDemographics(s, n, p)
	r.pidExtensions(s, n, p)

	var id ident
	enriched := false
	if n == 1 {
		id, enriched = r.enrichPatient(p)
	}
	if !enriched {
		if key == nil {
			// No identifier at all: an id only this message (and its
			// replays) gives, so two unidentified patients never merge.
			key = append(append([]string{"msg"}, r.msgKey...), "PID", strconv.Itoa(n))
			r.warn(a(3), "no patient identifier: the Patient id is only stable for this message")
		}
		id = r.ident("Patient", key...)
		p.ID = id.id
	}
	r.carryPatient(s, p)
	pat := patient{ref: r.add(id, p), id: p.ID, res: p}
	r.account(s, n, pat)
	r.mother(s, n, pat)
	r.patientProvenance(s, n, pat)
	return pat
}
