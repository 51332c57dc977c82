package mllp_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/mllp"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

func TestServer_AnswersSeveralFramesFromOneWriteInOrder(t *testing.T) {
	var inflight atomic.Int32
	var mu sync.Mutex
	var seqs []uint64
	h := mllp.HandlerFunc(func(ctx context.Context, r *mllp.Request) []byte {
		if inflight.Add(1) > 1 {
			t.Error("two handlers ran at once for one connection")
		}
		defer inflight.Add(-1)
		time.Sleep(time.Millisecond) // widen the window a second handler would need
		mu.Lock()
		seqs = append(seqs, r.Seq)
		mu.Unlock()
		return mllptest.BuildAck(r.Message, "AA", "")
	})
	srv := serve(t, &mllp.Server{Handler: h})

	c := mllptest.Dial(t, srv.addr)
	var batch []byte
	for i := 1; i <= 5; i++ {
		batch = append(batch, frame(msg(fmt.Sprintf("M%d", i)))...)
	}
	c.Write(batch)
	for i := 1; i <= 5; i++ {
		if code, id := readAck(t, c); code != "AA" || id != fmt.Sprintf("M%d", i) {
			t.Fatalf("ACK %d = %s for %s, want AA for M%d", i, code, id, i)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(seqs) != "[1 2 3 4 5]" {
		t.Errorf("handler saw Seq %v, want [1 2 3 4 5]", seqs)
	}
}

func TestServer_ReassemblesFrameSplitOverManyWrites(t *testing.T) {
	srv := serve(t, &mllp.Server{Handler: ackFor})
	c := mllptest.Dial(t, srv.addr)
	raw := frame(msg("SPLIT1"))
	for len(raw) > 0 {
		n := min(len(raw), 17)
		c.Write(raw[:n])
		raw = raw[n:]
		time.Sleep(time.Millisecond) // let each piece leave as its own segment
	}
	if code, id := readAck(t, c); code != "AA" || id != "SPLIT1" {
		t.Errorf("ACK = %s for %s, want AA for SPLIT1", code, id)
	}
}

func TestServer_SkipsStrayBytesAndLogsOnlyTheirCount(t *testing.T) {
	logger, logs := newLogger(t)
	events := make(connEvents, 4)
	srv := serve(t, &mllp.Server{Handler: ackFor, Logger: logger, ConnState: events.hook})
	c := mllptest.Dial(t, srv.addr)
	c.Write(append([]byte("GARBAGE\r\n"), frame(msg("S1"))...))
	if code, id := readAck(t, c); code != "AA" || id != "S1" {
		t.Errorf("ACK = %s for %s, want AA for S1", code, id)
	}
	c.Close()
	events.expect(t, mllp.StateNew, mllp.StateClosed)
	out := logs.String()
	if !strings.Contains(out, "skipped_bytes=9") || strings.Contains(out, "GARBAGE") {
		t.Errorf("want the count of stray bytes logged, never the bytes; logs:\n%s", out)
	}
}

func TestServer_CutOffFrameNeverReachesHandler(t *testing.T) {
	var calls atomic.Int32
	h := mllp.HandlerFunc(func(context.Context, *mllp.Request) []byte {
		calls.Add(1)
		return []byte("ACK")
	})
	events := make(connEvents, 4)
	srv := serve(t, &mllp.Server{Handler: h, ConnState: events.hook})
	c := mllptest.Dial(t, srv.addr)
	raw := frame(msg("CUT1"))
	c.Write(raw[:len(raw)-2]) // everything but the end block
	c.Close()
	events.expect(t, mllp.StateNew, mllp.StateClosed)
	if n := calls.Load(); n != 0 {
		t.Errorf("handler called %d times for a cut-off frame, want 0", n)
	}
}

func TestServer_OversizeFrameIsAnsweredThenClosed(t *testing.T) {
	var calls atomic.Int32
	h := mllp.HandlerFunc(func(_ context.Context, r *mllp.Request) []byte {
		calls.Add(1)
		if !errors.Is(r.Err, mllp.ErrFrameTooLarge) {
			t.Errorf("Request.Err = %v, want ErrFrameTooLarge", r.Err)
		}
		if !bytes.HasPrefix(r.Message, []byte("MSH|")) || len(r.Message) > 1024 {
			t.Errorf("Request.Message is %d bytes; want a prefix of at most 1024 starting with MSH", len(r.Message))
		}
		return mllptest.BuildAck(r.Message, "AR", "message too large")
	})
	srv := serve(t, &mllp.Server{Handler: h, MaxMessageSize: 1024})
	c := mllptest.Dial(t, srv.addr)
	big := append(msg("BIG1"), bytes.Repeat([]byte("NTE|1||filler\r"), 300)...)
	c.Write(append(frame(big), frame(msg("AFTER"))...))

	if code, id := readAck(t, c); code != "AR" || id != "BIG1" {
		t.Errorf("reply = %s for %s, want AR for BIG1", code, id)
	}
	if err := c.WaitClosed(wait); err != nil {
		t.Errorf("connection not closed after the over-size reply: %v", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("handler called %d times, want once (the frame after the over-size one is never read)", n)
	}
}

func TestServer_RejectsConnectionsBeyondMaxConnections(t *testing.T) {
	events := make(connEvents, 8)
	srv := serve(t, &mllp.Server{Handler: ackFor, MaxConnections: 1, ConnState: events.hook})

	first := mllptest.Dial(t, srv.addr)
	first.WriteFrame(msg("C1"))
	readAck(t, first)
	events.expect(t, mllp.StateNew)

	second := mllptest.Dial(t, srv.addr)
	if err := second.WaitClosed(wait); err != nil {
		t.Errorf("second connection: %v", err)
	}
	events.expect(t, mllp.StateRejected)

	first.Close()
	events.expect(t, mllp.StateClosed)
	third := mllptest.Dial(t, srv.addr)
	third.WriteFrame(msg("C3"))
	if _, id := readAck(t, third); id != "C3" {
		t.Errorf("after the first connection closed, a new one got ACK for %q, want C3", id)
	}
}

func TestServer_ReadTimeoutClosesStalledHalfFrame(t *testing.T) {
	var calls atomic.Int32
	h := mllp.HandlerFunc(func(context.Context, *mllp.Request) []byte { calls.Add(1); return nil })
	srv := serve(t, &mllp.Server{Handler: h, ReadTimeout: 100 * time.Millisecond})
	c := mllptest.Dial(t, srv.addr)
	c.Write([]byte(sb + "MSH|^~\\&|half a message"))
	if err := c.WaitClosed(wait); err != nil {
		t.Errorf("stalled frame: %v", err)
	}
	if calls.Load() != 0 {
		t.Error("handler called for a frame that never ended")
	}
}

func TestServer_ReadTimeoutDoesNotApplyBetweenFrames(t *testing.T) {
	srv := serve(t, &mllp.Server{Handler: ackFor, ReadTimeout: 50 * time.Millisecond})
	c := mllptest.Dial(t, srv.addr)
	time.Sleep(150 * time.Millisecond) // idle for longer than ReadTimeout
	c.WriteFrame(msg("LATER"))
	if _, id := readAck(t, c); id != "LATER" {
		t.Errorf("ACK for %q, want LATER", id)
	}
}

func TestServer_IdleTimeoutClosesSilentConnection(t *testing.T) {
	srv := serve(t, &mllp.Server{Handler: ackFor, IdleTimeout: 100 * time.Millisecond})
	c := mllptest.Dial(t, srv.addr)
	c.WriteFrame(msg("I1"))
	readAck(t, c)
	if err := c.WaitClosed(wait); err != nil {
		t.Errorf("idle connection: %v", err)
	}
}

func TestServer_HandlerPanicClosesOnlyItsConnection(t *testing.T) {
	h := mllp.HandlerFunc(func(_ context.Context, r *mllp.Request) []byte {
		if bytes.Contains(r.Message, []byte("|BOOM|")) {
			panic("handler failed on " + string(r.Message)) // quotes PHI: must not be logged
		}
		return mllptest.BuildAck(r.Message, "AA", "")
	})
	srv := serve(t, &mllp.Server{Handler: h})
	bad := mllptest.Dial(t, srv.addr)
	bad.WriteFrame(msg("BOOM"))
	if err := bad.WaitClosed(wait); err != nil {
		t.Errorf("connection whose handler panicked: %v", err)
	}
	good := mllptest.Dial(t, srv.addr)
	good.WriteFrame(msg("FINE"))
	if code, id := readAck(t, good); code != "AA" || id != "FINE" {
		t.Errorf("next connection got %s for %s, want AA for FINE", code, id)
	}
}

func TestServer_NilReplySendsNothing(t *testing.T) {
	h := mllp.HandlerFunc(func(_ context.Context, r *mllp.Request) []byte {
		if r.Seq == 1 {
			return nil
		}
		return mllptest.BuildAck(r.Message, "AA", "")
	})
	srv := serve(t, &mllp.Server{Handler: h})
	c := mllptest.Dial(t, srv.addr)
	c.WriteFrame(msg("SILENT"))
	c.WriteFrame(msg("ANSWERED"))
	if _, id := readAck(t, c); id != "ANSWERED" {
		t.Errorf("first reply is for %q, want ANSWERED", id)
	}
}

func TestServer_RequestCarriesConnectionIdentity(t *testing.T) {
	reqs := make(chan mllp.Request, 4)
	h := mllp.HandlerFunc(func(_ context.Context, r *mllp.Request) []byte {
		reqs <- *r
		return mllptest.BuildAck(r.Message, "AA", "")
	})
	srv := serve(t, &mllp.Server{Handler: h})
	var got []mllp.Request
	for _, id := range []string{"A", "B"} {
		c := mllptest.Dial(t, srv.addr)
		c.WriteFrame(msg(id))
		readAck(t, c)
		r := <-reqs
		if r.RemoteAddr.String() != c.NetConn().LocalAddr().String() || r.LocalAddr.String() != srv.addr {
			t.Errorf("addresses %v -> %v, want %v -> %v", r.RemoteAddr, r.LocalAddr, c.NetConn().LocalAddr(), srv.addr)
		}
		if r.Seq != 1 || r.Received.IsZero() || r.Err != nil {
			t.Errorf("Seq %d, Received %v, Err %v; want 1, set, nil", r.Seq, r.Received, r.Err)
		}
		got = append(got, r)
	}
	if got[0].ConnID == got[1].ConnID {
		t.Errorf("two connections share ConnID %d", got[0].ConnID)
	}
}

func TestServer_ShutdownDrainsRunningHandlerAndClosesIdleConnections(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	h := mllp.HandlerFunc(func(ctx context.Context, r *mllp.Request) []byte {
		if bytes.Contains(r.Message, []byte("|SLOW|")) {
			close(started)
			<-release
			if ctx.Err() != nil {
				t.Error("Shutdown cancelled the handler's context")
			}
		}
		return mllptest.BuildAck(r.Message, "AA", "")
	})
	s := &mllp.Server{Handler: h}
	srv := serve(t, s)

	idle := mllptest.Dial(t, srv.addr)
	idle.WriteFrame(msg("QUICK"))
	readAck(t, idle)
	busy := mllptest.Dial(t, srv.addr)
	busy.WriteFrame(msg("SLOW"))
	<-started

	shutdown := make(chan error, 1)
	go func() { shutdown <- s.Shutdown(context.Background()) }()
	if err := idle.WaitClosed(wait); err != nil {
		t.Errorf("idle connection: %v", err)
	}
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown returned %v while a handler was running", err)
	default:
	}
	close(release)
	if code, id := readAck(t, busy); code != "AA" || id != "SLOW" {
		t.Errorf("in-flight message got %s for %s, want AA for SLOW", code, id)
	}
	if err := busy.WaitClosed(wait); err != nil {
		t.Errorf("drained connection: %v", err)
	}
	busy.Close()
	select {
	case err := <-shutdown:
		if err != nil {
			t.Errorf("Shutdown = %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Shutdown did not return")
	}
	if err := srv.wait(); !errors.Is(err, mllp.ErrServerClosed) {
		t.Errorf("Serve = %v, want ErrServerClosed", err)
	}
}

func TestServer_ShutdownLetsFrameInProgressFinish(t *testing.T) {
	ln := &readWatcher{Listener: listen(t), secondRead: make(chan struct{})}
	s := &mllp.Server{Handler: ackFor}
	srv := serveListener(t, s, ln)
	c := mllptest.Dial(t, srv.addr)
	raw := frame(msg("HALF"))
	c.Write(raw[:20])
	// The server reads again only once it has taken in the start block.
	<-ln.secondRead

	shutdown := make(chan error, 1)
	go func() { shutdown <- s.Shutdown(context.Background()) }()
	waitListenerClosed(t, srv.addr)
	c.Write(raw[20:])
	if code, id := readAck(t, c); code != "AA" || id != "HALF" {
		t.Errorf("got %s for %s, want AA for HALF", code, id)
	}
	if err := c.WaitClosed(wait); err != nil {
		t.Errorf("drained connection: %v", err)
	}
	c.Close()
	select {
	case err := <-shutdown:
		if err != nil {
			t.Errorf("Shutdown = %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Shutdown did not return")
	}
}

// readWatcher is a listener for one connection that signals the second Read
// on it.
type readWatcher struct {
	net.Listener
	secondRead chan struct{}
}

func (w *readWatcher) Accept() (net.Conn, error) {
	nc, err := w.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &watchedConn{Conn: nc, w: w}, nil
}

type watchedConn struct {
	net.Conn
	w     *readWatcher
	reads int // only the connection's goroutine reads
}

func (c *watchedConn) Read(p []byte) (int, error) {
	if c.reads++; c.reads == 2 {
		close(c.w.secondRead)
	}
	return c.Conn.Read(p)
}

// waitListenerClosed returns once addr refuses connections.
func waitListenerClosed(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		nc.Close()
	}
	t.Fatal("listener still open")
}

func TestServer_ShutdownForceClosesWhenContextEnds(t *testing.T) {
	started, cancelled := make(chan struct{}), make(chan struct{})
	h := mllp.HandlerFunc(func(ctx context.Context, r *mllp.Request) []byte {
		close(started)
		<-ctx.Done()
		close(cancelled)
		return nil
	})
	s := &mllp.Server{Handler: h}
	srv := serve(t, s)
	c := mllptest.Dial(t, srv.addr)
	c.WriteFrame(msg("STUCK"))
	<-started

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want DeadlineExceeded", err)
	}
	select {
	case <-cancelled:
	case <-time.After(wait):
		t.Fatal("handler context not cancelled by the forced close")
	}
	if err := c.WaitClosed(wait); err != nil {
		t.Errorf("connection after forced close: %v", err)
	}
}

func TestServer_CloseCancelsHandlerContext(t *testing.T) {
	started, cancelled := make(chan struct{}), make(chan struct{})
	h := mllp.HandlerFunc(func(ctx context.Context, r *mllp.Request) []byte {
		close(started)
		<-ctx.Done()
		close(cancelled)
		return nil
	})
	s := &mllp.Server{Handler: h}
	srv := serve(t, s)
	c := mllptest.Dial(t, srv.addr)
	c.WriteFrame(msg("STUCK"))
	<-started
	s.Close()
	select {
	case <-cancelled:
	case <-time.After(wait):
		t.Fatal("handler context not cancelled by Close")
	}
	if err := srv.wait(); !errors.Is(err, mllp.ErrServerClosed) {
		t.Errorf("Serve = %v, want ErrServerClosed", err)
	}
}

func TestServer_ServeAfterShutdownReturnsErrServerClosed(t *testing.T) {
	s := &mllp.Server{Handler: ackFor}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(ln); !errors.Is(err, mllp.ErrServerClosed) {
		t.Errorf("Serve = %v, want ErrServerClosed", err)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("Serve left its listener open")
	}
}

func TestServer_ServesTLS(t *testing.T) {
	cert := selfSignedCert(t)
	srv := serve(t, &mllp.Server{Handler: ackFor, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}})
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	logger, _ := newLogger(t)
	client := &mllp.Client{Addr: srv.addr, Logger: logger,
		TLSConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}}
	defer client.Close()
	ack, err := client.Send(context.Background(), msg("TLS1"))
	if err != nil {
		t.Fatal(err)
	}
	if code, id, _ := mllp.AckCode(ack); code != "AA" || id != "TLS1" {
		t.Errorf("ACK = %s for %s, want AA for TLS1", code, id)
	}
}

// selfSignedCert makes a certificate for localhost, valid for an hour.
func selfSignedCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true,

		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}
