// Package chtest gives tests a real ClickHouse: a fresh, migrated database
// per test on the server named by VIGIA_CLICKHOUSE_ADDR, or on the local one
// deploy/clickhouse-local.sh starts. Without a server a test is skipped, or
// fails when CI=true. It also offers a TCP proxy that can cut the
// connection, for tests of what happens while ClickHouse is unreachable.
package chtest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/vigia-dev/vigia/internal/localserver"
	"github.com/vigia-dev/vigia/internal/storage"
)

// EnvAddr names the environment variable holding the native-protocol
// address (host:port) of the ClickHouse to test against.
const EnvAddr = "VIGIA_CLICKHOUSE_ADDR"

const startCommand = "deploy/clickhouse-local.sh start"

// DB is a fresh database on a real ClickHouse, migrated and dropped when
// the test ends.
type DB struct {
	// Conn is a connection pool whose default database is Database.
	Conn driver.Conn
	// Database is unique to the test.
	Database string
	// Addr is the server's native-protocol address.
	Addr string
	// Version is the server's release.
	Version storage.Version
}

// Options returns storage options reaching this database.
func (db *DB) Options() storage.Options {
	return storage.Options{Addr: []string{db.Addr}, Database: db.Database}
}

// New returns a fresh database migrated with storage.Migrate (no
// retention), dropped in t.Cleanup.
func New(t testing.TB) *DB {
	t.Helper()
	return NewWith(t, storage.MigrateOptions{})
}

// NewWith is New with migration options; opts.Database is ignored.
func NewWith(t testing.TB, opts storage.MigrateOptions) *DB {
	t.Helper()
	db := NewEmpty(t)
	opts.Database = db.Database
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := storage.Migrate(ctx, db.Conn, opts); err != nil {
		t.Fatalf("chtest: migrate %s: %v", db.Database, err)
	}
	return db
}

// NewEmpty returns a fresh, empty database (not migrated), dropped in
// t.Cleanup.
func NewEmpty(t testing.TB) *DB {
	t.Helper()
	addr := Addr(t)
	name := uniqueName(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := storage.Open(ctx, storage.Options{Addr: []string{addr}, Database: name})
	if err != nil {
		t.Fatalf("chtest: open %s on %s: %v", name, addr, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Logf("chtest: drop database %s: %v", name, err)
		}
		_ = conn.Close()
	})
	_, v, err := storage.DetectFeatures(ctx, conn)
	if err != nil {
		t.Fatalf("chtest: %v", err)
	}
	return &DB{Conn: conn, Database: name, Addr: addr, Version: v}
}

// Addr returns the address of a ClickHouse that answers: VIGIA_CLICKHOUSE_ADDR
// if set, else the server deploy/clickhouse-local.sh starts (or is already
// running). Without one it skips the test, or fails it when CI=true.
func Addr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv(EnvAddr)
	if addr == "" {
		var err error
		addr, err = runScript("start")
		if err != nil {
			unavailable(t, err)
			return ""
		}
	}
	if err := waitReady(addr, 10*time.Second); err != nil {
		unavailable(t, err)
	}
	return addr
}

// Stop stops the server deploy/clickhouse-local.sh started, for chaos
// tests. Every test sharing that server sees the outage, so use it only in
// tests that own the server (not under a parallel go test ./...).
func Stop(t testing.TB) {
	t.Helper()
	if _, err := runScript("stop"); err != nil {
		t.Fatalf("chtest: stop clickhouse: %v", err)
	}
}

// Start starts the server deploy/clickhouse-local.sh manages again (its
// data is kept in .local/clickhouse) and waits until it answers.
func Start(t testing.TB) string {
	t.Helper()
	addr, err := runScript("start")
	if err != nil {
		t.Fatalf("chtest: start clickhouse: %v", err)
	}
	if err := waitReady(addr, 60*time.Second); err != nil {
		t.Fatalf("chtest: %v", err)
	}
	return addr
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("chtest: no ClickHouse under CI=true: %v", err)
	}
	t.Skipf("chtest: no ClickHouse (%v); start one with `%s` or set %s", err, startCommand, EnvAddr)
}

// waitReady pings addr until it answers or timeout passes.
func waitReady(addr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last error
	for {
		last = pingOnce(ctx, addr)
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("clickhouse at %s did not answer within %s: %w", addr, timeout, last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func pingOnce(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, DialTimeout: 2 * time.Second})
	if err != nil {
		return fmt.Errorf("open clickhouse at %s: %w", addr, err)
	}
	defer func() { _ = conn.Close() }()
	return storage.Ping(ctx, conn)
}

// runScript runs deploy/clickhouse-local.sh verb and returns its last
// stdout word: the address, for start.
func runScript(verb string) (string, error) {
	return localserver.Script("clickhouse-local.sh", verb, 5*time.Minute)
}

// uniqueName is a database name unique to this test run.
func uniqueName(t testing.TB) string {
	return "vigia_test_" + localserver.UniqueName(t.Name(), '_')
}
