package fhirclient_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/fhirclient"
)

func TestManifest_Decoding(t *testing.T) {
	files := `"output":[{"type":"Patient","url":"https://x/p.ndjson","count":3}],"error":[{"type":"OperationOutcome","url":"https://x/e.ndjson"}]`
	for _, tc := range []struct {
		name, json string
		requires   bool
		when       time.Time
		raw        string
		bad        bool
	}{
		{"bool true", `{"transactionTime":"2026-03-04T05:06:07.891+02:00","requiresAccessToken":true,` + files + `}`,
			true, time.Date(2026, 3, 4, 3, 6, 7, 891e6, time.UTC), "2026-03-04T05:06:07.891+02:00", false},
		{"string true (Epic)", `{"transactionTime":"2026-03-04T05:06:07Z","requiresAccessToken":"true",` + files + `}`,
			true, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), "2026-03-04T05:06:07Z", false},
		{"string false", `{"transactionTime":"2026-03-04T05:06:07Z","requiresAccessToken":"false",` + files + `}`,
			false, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), "2026-03-04T05:06:07Z", false},
		{"offset without colon", `{"transactionTime":"2026-03-04T05:06:07.5-0500",` + files + `}`,
			false, time.Date(2026, 3, 4, 10, 6, 7, 5e8, time.UTC), "2026-03-04T05:06:07.5-0500", false},
		{"missing time and flag", `{` + files + `}`, false, time.Time{}, "", false},
		{"flag nonsense", `{"requiresAccessToken":"yes",` + files + `}`, false, time.Time{}, "", true},
		{"time nonsense", `{"transactionTime":"yesterday",` + files + `}`, false, time.Time{}, "", true},
		{"date only", `{"transactionTime":"2026-03-04",` + files + `}`, false, time.Time{}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m fhirclient.Manifest
			err := json.Unmarshal([]byte(tc.json), &m)
			if tc.bad {
				if err == nil {
					t.Fatalf("decoded %+v, want an error", m)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.RequiresAccessToken != tc.requires || !m.TransactionTime.Equal(tc.when) || m.TransactionTimeRaw != tc.raw {
				t.Errorf("requires %v time %v raw %q; want %v %v %q", m.RequiresAccessToken, m.TransactionTime, m.TransactionTimeRaw, tc.requires, tc.when, tc.raw)
			}
			if len(m.Output) != 1 || m.Output[0] != (fhirclient.ExportFile{Type: "Patient", URL: "https://x/p.ndjson", Count: 3}) ||
				len(m.Error) != 1 || m.Error[0].Type != "OperationOutcome" || m.Deleted != nil {
				t.Errorf("files: %+v %+v %+v", m.Output, m.Error, m.Deleted)
			}
		})
	}
}
