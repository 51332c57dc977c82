package fhirclient

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryableStatus reports whether a response status means "try again
// later": throttled, or a gateway or server that is briefly unavailable.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// RetryAfter reads a Retry-After header, given as delay-seconds or as an
// HTTP-date, and clamps it to [0, limit]. ok is false when the header is
// missing or unreadable (some servers send nonsense): the caller then
// falls back to its own backoff.
func RetryAfter(h http.Header, now time.Time, limit time.Duration) (d time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(limit/time.Second) {
			return limit, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d = t.Sub(now)
	return min(max(d, 0), limit), true
}

// backoff is exponential backoff with jitter: attempt n (from 0) waits a
// random time in [base·2ⁿ/2, base·2ⁿ], at most ceiling. The jitter keeps
// many callers throttled together from coming back together. (Not
// cenkalti/backoff: its Retry owns the loop, and ours interleaves
// Retry-After, a token refresh on 401 and the tenant's quota.)
func backoff(attempt int, base, ceiling time.Duration) time.Duration {
	d := base << min(attempt, 20)
	if d <= 0 || d > ceiling {
		d = ceiling
	}
	return d/2 + rand.N(d/2+1)
}
