package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// readyTimeout bounds the wait for a started embedded server to accept
// clients. Start is synchronous up to its listener, so this is a backstop.
const readyTimeout = 10 * time.Second

// embeddedServer is the in-process nats-server used when Options.URL is empty.
type embeddedServer struct {
	srv *server.Server
	url string // where clients on this host connect
}

// startEmbedded starts a JetStream server listening only on o.Listen.
func startEmbedded(o *Options) (*embeddedServer, error) {
	host, port, err := splitListen(o.Listen)
	if err != nil {
		return nil, err
	}
	if port == 0 {
		port = server.RANDOM_PORT // nats-server reads 0 as its default, 4222
	}
	sopts := &server.Options{
		ServerName: o.Name,
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   o.StoreDir,
		NoSigs:     true, // the engine owns signals and shuts us down
		NoLog:      true, // we install our own logger below
		MaxPayload: int32(o.MaxPayload),
	}
	if o.SyncInterval == 0 {
		sopts.SyncAlways = true
	} else {
		sopts.SyncInterval = o.SyncInterval
	}
	srv, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("bus: embedded nats: %w", err)
	}
	log := &serverLogger{log: o.Logger.With("component", "nats-server")}
	// Trace stays off: it logs message payloads.
	srv.SetLoggerV2(log, log.log.Enabled(context.Background(), slog.LevelDebug), false, false)

	// Start runs JetStream recovery and binds the listener before it
	// returns, reporting failures only through the logger's Fatalf.
	e := &embeddedServer{srv: srv}
	srv.Start()
	if err := log.fatal(); err != nil || srv.Addr() == nil {
		e.shutdown()
		return nil, startError(o.Listen, err)
	}
	if !srv.ReadyForConnections(readyTimeout) {
		e.shutdown()
		return nil, fmt.Errorf("bus: embedded nats on %s: not ready after %v", o.Listen, readyTimeout)
	}
	e.url = localURL(srv.Addr())
	return e, nil
}

// startError turns the server's fatal log line into an error that reads
// like net.Listen's and still matches errors.Is(err, syscall.EADDRINUSE).
func startError(listen string, err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "listen" {
		cause := op.Err
		var sys *os.SyscallError
		if errors.As(cause, &sys) {
			cause = sys.Err
		}
		return fmt.Errorf("bus: nats listen %s: %w", listen, cause)
	}
	if err == nil {
		err = errors.New("no listener")
	}
	return fmt.Errorf("bus: embedded nats: %w", err)
}

// localURL is the client URL for addr, with an unspecified host (all
// interfaces) replaced by loopback so it can be dialled.
func localURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "nats://" + addr.String()
	}
	host := "127.0.0.1"
	if !tcp.IP.IsUnspecified() {
		host = tcp.IP.String()
	}
	return "nats://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// shutdown stops the server and waits for its goroutines to finish, so
// the store files are closed when it returns.
func (e *embeddedServer) shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

// serverLogger routes nats-server's log to slog. Routine notices go to
// debug: the engine logs its own lifecycle. Fatalf is recorded because
// an embedded server must not exit the process; Start reports it instead.
type serverLogger struct {
	log *slog.Logger

	mu       sync.Mutex
	fatalErr error
}

func (l *serverLogger) Noticef(format string, v ...any) { l.at(slog.LevelDebug, format, v) }
func (l *serverLogger) Debugf(format string, v ...any)  { l.at(slog.LevelDebug, format, v) }
func (l *serverLogger) Tracef(format string, v ...any)  { l.at(slog.LevelDebug, format, v) }
func (l *serverLogger) Warnf(format string, v ...any)   { l.at(slog.LevelWarn, format, v) }
func (l *serverLogger) Errorf(format string, v ...any)  { l.at(slog.LevelError, format, v) }

func (l *serverLogger) Fatalf(format string, v ...any) {
	l.at(slog.LevelError, format, v)
	err := &fatalError{msg: fmt.Sprintf(format, v...)}
	// Keep the cause (say a *net.OpError) so callers can match it.
	for _, a := range v {
		if cause, ok := a.(error); ok {
			err.cause = cause
			break
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fatalErr == nil {
		l.fatalErr = err
	}
}

// fatalError is a fatal log line from the server and the error it named.
type fatalError struct {
	msg   string
	cause error
}

func (e *fatalError) Error() string { return e.msg }
func (e *fatalError) Unwrap() error { return e.cause }

func (l *serverLogger) fatal() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fatalErr
}

func (l *serverLogger) at(level slog.Level, format string, v []any) {
	ctx := context.Background()
	if l.log.Enabled(ctx, level) {
		l.log.Log(ctx, level, fmt.Sprintf(format, v...))
	}
}
