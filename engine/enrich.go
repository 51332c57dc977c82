package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/fhirclient"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/mappings"
)

// enrichEnd says how enrichment ended for a message.
type enrichEnd int

const (
	enrichOK      enrichEnd = iota // map with what was found
	enrichFailed                   // the message ends in ERROR (reason in the last event)
	enrichStopped                  // the engine is stopping: the message stays pending
)

// enrich runs the channel's steps for msg, in order, and returns what the
// mapper should use plus one message-log event per step. The events hold
// the URLs (patient identifiers: the message log is where PHI belongs);
// the reason it returns for a failed message names the step and what went
// wrong without them, as it reaches stdout logs.
func (p *pipeline) enrich(ctx context.Context, msg *hl7.Message) (*mappings.Enrichment, []store.Event, enrichEnd, string) {
	r := p.r
	if len(r.ch.Enrich) == 0 {
		return nil, nil, enrichOK, ""
	}
	t := r.tenant
	enr := &mappings.Enrichment{BaseURL: t.client.BaseURL()}
	events := make([]store.Event, 0, len(r.ch.Enrich))
	var found map[string]string // step → id of its first match
	for i := range r.ch.Enrich {
		s := &r.ch.Enrich[i]
		if ctx.Err() != nil {
			return nil, events, enrichStopped, ""
		}
		rel, empty := s.tmpl.render(msg, r.ch.Name, r.ch.Tenant, found)
		if empty != "" {
			why := fmt.Sprintf("%s: skipped, %s is empty", s.Name, empty)
			if s.OnMissing == OnErrorFail {
				return nil, append(events, enrichEvent(store.StatusError, why)), enrichFailed, why
			}
			events = append(events, enrichEvent(store.StatusProcessed, why))
			continue
		}
		res, how, took, err := p.lookup(ctx, s, rel)
		if err == nil && s.Use == UsePatient && len(res.matches) > 1 {
			// Taking the first of several would publish one patient's
			// data under another's identity.
			err = fmt.Errorf("%w: %d patients match", errAmbiguous, len(res.matches))
		}
		result := how
		if err != nil {
			result = "error"
		}
		r.e.metrics.enrichments.WithLabelValues(r.ch.Name, s.Name, result).Inc()
		if err != nil {
			if ctx.Err() != nil {
				return nil, events, enrichStopped, ""
			}
			events = append(events, enrichEvent(store.StatusError, fmt.Sprintf("%s: %s %s: %v", s.Name, verb(s), rel, err)))
			if s.OnError == OnErrorContinue {
				continue
			}
			return nil, events, enrichFailed, s.Name + ": " + errSummary(err)
		}
		detail := fmt.Sprintf("%s: %s %s → %d match(es) (%s)", s.Name, verb(s), rel, len(res.matches), source(how, took))
		if len(res.matches) == 0 && s.OnMissing == OnErrorFail {
			return nil, append(events, enrichEvent(store.StatusError, detail+": nothing found")), enrichFailed, s.Name + ": nothing found"
		}
		events = append(events, enrichEvent(store.StatusProcessed, detail))
		use(enr, s, res)
		if len(res.matches) > 0 {
			if found == nil {
				found = make(map[string]string, len(r.ch.Enrich))
			}
			found[s.Name] = res.matches[0].ID
		}
	}
	return enr, events, enrichOK, ""
}

func use(enr *mappings.Enrichment, s *EnrichStep, res lookupResult) {
	switch s.Use {
	case UsePatient:
		if len(res.matches) > 0 {
			enr.Patient, _ = res.matches[0].Resource.(*fhir.Patient) // a Patient step (lint) finds Patients
		}
	case UseInclude:
		enr.Include = append(enr.Include, res.matches[:min(len(res.matches), s.Max)]...)
	}
}

// lookup runs one step through the tenant's cache. With on_error retry,
// a transient failure (throttling, the EHR down) is tried again with
// backoff until retry_for has passed: the message waits, and the worker
// with it, so one patient's events stay in order.
func (p *pipeline) lookup(ctx context.Context, s *EnrichStep, rel string) (lookupResult, string, time.Duration, error) {
	t := p.r.tenant
	start := time.Now()
	for attempt := 0; ; attempt++ {
		res, how, err := t.cache.get(ctx, rel, func(ctx context.Context) (lookupResult, error) {
			return t.fetch(ctx, s.tmpl, rel)
		})
		if err == nil || s.OnError != OnErrorRetry || !transient(err) || time.Since(start) > s.Retry.Std() {
			return res, how, time.Since(start), err
		}
		wait := min(time.Second<<min(attempt, 5), 30*time.Second)
		p.r.e.log.Warn("enrichment failed; the message waits and retries", "channel", p.r.ch.Name, "tenant", t.name, "step", s.Name, "wait", wait, "reason", errSummary(err))
		if !sleep(ctx, wait) {
			return lookupResult{}, how, time.Since(start), ctx.Err()
		}
	}
}

