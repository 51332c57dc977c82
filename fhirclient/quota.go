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

// wait takes one call from the budget, waiting for the rate as needed. A
// call is charged to the day only once it may go.
func (q *quota) wait(ctx context.Context) error {
	if !q.take(false) {
		return ErrQuotaExhausted
	}
	if q.limiter != nil {
		if err := q.limiter.Wait(ctx); err != nil {
			return err
		}
	}
	if !q.take(true) {
		return ErrQuotaExhausted
	}
	return nil
}

// take reports whether the day's cap leaves room for a call, and counts
// it when charge is set.
func (q *quota) take(charge bool) bool {
	if q.daily <= 0 {
		return true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if today := time.Now().UTC().Format(time.DateOnly); q.day != today {
		q.day, q.calls = today, 0
	}
	if q.calls >= q.daily {
		return false
	}
	if charge {
		q.calls++
	}
	return true
}
