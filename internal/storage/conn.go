package storage

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Options says how to reach ClickHouse.
type Options struct {
	// Addr lists host:port native-protocol addresses; the driver fails over
	// between them.
	Addr []string
	// Database is the database Vigía's tables live in; Open creates it.
	Database string
	// Username and Password authenticate; an empty Username is "default".
	Username string
	Password string
	// DialTimeout bounds each connection attempt; 0 means 5s.
	DialTimeout time.Duration
	// MaxOpenConns caps the connection pool; 0 means the driver's default.
	MaxOpenConns int
	// DialContext, when set, replaces the driver's dialer (tests use it to
	// route through a proxy or to fail on purpose).
	DialContext func(ctx context.Context, addr string) (net.Conn, error)
}

func (o Options) clickhouse(database string) *clickhouse.Options {
	timeout := o.DialTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	user := o.Username
	if user == "" {
		user = "default"
	}
	return &clickhouse.Options{
		Addr:         o.Addr,
		Auth:         clickhouse.Auth{Database: database, Username: user, Password: o.Password},
		DialTimeout:  timeout,
		MaxOpenConns: o.MaxOpenConns,
		DialContext:  o.DialContext,
	}
}

// Open connects to ClickHouse, creates opts.Database if it is missing and
// returns a connection pool whose default database is opts.Database.
func Open(ctx context.Context, opts Options) (driver.Conn, error) {
	if len(opts.Addr) == 0 {
		return nil, errors.New("open clickhouse: no address")
	}
	if err := checkIdent(opts.Database); err != nil {
		return nil, fmt.Errorf("open clickhouse: %w", err)
	}
	boot, err := clickhouse.Open(opts.clickhouse(""))
	if err != nil {
		return nil, fmt.Errorf("open clickhouse at %v: %w", opts.Addr, err)
	}
	err = boot.Exec(ctx, CreateDatabaseSQL(opts.Database))
	_ = boot.Close() // only used for the CREATE DATABASE; nothing to flush
	if err != nil {
		return nil, fmt.Errorf("create database %s at %v: %w", opts.Database, opts.Addr, err)
	}
	conn, err := clickhouse.Open(opts.clickhouse(opts.Database))
	if err != nil {
		return nil, fmt.Errorf("open clickhouse at %v: %w", opts.Addr, err)
	}
	return conn, nil
}

// Ping reports whether ClickHouse answers, for readiness checks.
func Ping(ctx context.Context, conn driver.Conn) error {
	if err := conn.Ping(ctx); err != nil {
		return fmt.Errorf("ping clickhouse: %w", err)
	}
	return nil
}
