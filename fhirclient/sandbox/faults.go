package sandbox

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// faultState is the live fault configuration and its counters.
type faultState struct {
	mu      sync.Mutex
	f       Faults
	limiter *rate.Limiter // nil when RateLimit is off
	n       int64         // authenticated FHIR requests since the last SetFaults
}

func newFaultState(f Faults) *faultState {
	fs := &faultState{}
	fs.set(f)
	return fs
}

func (fs *faultState) set(f Faults) {
	if f.RetryAfter <= 0 {
		f.RetryAfter = defaultRetryAfter
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.f, fs.n, fs.limiter = f, 0, nil
	if f.RateLimit > 0 {
		fs.limiter = rate.NewLimiter(rate.Limit(f.RateLimit), max(1, int(f.RateLimit)))
	}
}

// SetFaults changes the faults at run time (a fresh token bucket, and the
// Every429/Every5xx count starts again). Safe for concurrent use.
func (s *Server) SetFaults(f Faults) { s.faults.set(f) }

// fault is the verdict for one request.
type fault struct {
	status     int           // 0: serve normally
	retryAfter time.Duration // for 429 and 503
	asDate     bool          // send Retry-After as an HTTP-date
}

// next decides the fate of an authenticated FHIR request: the rate
// limit first (it is what a busy EHR does), then Every429, then Every5xx.
func (fs *faultState) next(now time.Time) fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.n++
	f := fs.f
	if fs.limiter != nil {
		res := fs.limiter.ReserveN(now, 1)
		if wait := res.DelayFrom(now); wait > 0 {
			res.CancelAt(now)
			return fault{http.StatusTooManyRequests, max(f.RetryAfter, wait), f.RetryAfterDate}
		}
	}
	if f.Every429 > 0 && fs.n%int64(f.Every429) == 0 {
		return fault{http.StatusTooManyRequests, f.RetryAfter, f.RetryAfterDate}
	}
	if f.Every5xx > 0 && fs.n%int64(f.Every5xx) == 0 {
		return fault{http.StatusServiceUnavailable, f.RetryAfter, f.RetryAfterDate}
	}
	return fault{}
}

// latency returns the configured delay.
func (fs *faultState) latency() time.Duration {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.f.Latency
}

// delay waits out the configured latency, or until the client gives up.
func (s *Server) delay(r *http.Request) {
	d := s.faults.latency()
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-s.stopping:
	}
}

// writeFault answers a request the faults picked.
func (s *Server) writeFault(w http.ResponseWriter, f fault, now time.Time) {
	secs := max(1, int64(math.Ceil(f.retryAfter.Seconds())))
	if f.asDate {
		// An HTTP-date has whole seconds: round up so that a client waiting
		// until then waits at least the interval.
		at := now.Add(time.Duration(secs)*time.Second + time.Second - 1).Truncate(time.Second)
		w.Header().Set("Retry-After", at.UTC().Format(http.TimeFormat))
	} else {
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	if f.status == http.StatusTooManyRequests {
		s.stats.throttled.Add(1)
		writeOutcome(w, f.status, "throttled", "too many requests: retry after %d s", secs)
		return
	}
	s.stats.transient.Add(1)
	writeOutcome(w, f.status, "transient", "the server is temporarily unavailable: retry after %d s", secs)
}
