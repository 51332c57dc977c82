package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/mappings"
)

// ChannelTest is one test in a channel file: a message and what the
// channel must make of it. `switchboard test` runs them offline (no
// listener, no NATS, no EHR: enrichment steps are not run), so interface
// teams keep mappings under version control and in CI.
type ChannelTest struct {
	Name     string   `yaml:"name" doc:"what the test shows"`
	Input    string   `yaml:"input" doc:"HL7 v2 file, relative to the channel file"`
	Filtered *bool    `yaml:"filtered" doc:"true: the channel's filter must drop the message; false: it must pass"`
	Error    string   `yaml:"error" doc:"the mapping must fail with an error containing this text"`
	Warnings *int     `yaml:"warnings" doc:"exact number of mapping warnings expected"`
	Expect   []Expect `yaml:"expect" doc:"assertions on the FHIR Bundle"`
}

// Expect is one assertion on the values a FHIR path selects in the Bundle
// (see fhir.Path: Patient.identifier.value, Observation[1].status,
// Patient.extension(url).valueString). Give one of equals, exists, count.
type Expect struct {
	Path   string  `yaml:"path" doc:"FHIR path, e.g. Patient.identifier.value"`
	Equals *string `yaml:"equals" doc:"some selected value equals this (numbers and booleans as JSON writes them)"`
	Exists *bool   `yaml:"exists" doc:"whether the path selects anything"`
	Count  *int    `yaml:"count" doc:"how many values the path selects"`

	path fhir.Path
}

// TestResult is the outcome of one channel test.
type TestResult struct {
	Channel, Name string
	Failures      []string // empty when the test passed
}

// validateTests checks the tests' paths and inputs at load.
func (ch *Channel) validateTests(errs *errorList) {
	at := ch.lines.line
	for i := range ch.Tests {
		tc, p := &ch.Tests[i], fmt.Sprintf("tests[%d]", i)
		if tc.Name == "" {
			errs.add(at(p), "test %d needs a name", i+1)
		}
		if tc.Input == "" {
			errs.add(at(p), "test %q needs input: an HL7 file relative to the channel file", tc.Name)
		} else if _, err := os.Stat(ch.testFile(tc.Input)); err != nil {
			errs.add(at(p+".input"), "test %q: input %v", tc.Name, err)
		}
		for j := range tc.Expect {
			e, q := &tc.Expect[j], fmt.Sprintf("%s.expect[%d]", p, j)
			path, err := fhir.ParsePath(e.Path)
			if err != nil {
				errs.add(at(q+".path"), "%v", err)
			}
			e.path = path
			if n := countSet(e.Equals != nil, e.Exists != nil, e.Count != nil); n != 1 {
				errs.add(at(q), "expect %q: give exactly one of equals, exists or count", e.Path)
			}
		}
	}
}

func countSet(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func (ch *Channel) testFile(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(ch.File), p)
}

// RunTests runs the channel's tests.
func (ch *Channel) RunTests() ([]TestResult, error) {
	mapper, err := mappings.New(ch.MappingOptions())
	if err != nil {
		return nil, fmt.Errorf("channel %s: mapping: %w", ch.Name, err)
	}
	out := make([]TestResult, 0, len(ch.Tests))
	for i := range ch.Tests {
		tc := &ch.Tests[i]
		out = append(out, TestResult{Channel: ch.Name, Name: tc.Name, Failures: ch.runTest(mapper, tc)})
	}
	return out, nil
}

func (ch *Channel) runTest(mapper *mappings.Mapper, tc *ChannelTest) []string {
	raw, err := os.ReadFile(ch.testFile(tc.Input))
	if err != nil {
		return []string{err.Error()}
	}
	msg, err := hl7.Parse(raw)
	if err != nil {
		return []string{"input does not parse: " + err.Error()}
	}
	var fails []string
	if tc.Filtered != nil {
		pass := true
		if ch.filter != nil {
			if pass, err = ch.filter.Match(msg, ch.Name, ch.Tenant); err != nil {
				return []string{err.Error()}
			}
		}
		if pass == *tc.Filtered {
			fails = append(fails, fmt.Sprintf("filtered: got %v, want %v", !pass, *tc.Filtered))
		}
		if !pass {
			return fails // nothing is mapped for a filtered message
		}
	}
	bundle, warnings, err := mapper.MapJSONWarnings(msg)
	switch {
	case tc.Error != "" && err == nil:
		return append(fails, fmt.Sprintf("mapping succeeded; want an error containing %q", tc.Error))
	case tc.Error != "":
		if !strings.Contains(err.Error(), tc.Error) {
			fails = append(fails, fmt.Sprintf("mapping error %q does not contain %q", err, tc.Error))
		}
		return fails
	case err != nil:
		return append(fails, "mapping failed: "+err.Error())
	}
	if tc.Warnings != nil && len(warnings) != *tc.Warnings {
		fails = append(fails, fmt.Sprintf("%d mapping warnings, want %d: %v", len(warnings), *tc.Warnings, warnings))
	}
	var doc any
	if err := json.Unmarshal(bundle, &doc); err != nil {
		return append(fails, "output is not JSON: "+err.Error())
	}
	for _, e := range tc.Expect {
		if f := e.check(fhir.Select(doc, e.path)); f != "" {
			fails = append(fails, e.Path+": "+f)
		}
	}
	return fails
}

// check returns why got fails e, or "".
func (e *Expect) check(got []any) string {
	switch {
	case e.Exists != nil:
		if (len(got) > 0) != *e.Exists {
			return fmt.Sprintf("selects %d value(s), want exists: %v", len(got), *e.Exists)
		}
	case e.Count != nil:
		if len(got) != *e.Count {
			return fmt.Sprintf("selects %d value(s), want %d", len(got), *e.Count)
		}
	case e.Equals != nil:
		var texts []string
		for _, v := range got {
			t := scalarText(v)
			if t == *e.Equals {
				return ""
			}
			texts = append(texts, strconv.Quote(t))
		}
		return fmt.Sprintf("got [%s], want %q", strings.Join(texts, ", "), *e.Equals)
	}
	return ""
}

// scalarText writes a selected value as a test compares it: strings as
// they are, anything else as JSON.
func scalarText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
