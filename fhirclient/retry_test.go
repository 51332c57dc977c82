package fhirclient

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter_SecondsDatesAndNonsense(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	const limit = 30 * time.Second
	for _, tc := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"3600", limit, true}, // clamped
		{"-5", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
		{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true}, // already past
		{now.Add(time.Hour).Format(http.TimeFormat), limit, true},
		{"Thu, 26 Nov 2026 12:00:05 GMT", 5 * time.Second, true},
	} {
		h := http.Header{}
		if tc.value != "" {
			h.Set("Retry-After", tc.value)
		}
		got, ok := RetryAfter(h, now, limit)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Retry-After %q = %v, %v; want %v, %v", tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoff_GrowsWithJitterUpToTheCeiling(t *testing.T) {
	base, ceiling := 100*time.Millisecond, 2*time.Second
	for attempt := range 8 {
		full := min(base<<attempt, ceiling)
		for range 50 {
			d := backoff(attempt, base, ceiling)
			if d < full/2 || d > full {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, full/2, full)
			}
		}
	}
	if d := backoff(200, base, ceiling); d > ceiling || d < ceiling/2 {
		t.Errorf("attempt 200: %v (overflow?)", d)
	}
}

func TestParseToken_TypeCaseAndExpiry(t *testing.T) {
	issued := time.Now()
	for _, tc := range []struct {
		body  string
		ok    bool
		renew time.Duration // renewAt - issued
	}{
		{`{"access_token":"a","token_type":"Bearer","expires_in":3600}`, true, 59 * time.Minute},
		{`{"access_token":"a","token_type":"bearer","expires_in":"300"}`, true, 4 * time.Minute},
		{`{"access_token":"a","token_type":"BEARER","expires_in":10}`, true, 8 * time.Second},
		{`{"access_token":"a","token_type":"bearer"}`, true, 4 * time.Minute},
		{`{"access_token":"a","token_type":"mac","expires_in":60}`, false, 0},
		{`{"token_type":"bearer","expires_in":60}`, false, 0},
		{`{"access_token":"a","token_type":"bearer","expires_in":"soon"}`, false, 0},
		{`<html>`, false, 0},
	} {
		tok, err := parseToken("t", []byte(tc.body), issued)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%v", tc.body, err, tc.ok)
			continue
		}
		if tc.ok && tok.renewAt.Sub(issued) != tc.renew {
			t.Errorf("%s: renews after %v, want %v", tc.body, tok.renewAt.Sub(issued), tc.renew)
		}
	}
}
