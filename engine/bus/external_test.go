package bus

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/switchboard-hl7/switchboard/internal/natstest"
)

func TestExternal_ReconnectsAfterServerRestart(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		name := "same store"
		if fresh {
			name = "lost store, streams recreated"
		}
		t.Run(name, func(t *testing.T) {
			srv := natstest.New(t)
			srv.Start()
			b := startTestBus(t, Options{URL: srv.URL(), AckTimeout: time.Minute})
			ctx := testContext(t)

			if got := streamInfo(t, b, "FHIR").Config.Subjects; len(got) != 1 || got[0] != "fhir.>" {
				t.Fatalf("FHIR subjects = %v", got)
			}
			if _, err := b.Publish(ctx, "fhir.t.ADT.A01", []byte("a"), Header{MsgID: "before"}); err != nil {
				t.Fatal(err)
			}
			// A publish nobody acks: the outage must fail it long before AckTimeout.
			if _, err := b.Conn().Subscribe("silent.x", func(*nats.Msg) {}); err != nil {
				t.Fatal(err)
			}
			held, err := b.PublishAsync(ctx, "silent.x", nil, Header{MsgID: "held"})
			if err != nil {
				t.Fatal(err)
			}

			srv.Kill()
			eventually(t, 10*time.Second, "Connected() false", func() bool { return !b.Connected() })
			if _, err := held.Wait(ctx); !errors.Is(err, ErrNotConnected) {
				t.Errorf("in-flight publish: err = %v, want ErrNotConnected", err)
			}
			if _, err := b.Publish(ctx, "fhir.t.ADT.A01", []byte("b"), Header{MsgID: "down"}); !errors.Is(err, ErrNotConnected) {
				t.Errorf("publish while down: err = %v, want ErrNotConnected", err)
			}

			if fresh {
				srv.StoreDir = t.TempDir()
			}
			srv.Start()
			ack := publishEventually(t, b, "after")
			wantSeq := uint64(2)
			if fresh {
				wantSeq = 1
			}
			if ack.Seq != wantSeq {
				t.Errorf("ack after restart = %+v, want Seq %d", ack, wantSeq)
			}
		})
	}
}

func TestExternal_StartWhileServerDownConnectsLater(t *testing.T) {
	srv := natstest.New(t)
	b := startTestBus(t, Options{URL: srv.URL()})
	ctx := testContext(t)

	if b.Connected() {
		t.Fatal("Connected() = true with no server")
	}
	if _, err := b.Publish(ctx, "fhir.t.ADT.A01", nil, Header{MsgID: "early"}); !errors.Is(err, ErrNotConnected) {
		t.Errorf("publish before the server starts: err = %v, want ErrNotConnected", err)
	}
	srv.Start()
	if ack := publishEventually(t, b, "late"); ack.Stream != "FHIR" || ack.Seq != 1 {
		t.Errorf("ack = %+v, want FHIR seq 1", ack)
	}
	// Streams are ensured one after another on connect: FHIR may take
	// publishes a moment before OUTCOMES exists.
	eventually(t, 5*time.Second, "OUTCOMES exists", func() bool {
		_, err := b.JetStream().Stream(ctx, "OUTCOMES")
		return err == nil
	})
	if got := streamInfo(t, b, "OUTCOMES").Config.Duplicates; got != 2*time.Minute {
		t.Errorf("OUTCOMES Duplicates = %v, want 2m", got)
	}
}

// publishEventually retries a publish, as the engine would, until the bus
// has reconnected and ensured its streams.
func publishEventually(t *testing.T, b *Bus, id string) Ack {
	t.Helper()
	var ack Ack
	eventually(t, 15*time.Second, "publish succeeds", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		var err error
		ack, err = b.Publish(ctx, "fhir.t.ADT.A01", []byte(id), Header{MsgID: id})
		return err == nil
	})
	return ack
}
