package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestOpenReadOnly_SeesOtherHandleAndRefusesWrites(t *testing.T) {
	w, path := openTest(t, Options{})
	ctx := context.Background()
	id := mustAppend(t, w, testMessage("c", "1"))

	r, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Get(ctx, id); err != nil {
		t.Fatalf("read-only Get of a committed message: %v", err)
	}
	// Rows committed after the reader opened are visible too.
	id2 := mustAppend(t, w, testMessage("c", "2"))
	if got, err := r.Pending(ctx, "c", 0, 0); err != nil || len(got) != 2 || got[1].ID != id2 {
		t.Fatalf("read-only Pending = %v, %v; want ids %d, %d", got, err, id, id2)
	}

	if err := r.Append(ctx, testMessage("c", "3")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only Append error = %v, want ErrReadOnly", err)
	}
	if err := r.Update(ctx, Update{ID: id, Status: StatusSent}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only Update error = %v, want ErrReadOnly", err)
	}
	done := make(chan error, 1)
	r.UpdateAsync(Update{ID: id, Status: StatusSent}, func(err error) { done <- err })
	if err := <-done; !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only UpdateAsync error = %v, want ErrReadOnly", err)
	}
	// Even SQL sent past the API cannot write through the read pool.
	if _, err := r.read.ExecContext(ctx, "DELETE FROM messages"); err == nil {
		t.Error("DELETE through the read-only pool succeeded")
	}
}

func TestOpenReadOnly_RefusesMissingOrForeignFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenReadOnly(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("OpenReadOnly of a missing file succeeded")
	}
	// A SQLite file without our schema.
	other := filepath.Join(dir, "other.db")
	db := openDB(other, Options{Synchronous: "FULL", BusyTimeout: time.Second}, false, 1)
	if _, err := db.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenReadOnly(other); err == nil {
		t.Error("OpenReadOnly of a file without the schema succeeded")
	}
}

func TestOpen_MigratesAndRefusesNewerSchema(t *testing.T) {
	s, path := openTest(t, Options{})
	if v, err := userVersion(context.Background(), s.read); err != nil || v != schemaVersion {
		t.Fatalf("schema version %d, %v; want %d", v, err, schemaVersion)
	}
	if _, err := s.write.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(path, Options{}); err == nil {
		s.Close()
		t.Error("Open of a schema from a newer version succeeded")
	}
}

func TestOpen_SetsPragmasOnEveryConnection(t *testing.T) {
	for _, tc := range []struct {
		synchronous string
		want        int
	}{{"", 2}, {"full", 2}, {"NORMAL", 1}, {"OFF", 0}} {
		t.Run("synchronous="+tc.synchronous, func(t *testing.T) {
			s, _ := openTest(t, Options{Synchronous: tc.synchronous, ReadConns: 3})
			ctx := context.Background()
			// Hold every read connection at once so each one is checked.
			for i := range 3 {
				conn, err := s.read.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				checkPragmas(t, "read conn "+strconv.Itoa(i), conn, tc.want)
			}
			conn, err := s.write.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			checkPragmas(t, "write conn", conn, tc.want)
		})
	}
	if _, err := Open(filepath.Join(t.TempDir(), "x.db"), Options{Synchronous: "sometimes"}); err == nil {
		t.Error("Open with Synchronous=sometimes succeeded")
	}
}

func checkPragmas(t *testing.T, name string, conn *sql.Conn, sync int) {
	t.Helper()
	ctx := context.Background()
	var (
		mode         string
		syncMode, fk int
		busy         int64
	)
	for _, p := range []struct {
		pragma string
		dst    any
	}{
		{"journal_mode", &mode}, {"synchronous", &syncMode}, {"foreign_keys", &fk}, {"busy_timeout", &busy},
	} {
		if err := conn.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(p.dst); err != nil {
			t.Fatalf("%s: PRAGMA %s: %v", name, p.pragma, err)
		}
	}
	if mode != "wal" || syncMode != sync || fk != 1 || busy != 5000 {
		t.Errorf("%s: journal_mode %s, synchronous %d, foreign_keys %d, busy_timeout %d; want wal, %d, 1, 5000",
			name, mode, syncMode, fk, busy, sync)
	}
}

func TestOpenReadOnly_AfterTheWriterClosed(t *testing.T) {
	w, path := openTest(t, Options{})
	id := mustAppend(t, w, testMessage("c", "1"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Get(context.Background(), id); err != nil {
		t.Fatal(err)
	}
}

// Auto-checkpoints keep the WAL from growing under sustained writes: 20 MB
// of messages go through it, and it never holds more than a few.
func TestWAL_StaysBoundedUnderSustainedWrites(t *testing.T) {
	s, path := openTest(t, Options{Synchronous: "OFF"})
	raw := make([]byte, 4096)
	var largest int64
	for round := range 10 {
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 64 {
					m := testMessage("c", strconv.Itoa(round*1000+g*100+i))
					m.Raw = raw
					if err := s.Append(context.Background(), m); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		largest = max(largest, fi.Size())
	}
	t.Logf("largest WAL: %d KB", largest>>10)
	if largest > 16<<20 {
		t.Errorf("WAL grew to %d MB for 20 MB written, want it bounded by checkpoints", largest>>20)
	}
}
