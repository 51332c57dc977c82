package engine

import (
	"context"
	"sync"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/bulk"
	"github.com/switchboard-hl7/switchboard/engine/store"
)

// bulkChannel runs a channel whose source is a scheduled Bulk Data
// export. One export runs at a time: an unfinished one (the engine
// stopped midway) resumes first, then a new one starts every interval,
// asking only for what changed since the last export that finished.
type bulkChannel struct {
	e  *Engine
	ch *Channel
}

func (b *bulkChannel) start(ctx context.Context, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		b.loop(ctx)
	}()
}

func (b *bulkChannel) loop(ctx context.Context) {
	log := b.e.log.With("channel", b.ch.Name)
	for ctx.Err() == nil {
		job, err := b.next(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("bulk: cannot start an export; trying again in a minute", "err", err)
			}
			if !sleep(ctx, time.Minute) {
				return
			}
			continue
		}
		if job == nil {
			continue // next() waited for the interval
		}
		sum, err := b.run(ctx, job)
		switch {
		case ctx.Err() != nil:
			return // resumes on the next start
		case err != nil && !bulk.IsCancelled(err):
			// Stopped, not failed (NATS down): the job stays unfinished
			// and the next loop resumes it after a pause.
			// The reason may quote the EHR's text: it is in the job's
			// events (messages show), not in the log.
			log.Warn("bulk: export stopped; it resumes in a minute (switchboard messages show JOB says why)", "job", job.ID)
			if !sleep(ctx, time.Minute) {
				return
			}
		default:
			b.e.metrics.bulkJob(b.ch.Name, sum)
			log.Info("bulk: export ended", "job", job.ID, "status", sum.Status, "files", sum.Files, "failed_files", sum.FailedFiles)
		}
	}
}

// next returns the job to run now: an unfinished one, or a new one once
// the interval since the last has passed (waiting for it, and returning
// nil if the wait was cut short).
func (b *bulkChannel) next(ctx context.Context) (*bulk.Job, error) {
	st := b.e.store
	recent, err := st.Search(ctx, store.Query{Channel: b.ch.Name, Type: bulk.MessageType, Limit: 50})
	if err != nil {
		return nil, err
	}
	var since time.Time
	for _, m := range recent {
		if !m.Status.Final() {
			return bulk.Load(ctx, st, m.ID)
		}
	}
	if len(recent) > 0 {
		wait := time.Until(recent[0].ReceivedAt.Add(b.ch.Source.Bulk.Interval.Std()))
		if wait > 0 {
			sleep(ctx, wait)
			return nil, nil
		}
		if *b.ch.Source.Bulk.Incremental {
			if since, err = lastTransactionTime(ctx, st, recent); err != nil {
				return nil, err
			}
		}
	}
	return bulk.Create(ctx, st, b.ch.Name, b.ch.Source.Bulk.request(b.ch.Tenant, since))
}

// lastTransactionTime is the transactionTime of the newest export that
// finished, or zero when none has (the next export is then a full one).
func lastTransactionTime(ctx context.Context, st store.Store, recent []*store.Message) (time.Time, error) {
	for _, m := range recent {
		if m.Status != store.StatusProcessed {
			continue
		}
		j, err := bulk.Load(ctx, st, m.ID)
		if err != nil {
			return time.Time{}, err
		}
		if j.Manifest != nil {
			return j.Manifest.TransactionTime, nil
		}
	}
	return time.Time{}, nil
}

func (b *bulkChannel) run(ctx context.Context, job *bulk.Job) (*bulk.Summary, error) {
	src := b.ch.Source.Bulk
	return bulk.Run(ctx, job, bulk.Options{
		Store: b.e.store, Client: b.e.tenants[b.ch.Tenant].client,
		Sink:     &bulk.NATSSink{Bus: b.e.bus, Tenant: b.ch.Tenant},
		Parallel: src.Parallel, Invalid: bulk.Invalid(src.OnInvalid), Logger: b.e.log.With("channel", b.ch.Name),
	})
}
