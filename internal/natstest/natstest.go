// Package natstest runs the real nats-server as a separate process for
// tests that need an external NATS (the SWITCHBOARD_NATS_URL path) that
// can be killed and restarted like a production server.
package natstest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const module = "github.com/nats-io/nats-server/v2"

var (
	once   sync.Once
	bin    string
	binErr error
)

// Binary returns the path of a nats-server built from the version in
// go.mod (from the module cache, so it works offline), building it once
// into the user cache directory where later runs find it.
func Binary() (string, error) {
	once.Do(func() { bin, binErr = build() })
	return bin, binErr
}

func build() (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	out, err := exec.Command(goTool, "list", "-m", "-f", "{{.Version}}", module).Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", module, err)
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "switchboard-test")
	path := filepath.Join(dir, fmt.Sprintf("nats-server-%s-%s-%s", strings.TrimSpace(string(out)), runtime.GOOS, runtime.GOARCH))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Build beside the target and rename, so a concurrent run never
	// executes a half-written binary.
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	if out, err := exec.Command(goTool, "build", "-o", tmp, module).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", module, err, out)
	}
	return path, os.Rename(tmp, path)
}

// Server is nats-server running as a separate process on 127.0.0.1.
type Server struct {
	t        testing.TB
	Port     int
	StoreDir string
	cmd      *exec.Cmd
}

// New prepares a server on a free port with a temporary JetStream store;
// it is killed when the test ends. Call Start to run it.
func New(t testing.TB) *Server {
	t.Helper()
	if _, err := Binary(); err != nil {
		t.Fatalf("nats-server binary: %v", err)
	}
	s := &Server{t: t, Port: FreePort(t), StoreDir: t.TempDir()}
	t.Cleanup(s.Kill)
	return s
}

// URL is what clients connect to.
func (s *Server) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.Port) }

// Start runs the server and waits until it accepts connections.
func (s *Server) Start() {
	s.t.Helper()
	path, _ := Binary()
	log, err := os.Create(filepath.Join(s.t.TempDir(), "nats-server.log"))
	if err != nil {
		s.t.Fatal(err)
	}
	defer log.Close() // the child keeps its own descriptor
	s.cmd = exec.Command(path, "-js", "-sd", s.StoreDir, "-a", "127.0.0.1", "-p", strconv.Itoa(s.Port))
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("nats-server on %s did not start: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill ends the process abruptly, as a crash or a lost host would.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago, for
// a test that must stop a server and start it again at the same address.
// The port is below the kernel's ephemeral range when it can be: a port
// from that range, released, can be given to any outgoing connection or
// any listener on port 0 before the test binds it again (seen as "address
// already in use" on this shared machine); ports below it are only ever
// taken by an explicit bind.
func FreePort(t testing.TB) int {
	t.Helper()
	low := ephemeralLow()
	for range 50 {
		port := 10000 + rand.IntN(max(low-10000, 1))
		if l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			l.Close()
			return port
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux;
// 32768, its default, elsewhere).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	f := strings.Fields(string(b))
	if len(f) < 1 {
		return 32768
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 10000 {
		return 32768
	}
	return n
}
