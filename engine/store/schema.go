package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations[i] brings the schema from version i to i+1; PRAGMA
// user_version holds the version reached. A released migration is never
// edited: later changes are new entries.
//
// Bodies sit apart from the header columns so that searches and index
// maintenance touch small rows. Raw and ACK are written once, by Append;
// the output is written later by the worker, possibly again on retry, so
// it has a table of its own: updating it never rewrites the raw message.
var migrations = []string{
	`CREATE TABLE messages (
		id               INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: ids stay monotonic after pruning
		channel          TEXT    NOT NULL,
		direction        TEXT    NOT NULL,
		received_at      INTEGER NOT NULL, -- Unix nanoseconds
		remote_addr      TEXT    NOT NULL,
		type             TEXT    NOT NULL,
		trigger          TEXT    NOT NULL,
		structure        TEXT    NOT NULL,
		control_id       TEXT    NOT NULL,
		patient_id       TEXT    NOT NULL,
		patient_assigner TEXT    NOT NULL,
		status           TEXT    NOT NULL,
		ack_code         TEXT    NOT NULL,
		error            TEXT    NOT NULL,
		attempts         INTEGER NOT NULL,
		updated_at       INTEGER NOT NULL  -- Unix nanoseconds
	);
	CREATE TABLE bodies (
		message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
		raw        BLOB,
		ack        BLOB
	);
	CREATE TABLE outputs (
		message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
		output     BLOB
	);
	CREATE TABLE events (
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
		time       INTEGER NOT NULL, -- Unix nanoseconds
		stage      TEXT    NOT NULL,
		status     TEXT    NOT NULL,
		detail     TEXT    NOT NULL
	);
	-- Search sorts by id, so each filter's index ends in id (a single-column
	-- index ends in the rowid implicitly) and yields rows in order. Type
	-- and trigger get one index each: (type, trigger, id) would sort every
	-- row of a type searched alone and not serve a trigger alone at all.
	CREATE INDEX messages_channel     ON messages(channel, id);
	CREATE INDEX messages_status      ON messages(status, id);
	CREATE INDEX messages_control_id  ON messages(control_id);
	CREATE INDEX messages_patient_id  ON messages(patient_id);
	CREATE INDEX messages_type        ON messages(type, id);
	CREATE INDEX messages_trigger     ON messages(trigger, id);
	-- received_at grows with id; Search looks up the id where a time
	-- range starts here.
	CREATE INDEX messages_received_at ON messages(received_at);
	-- Pending and QueueStats read only non-final rows: a partial index
	-- stays as small as the backlog. Queries must repeat this WHERE
	-- clause literally for SQLite to use it.
	CREATE INDEX messages_pending ON messages(channel, id) WHERE status IN ('RECEIVED', 'QUEUED');
	-- tail reads events by id (the rowid); this one serves Events.
	CREATE INDEX events_message_id ON events(message_id);`,
	// Version 2: reprocessing makes a new message that points back at the
	// one it repeats.
	`ALTER TABLE messages ADD COLUMN reprocess_of INTEGER NOT NULL DEFAULT 0;`,
	// Version 3: a Bulk Data export job is a message; its files and how
	// far each was read are rows here, so a restarted job resumes.
	`CREATE TABLE bulk_files (
		message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
		idx        INTEGER NOT NULL, -- position in the manifest: outputs, then errors
		kind       TEXT    NOT NULL, -- output or error
		type       TEXT    NOT NULL,
		url        TEXT    NOT NULL,
		count      INTEGER NOT NULL, -- the manifest's count, 0 if it gave none
		lines      INTEGER NOT NULL, -- lines consumed
		offset     INTEGER NOT NULL, -- decoded bytes consumed: where a resumed download starts
		written    INTEGER NOT NULL, -- bytes written to the sink (a file), where a resumed write starts
		resources  INTEGER NOT NULL, -- resources delivered
		skipped    INTEGER NOT NULL, -- malformed lines skipped
		done       INTEGER NOT NULL,
		error      TEXT    NOT NULL,
		PRIMARY KEY (message_id, idx)
	);`,
}

// schemaVersion is the version this code reads and writes.
var schemaVersion = len(migrations)

// migrate brings db's schema up to schemaVersion, one transaction per step.
func migrate(ctx context.Context, db *sql.DB) error {
	v, err := userVersion(ctx, db)
	if err != nil {
		return err
	}
	if v > schemaVersion {
		return fmt.Errorf("schema version %d is newer than this program's %d", v, schemaVersion)
	}
	for ; v < schemaVersion; v++ {
		if err := migrateStep(ctx, db, v); err != nil {
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
	}
	return nil
}

func migrateStep(ctx context.Context, db *sql.DB, from int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, migrations[from]); err != nil {
		return err
	}
	// user_version lives in the database header, which is written in
	// the same transaction as the step: both land or neither does.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", from+1)); err != nil {
		return err
	}
	return tx.Commit()
}

// checkVersion makes sure a store opened read-only has exactly the schema
// this code expects: a reader cannot migrate.
func checkVersion(ctx context.Context, db *sql.DB) error {
	v, err := userVersion(ctx, db)
	if err != nil {
		return err
	}
	switch {
	case v == 0:
		return fmt.Errorf("no message store here (schema version 0)")
	case v != schemaVersion:
		return fmt.Errorf("schema version %d, this program reads %d", v, schemaVersion)
	}
	return nil
}

func userVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
