package bulk

import (
	"context"
	"slices"
	"strconv"

	"github.com/nats-io/nats.go"

	"github.com/switchboard-hl7/switchboard/engine/bus"
	"github.com/switchboard-hl7/switchboard/engine/store"
)

// Publisher is the part of bus.Bus a NATSSink uses.
type Publisher interface {
	PublishAsync(ctx context.Context, subject string, data []byte, h bus.Header) (*bus.Pending, error)
}

// NATSSink publishes each resource to fhir.<tenant>.bulk.<ResourceType>
// with Nats-Msg-Id type/id/versionId and the job's id in
// Switchboard-Bulk-Job. A resource counts as delivered once its PubAck
// came back.
type NATSSink struct {
	Bus    Publisher
	Tenant string
}

// Subject is the subject a tenant's resources of one type go to.
func Subject(tenant, resourceType string) string { return "fhir." + tenant + ".bulk." + resourceType }

// OpenFile implements Sink.
func (s *NATSSink) OpenFile(_ context.Context, job int64, _ store.BulkFile) (FileSink, error) {
	return &natsFile{s: s, extra: nats.Header{"Switchboard-Bulk-Job": {strconv.FormatInt(job, 10)}}}, nil
}

type natsFile struct {
	s       *NATSSink
	extra   nats.Header // the same for every resource; the bus only reads it
	typ     string      // the type of the last resource, and its subject:
	subject string      // a file holds one type, so this is built once
	pending []*bus.Pending
}

func (f *natsFile) Put(ctx context.Context, r Resource) error {
	if r.Type != f.typ {
		f.typ, f.subject = r.Type, Subject(f.s.Tenant, r.Type)
	}
	// The bus may resend data until the PubAck: it gets its own copy of
	// the line, which the reader reuses.
	p, err := f.s.Bus.PublishAsync(ctx, f.subject, slices.Clone(r.Line), bus.Header{MsgID: r.MsgID(), Extra: f.extra})
	if err != nil {
		return err
	}
	f.pending = append(f.pending, p)
	return nil
}

func (f *natsFile) Flush(ctx context.Context) (int64, error) {
	for i, p := range f.pending {
		if _, err := p.Wait(ctx); err != nil {
			f.pending = f.pending[i:]
			return 0, err
		}
		f.pending[i] = nil
	}
	f.pending = f.pending[:0]
	return 0, nil
}

func (f *natsFile) Close() error { return nil }