// errAmbiguous: a patient step found more than one Patient.
var errAmbiguous = errors.New("ambiguous")

// transient reports whether waiting may fix err: throttling, a server or
// network failure, a timeout, the day's quota. Anything else (a 400 or
// 403, a refused token, a resource that does not decode, an ambiguous
// match) fails the same way next time, so retrying would only hold the
// channel.
func transient(err error) bool {
	var fe *fhirclient.Error
	var oe *fhirclient.OAuthError
	var ne net.Error
	switch {
	case errors.As(err, &fe):
		return fe.Transient()
	case errors.As(err, &oe):
		return oe.Status == http.StatusTooManyRequests || oe.Status >= 500
	case errors.Is(err, fhirclient.ErrQuotaExhausted), errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &ne):
		return true // refused, reset, timed out
	}
	return false
}

// errSummary describes err for stdout logs and the message's error field:
// HTTP status and OperationOutcome codes, OAuth error codes, never URLs,
// ids or server text that may echo them.
func errSummary(err error) string {
	var fe *fhirclient.Error
	var oe *fhirclient.OAuthError
	var ne net.Error
	switch {
	case errors.As(err, &fe):
		s := fmt.Sprintf("HTTP %d from the EHR", fe.Status)
		if fe.Outcome != nil {
			var codes []string
			for _, is := range fe.Outcome.Issue {
				codes = append(codes, is.Code)
			}
			s += " (OperationOutcome " + strings.Join(codes, ", ") + ")"
		}
		return s
	case errors.As(err, &oe):
		return fmt.Sprintf("token refused: %d %s", oe.Status, oe.Code)
	case errors.Is(err, fhirclient.ErrQuotaExhausted):
		return "daily quota exhausted"
	case errors.Is(err, errAmbiguous):
		return err.Error()
	case errors.As(err, &ne):
		if ne.Timeout() {
			return "EHR timed out"
		}
		return "EHR unreachable"
	}
	return "EHR answer unusable (details in the message log)"
}

// fetch calls the EHR for one step, a read (404 = nothing found) or the
// first page of a search, and decodes what it found.
func (t *tenant) fetch(ctx context.Context, tmpl *urlTemplate, rel string) (lookupResult, error) {
	var found []fhirclient.Resource
	if tmpl.read {
		typ, id, _ := strings.Cut(rel, "/")
		res, err := t.client.Read(ctx, typ, unescapePath(id))
		var fe *fhirclient.Error
		switch {
		case errors.As(err, &fe) && (fe.Status == http.StatusNotFound || fe.Status == http.StatusGone):
			return lookupResult{}, nil
		case err != nil:
			return lookupResult{}, err
		}
		found = []fhirclient.Resource{res}
	} else {
		page, err := t.client.Search(ctx, rel)
		if err != nil {
			return lookupResult{}, err
		}
		found = page.Matches
	}
	out := lookupResult{matches: make([]mappings.EHRResource, 0, len(found))}
	for _, r := range found {
		d, err := mappings.DecodeEHRResource(r.JSON)
		if err != nil {
			// A resource whose known elements have another shape (an
			// EHR release apart from R4) is reported, not dropped silently.
			return lookupResult{}, fmt.Errorf("%s from tenant %s: %w", r.Type, t.name, err)
		}
		out.matches = append(out.matches, d)
	}
	return out, nil
}

func enrichEvent(status store.Status, detail string) store.Event {
	return store.Event{Stage: "enrich", Status: status, Time: time.Now(), Detail: detail}
}

func verb(s *EnrichStep) string {
	if s.tmpl.read {
		return "read"
	}
	return "search"
}

func source(how string, took time.Duration) string {
	switch how {
	case fromCache:
		return "cache hit"
	case fromShared:
		return fmt.Sprintf("shared call, %s", took.Round(time.Microsecond))
	}
	return took.Round(time.Microsecond).String()
}
