package storage

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrSchemaTooNew is returned by [Migrate] when the database records a
// migration this binary does not know: a newer Vigía has migrated it, and
// this one must not write to it.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// MigrateOptions says where and how to migrate.
type MigrateOptions struct {
	// Database is the database holding Vigía's tables; it is created if
	// missing.
	Database string
	// RetentionDays is how long messages are kept; 0 keeps them forever.
	// It becomes a table TTL where the server supports one; otherwise run
	// [Janitor]. It applies when a table is created, never by altering one.
	RetentionDays int
}

// TemplateData is what the migration templates render from.
type TemplateData struct {
	// DB is the database name, already validated as a plain identifier.
	DB string
	// RetentionDays is the message retention; 0 means none.
	RetentionDays int
	Features
}

// Enum is the column type of a short, repetitive string (brand, channel,
// label names).
func (d TemplateData) Enum() string {
	if d.HasLowCardinality {
		return "LowCardinality(String)"
	}
	return "String"
}

// Compressed is the codec clause of a large text column, or "".
func (d TemplateData) Compressed() string {
	if d.HasCodecs {
		return " CODEC(ZSTD(1))"
	}
	return ""
}

// TimeCodec is the codec clause of a DateTime column, or "".
func (d TemplateData) TimeCodec() string {
	if d.HasCodecs {
		return " CODEC(Delta(4), ZSTD(1))"
	}
	return ""
}

// TTL is the TTL expression expiring rows RetentionDays after column, or ""
// when there is no retention or the server has no TTL.
func (d TemplateData) TTL(column string) string {
	if !d.HasTTL || d.RetentionDays <= 0 {
		return ""
	}
	return fmt.Sprintf("%s + toIntervalDay(%d)", column, d.RetentionDays)
}

// Migration is one numbered migration, rendered.
type Migration struct {
	// Version is the number the file name starts with.
	Version uint32
	// Name is the rest of the file name, without extension.
	Name string
	// Statements are the rendered SQL statements, in order, without the
	// trailing semicolon.
	Statements []string
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// Migrations renders every embedded migration with data, ordered by version.
func Migrations(data TemplateData) ([]Migration, error) {
	if err := checkIdent(data.DB); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %q: want NNNN_name.sql", e.Name())
		}
		v, _ := strconv.ParseUint(m[1], 10, 32) // four digits always fit
		src, err := migrationFS.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		stmts, err := renderStatements(e.Name(), string(src), data)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: uint32(v), Name: m[2], Statements: stmts})
	}
	slices.SortFunc(out, func(a, b Migration) int { return int(a.Version) - int(b.Version) })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migration version %04d is used twice", out[i].Version)
		}
	}
	return out, nil
}

func renderStatements(name, src string, data TemplateData) ([]string, error) {
	tmpl, err := template.New(name).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("parse migration %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("render migration %s: %w", name, err)
	}
	var stmts []string
	for s := range strings.SplitSeq(buf.String(), ";\n") {
		s = strings.TrimSuffix(strings.TrimSpace(s), ";")
		if s != "" {
			stmts = append(stmts, s)
		}
	}
	return stmts, nil
}

// Migrate creates the database and brings its schema up to the newest
// migration this binary embeds. It is idempotent and forward-only; the
// features used come from the server's version. It returns an error wrapping
// [ErrSchemaTooNew] when the database has a migration this binary lacks.
func Migrate(ctx context.Context, conn driver.Conn, opts MigrateOptions) error {
	if err := checkIdent(opts.Database); err != nil {
		return err
	}
	features, _, err := DetectFeatures(ctx, conn)
	if err != nil {
		return err
	}
	migrations, err := Migrations(TemplateData{DB: opts.Database, RetentionDays: opts.RetentionDays, Features: features})
	if err != nil {
		return err
	}
	for _, q := range []string{CreateDatabaseSQL(opts.Database), SchemaMigrationsSQL(opts.Database)} {
		if err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("prepare schema_migrations in %s: %w", opts.Database, err)
		}
	}
	applied, err := appliedVersions(ctx, conn, opts.Database)
	if err != nil {
		return err
	}
	if err := checkTooNew(applied, migrations); err != nil {
		return err
	}
	for _, m := range migrations {
		if slices.Contains(applied, m.Version) {
			continue
		}
		for i, q := range m.Statements {
			if err := conn.Exec(ctx, q); err != nil {
				return fmt.Errorf("apply migration %04d_%s statement %d in %s: %w", m.Version, m.Name, i+1, opts.Database, err)
			}
		}
		if err := conn.Exec(ctx, RecordMigrationSQL(opts.Database, m)); err != nil {
			return fmt.Errorf("record migration %04d_%s in %s: %w", m.Version, m.Name, opts.Database, err)
		}
	}
	return nil
}

func appliedVersions(ctx context.Context, conn driver.Conn, db string) ([]uint32, error) {
	rows, err := conn.Query(ctx, AppliedMigrationsSQL(db))
	if err != nil {
		return nil, fmt.Errorf("read applied migrations in %s: %w", db, err)
	}
	defer rows.Close()
	var out []uint32
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read applied migrations in %s: %w", db, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read applied migrations in %s: %w", db, err)
	}
	return out, nil
}

func checkTooNew(applied []uint32, known []Migration) error {
	var latest uint32
	if len(known) > 0 {
		latest = known[len(known)-1].Version
	}
	for _, v := range applied {
		if v > latest {
			return fmt.Errorf("database has migration %04d, this binary knows up to %04d: %w", v, latest, ErrSchemaTooNew)
		}
	}
	return nil
}
