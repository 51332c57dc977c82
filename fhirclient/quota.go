package fhirclient

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Quota is a tenant's client-side call budget, kept below what the
// customer's EHR allows so that the EHR never has to throttle us.
type Quota struct {
	Rate  float64 // calls per second; 0 = unlimited
	Burst int     // calls allowed at once above Rate; default max(1, Rate)
	Daily int     // calls per UTC day; 0 = unlimited
}

// quota enforces a Quota: calls wait for the rate, and fail with
// ErrQuotaExhausted once the day's cap is reached.
type quota struct {
	limiter *rate.Limiter // nil = unlimited
	daily   int

	mu    sync.Mutex
	day   string // the UTC date counted
	calls int
}

func newQuota(q Quota) *quota {
	qq := &quota{daily: q.Daily}
	if q.Rate > 0 {
		burst := q.Burst
		if burst <= 0 {
			burst = max(1, int(q.Rate))
		}
		qq.limiter = rate.NewLimiter(rate.Limit(q.Rate), burst)
	}
	return qq
}

// wait takes one call from the budget, waiting for the rate as needed.
func (q *quota) wait(ctx context.Context) error {
	if q.daily > 0 {
		q.mu.Lock()
		today := time.Now().UTC().Format(time.DateOnly)
		if q.day != today {
			q.day, q.calls = today, 0
		}
		if q.calls >= q.daily {
			q.mu.Unlock()
			return ErrQuotaExhausted
		}
		q.calls++
		q.mu.Unlock()
	}
	if q.limiter == nil {
		return nil
	}
	return q.limiter.Wait(ctx)
}
