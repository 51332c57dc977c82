package bus

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// The nats-server binary the external-server tests run, built by TestMain.
var (
	natsServerBin string
	natsServerErr error
)

const natsServerModule = "github.com/nats-io/nats-server/v2"

// buildNATSServer builds the nats-server version in go.mod, from the
// module cache, into the user cache dir, where later runs find it.
func buildNATSServer() (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	out, err := exec.Command(goTool, "list", "-m", "-f", "{{.Version}}", natsServerModule).Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", natsServerModule, err)
	}
	version := strings.TrimSpace(string(out))
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "switchboard-test")
	bin := filepath.Join(dir, fmt.Sprintf("nats-server-%s-%s-%s", version, runtime.GOOS, runtime.GOARCH))
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Build beside the target and rename, so a concurrent run never
	// executes a half-written binary.
	tmp := fmt.Sprintf("%s.%d.tmp", bin, os.Getpid())
	out, err = exec.Command(goTool, "build", "-o", tmp, natsServerModule).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", natsServerModule, err, out)
	}
	return bin, os.Rename(tmp, bin)
}

// natsProcess is nats-server running as a separate process, as in production.
type natsProcess struct {
	t        testing.TB
	port     int
	storeDir string
	cmd      *exec.Cmd
}

func newNATSProcess(t testing.TB) *natsProcess {
	t.Helper()
	if natsServerErr != nil {
		t.Fatalf("nats-server binary: %v", natsServerErr)
	}
	p := &natsProcess{t: t, port: freePort(t), storeDir: t.TempDir()}
	t.Cleanup(p.kill)
	return p
}

func (p *natsProcess) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", p.port) }

// start runs the server and waits until it accepts connections.
func (p *natsProcess) start() {
	p.t.Helper()
	log, err := os.Create(filepath.Join(p.t.TempDir(), "nats-server.log"))
	if err != nil {
		p.t.Fatal(err)
	}
	defer log.Close() // the child keeps its own descriptor
	p.cmd = exec.Command(natsServerBin, "-js", "-sd", p.storeDir, "-a", "127.0.0.1", "-p", strconv.Itoa(p.port))
	p.cmd.Stdout, p.cmd.Stderr = log, log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port))
	eventually(p.t, 10*time.Second, "nats-server accepts connections", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// kill ends the process abruptly, as a crash or a lost host would.
func (p *natsProcess) kill() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	p.cmd = nil
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestExternal_ReconnectsAfterServerRestart(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		name := "same store"
		if fresh {
			name = "lost store, streams recreated"
		}
		t.Run(name, func(t *testing.T) {
			srv := newNATSProcess(t)
			srv.start()
			b := startTestBus(t, Options{URL: srv.url(), AckTimeout: time.Minute})
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

			srv.kill()
			eventually(t, 10*time.Second, "Connected() false", func() bool { return !b.Connected() })
			if _, err := held.Wait(ctx); !errors.Is(err, ErrNotConnected) {
				t.Errorf("in-flight publish: err = %v, want ErrNotConnected", err)
			}
			if _, err := b.Publish(ctx, "fhir.t.ADT.A01", []byte("b"), Header{MsgID: "down"}); !errors.Is(err, ErrNotConnected) {
				t.Errorf("publish while down: err = %v, want ErrNotConnected", err)
			}

			if fresh {
				srv.storeDir = t.TempDir()
			}
			srv.start()
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
	srv := newNATSProcess(t)
	b := startTestBus(t, Options{URL: srv.url()})
	ctx := testContext(t)

	if b.Connected() {
		t.Fatal("Connected() = true with no server")
	}
	if _, err := b.Publish(ctx, "fhir.t.ADT.A01", nil, Header{MsgID: "early"}); !errors.Is(err, ErrNotConnected) {
		t.Errorf("publish before the server starts: err = %v, want ErrNotConnected", err)
	}
	srv.start()
	if ack := publishEventually(t, b, "late"); ack.Stream != "FHIR" || ack.Seq != 1 {
		t.Errorf("ack = %+v, want FHIR seq 1", ack)
	}
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
