package hl7

import (
	"testing"
	"time"
)

func TestParseDTM(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		in   string
		prec Precision
		want string // RFC 3339 in ny unless the message has an offset
	}{
		{"2024", PrecisionYear, "2024-01-01T00:00:00-05:00"},
		{"202403", PrecisionMonth, "2024-03-01T00:00:00-05:00"},
		{"20240305", PrecisionDay, "2024-03-05T00:00:00-05:00"},
		{"2024030510", PrecisionHour, "2024-03-05T10:00:00-05:00"},
		{"202407051030", PrecisionMinute, "2024-07-05T10:30:00-04:00"},
		{"20240305103015", PrecisionSecond, "2024-03-05T10:30:15-05:00"},
		{"20240305103015.1234", PrecisionFraction, "2024-03-05T10:30:15.1234-05:00"},
		{"20150602100012.43+0100", PrecisionFraction, "2015-06-02T10:00:12.43+01:00"},
		{"198908181126+0215", PrecisionMinute, "1989-08-18T11:26:00+02:15"},
		{"201203141259-0215", PrecisionMinute, "2012-03-14T12:59:00-02:15"},
		{"20240229", PrecisionDay, "2024-02-29T00:00:00-05:00"},
	}
	for _, tt := range tests {
		d, err := ParseDTM(tt.in)
		if err != nil {
			t.Errorf("ParseDTM(%q): %v", tt.in, err)
			continue
		}
		if d.Precision != tt.prec {
			t.Errorf("ParseDTM(%q) precision %d, want %d", tt.in, d.Precision, tt.prec)
		}
		if got := d.Time(ny).Format(time.RFC3339Nano); got != tt.want {
			t.Errorf("ParseDTM(%q).Time = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{"", "24", "196203520", "20230229", "20241301", "20240305256000", "2024-03-05", "20240305.5", "20240305103015.12345", "20240305+01", "20240305+2500", "2024030510301.", "abcd"} {
		if _, err := ParseDTM(in); err == nil {
			t.Errorf("ParseDTM(%q) succeeded, want error", in)
		}
	}
}
