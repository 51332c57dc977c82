package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Options tune a SQLite store. The zero value gives the defaults.
type Options struct {
	// Synchronous is SQLite's synchronous setting. "FULL", the default,
	// makes every commit survive a power loss. "NORMAL" survives a crash
	// of the process but may lose the last commits on power loss. "OFF"
	// is for tests and bulk loads.
	Synchronous string
	// MaxBatch bounds the writes grouped into one transaction, and the
	// writes queued for the writer; default 1000.
	MaxBatch int
	// ReadConns is the size of the read pool; default 4.
	ReadConns int
	// BusyTimeout is how long a connection waits for a lock held by
	// another connection; default 5s.
	BusyTimeout time.Duration
	// GatherDelay is how long the writer may hold a commit open for the
	// callers it expects back (see writer.gather); default 500µs, a
	// negative value disables it.
	GatherDelay time.Duration
}

func (o *Options) fill() error {
	o.Synchronous = strings.ToUpper(o.Synchronous)
	switch o.Synchronous {
	case "":
		o.Synchronous = "FULL"
	case "FULL", "NORMAL", "OFF":
	default:
		return fmt.Errorf("synchronous %q: want FULL, NORMAL or OFF", o.Synchronous)
	}
	if o.GatherDelay == 0 {
		o.GatherDelay = 500 * time.Microsecond
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 1000
	}
	if o.ReadConns <= 0 {
		o.ReadConns = 4
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	return nil
}

// walSizeLimit is the size SQLite truncates the WAL file back to after a
// checkpoint has emptied it. Auto-checkpoints (every 1000 pages) keep the
// WAL from growing in steady state; the limit returns disk after a burst
// or a long reader made it grow.
const walSizeLimit = 64 << 20

// SQLite is the Store kept in one SQLite database file in WAL mode. A
// single writer goroutine owns the only write connection and commits
// queued writes in groups; reads use a separate pool of read-only
// connections, which WAL lets run alongside the writer.
type SQLite struct {
	path   string
	read   *sql.DB
	write  *sql.DB // nil when opened read-only
	w      *writer // nil when opened read-only
	ckptDB *sql.DB // the checkpointer's connection; nil when read-only
	ckpt   *checkpointer
	closed atomic.Bool
}

var _ Store = (*SQLite)(nil)

// Open opens the store at path, creating the file, its directory and the
// schema as needed and migrating an older schema.
func Open(path string, opts Options) (*SQLite, error) {
	if err := opts.fill(); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s, err := open(path, opts)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

func open(path string, opts Options) (*SQLite, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, err
	}
	s := &SQLite{path: abs}
	// The write pool has one connection, so the writer's prepared
	// statements stay prepared on it.
	s.write = openDB(abs, opts, false, 1)
	if err := setUpWriter(s.write); err != nil {
		s.write.Close()
		return nil, err
	}
	// Readers open after the writer has made the file a WAL database.
	s.read = openDB(abs, opts, true, opts.ReadConns)
	s.ckptDB = openDB(abs, opts, false, 1)
	finishWAL := new(atomic.Bool) // set by the checkpointer, cleared by the writer
	s.ckpt = startCheckpointer(s.ckptDB, finishWAL)
	w, err := newWriter(s.write, opts, s.ckpt.notify, finishWAL)
	if err != nil {
		s.ckpt.close()
		s.ckptDB.Close()
		s.read.Close()
		s.write.Close()
		return nil, err
	}
	s.w = w
	return s, nil
}

// setUpWriter checks that the database is in WAL mode and migrates it.
func setUpWriter(db *sql.DB) error {
	ctx := context.Background()
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if mode != "wal" {
		// Without WAL readers would block the writer (and vice versa).
		return fmt.Errorf("journal mode is %q, not wal", mode)
	}
	return migrate(ctx, db)
}

// OpenReadOnly opens an existing store for reading only, as the CLI does
// while the engine writes to the same file from another process. Its
// writes return ErrReadOnly.
func OpenReadOnly(path string) (*SQLite, error) {
	var opts Options
	if err := opts.fill(); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &SQLite{path: abs, read: openDB(abs, opts, true, opts.ReadConns)}
	if err := checkVersion(context.Background(), s.read); err != nil {
		s.read.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// openDB returns a pool of at most conns connections to path. Connections
// open lazily; each gets its PRAGMAs from the connect hook, because
// PRAGMAs are per connection and a pool reconnects at will.
func openDB(path string, opts Options, readOnly bool, conns int) *sql.DB {
	q := url.Values{}
	if readOnly {
		q.Set("mode", "ro")
		// Search and EventsSince build their SQL; the statement
		// cache keeps each shape prepared per connection.
		q.Set("_stmt_cache_size", "32")
	} else {
		q.Set("mode", "rwc")
		// Take the write lock at BEGIN: a transaction that starts as
		// a reader and upgrades can fail with SQLITE_BUSY at once.
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	hook := connectHook(opts, readOnly)
	db := sql.OpenDB(connector{&sqlite3.SQLiteDriver{ConnectHook: hook}, u.String()})
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db
}

func connectHook(opts Options, readOnly bool) func(*sqlite3.SQLiteConn) error {
	pragmas := []string{fmt.Sprintf("PRAGMA busy_timeout = %d", opts.BusyTimeout.Milliseconds())}
	// journal_mode is a property of the file rather than of the
	// connection: the writer sets it, and a read-only connection
	// (mode=ro) could not change it anyway.
	if !readOnly {
		pragmas = append(pragmas,
			"PRAGMA journal_mode = WAL",
			fmt.Sprintf("PRAGMA journal_size_limit = %d", walSizeLimit),
			// The pages a writer comes back to (the newest table and
			// index leaves) stay cached. The control id and patient
			// indexes take random keys: past a few hundred thousand
			// messages they outgrow any cache worth having, and the
			// operating system's page cache serves those misses. 32 MB
			// held 14 MB more of the engine's RSS in a 60 s bench (151
			// against 137 MB) for the same throughput.
			"PRAGMA cache_size = -16384",
			// Checkpoints run on their own connection (checkpoint.go).
			"PRAGMA wal_autocheckpoint = 0",
		)
	}
	// After journal_mode: the driver builds SQLite to give connections
	// in WAL mode synchronous=NORMAL unless told otherwise.
	pragmas = append(pragmas,
		"PRAGMA synchronous = "+opts.Synchronous,
		"PRAGMA foreign_keys = ON",
	)
	return func(c *sqlite3.SQLiteConn) error {
		for _, p := range pragmas {
			if _, err := c.Exec(p, nil); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
		return nil
	}
}

// connector opens connections with our own driver value, so that the
// connect hook belongs to this store rather than to a name registered
// for the whole process.
type connector struct {
	drv *sqlite3.SQLiteDriver
	dsn string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.drv }

// Stats reports the writer's counters; zero for a read-only store.
func (s *SQLite) Stats() WriterStats {
	if s.w == nil {
		return WriterStats{}
	}
	return s.w.stats()
}

// Close commits the writes already queued, stops the writer and closes
// the database. Calls after Close return ErrClosed.
func (s *SQLite) Close() error {
	if s.closed.Swap(true) {
		return ErrClosed
	}
	var errs []error
	if s.w != nil {
		errs = append(errs, s.w.close())
		s.ckpt.close()
		errs = append(errs, s.ckptDB.Close())
	}
	errs = append(errs, s.read.Close())
	if s.write != nil {
		errs = append(errs, s.write.Close())
	}
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("store: close %s: %w", s.path, err)
		}
	}
	return nil
}

// readable returns ErrClosed once Close has begun.
func (s *SQLite) readable() error {
	if s.closed.Load() {
		return ErrClosed
	}
	return nil
}
