// Command vigia-bench measures Vigía's end-to-end ingest against the limits
// of the machine it runs on, in one run and on identical tables:
//
//   - e2e: messages replayed by the vigia binary from a JSON Lines file,
//     published into the embedded stream, consumed, written and committed
//     to ClickHouse (the process exits when everything is committed);
//   - native: the same rows inserted straight through clickhouse-go's
//     native batch insert, no stream and no processing;
//   - client: the same rows piped to clickhouse-client as JSONEachRow.
//
// Its last line is
//
//	ingest e2e=<msgs/s> native=<rows/s> client=<rows/s> ratio=<e2e/native>
//
// and the line before it gives the vigia process's peak memory and the
// end-to-end figure with classification on.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/collectors/simulate"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/storage"
)

func main() {
	n := flag.Int("n", 1_000_000, "messages to ingest")
	addr := flag.String("addr", os.Getenv("VIGIA_CLICKHOUSE_ADDR"), "ClickHouse native address (host:port)")
	vigia := flag.String("vigia", "bin/vigia", "the vigia binary")
	work := flag.String("work", ".local/bench", "work directory for generated files and vigia's data")
	batch := flag.Int("batch", 100_000, "rows per native batch")
	classified := flag.Bool("classified", true, "also measure e2e with classification on")
	flag.Parse()
	if *addr == "" {
		*addr = "127.0.0.1:19000"
	}
	if err := run(context.Background(), *n, *addr, *vigia, *work, *batch, *classified); err != nil {
		log.Fatalf("vigia-bench: %v", err)
	}
}

func run(ctx context.Context, n int, addr, vigia, work string, batch int, classified bool) error {
	if err := os.MkdirAll(work, 0o750); err != nil {
		return err
	}
	msgs, err := generate(n)
	if err != nil {
		return err
	}
	jsonl := filepath.Join(work, "messages.jsonl")
	rows := filepath.Join(work, "rows.jsonl")
	if err := writeFiles(msgs, jsonl, rows); err != nil {
		return err
	}
	log.Printf("generated %d messages (%s)", n, jsonl)

	native, err := benchNative(ctx, addr, msgs, batch)
	if err != nil {
		return fmt.Errorf("native insert: %w", err)
	}
	log.Printf("native batch insert: %.0f rows/s", native)
	client, err := benchClient(ctx, addr, rows, n)
	if err != nil {
		return fmt.Errorf("clickhouse-client insert: %w", err)
	}
	log.Printf("clickhouse-client JSONEachRow: %.0f rows/s", client)
	e2e, rss, err := benchE2E(ctx, addr, vigia, work, jsonl, n, "off")
	if err != nil {
		return fmt.Errorf("e2e: %w", err)
	}
	log.Printf("e2e (classify off): %.0f msgs/s, vigia peak RSS %.0f MiB", e2e, rss)
	line := fmt.Sprintf("vigia peak_rss_mib=%.0f", rss)
	if classified {
		e2ec, rssc, err := benchE2E(ctx, addr, vigia, work, jsonl, n, "on")
		if err != nil {
			return fmt.Errorf("e2e classified: %w", err)
		}
		log.Printf("e2e (classify on): %.0f msgs/s, vigia peak RSS %.0f MiB", e2ec, rssc)
		line += fmt.Sprintf(" e2e_classified=%.0f peak_rss_classified_mib=%.0f", e2ec, rssc)
	}
	fmt.Println(line)
	fmt.Printf("ingest e2e=%.0f native=%.0f client=%.0f ratio=%.2f\n", e2e, native, client, e2e/native)
	return nil
}

// generate makes n tweet-sized messages with the simulator (seed 1).
func generate(n int) ([]message.Message, error) {
	cfg := simulate.DefaultConfig()
	cfg.Mode, cfg.Count = simulate.ModeCount, n
	g, err := simulate.NewGenerator(cfg, 1, simulate.DefaultStart())
	if err != nil {
		return nil, err
	}
	out := make([]message.Message, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out, nil
}

func writeFiles(msgs []message.Message, jsonl, rows string) error {
	fj, err := os.Create(jsonl)
	if err != nil {
		return err
	}
	defer fj.Close()
	fr, err := os.Create(rows)
	if err != nil {
		return err
	}
	defer fr.Close()
	wj, wr := bufio.NewWriterSize(fj, 1<<20), bufio.NewWriterSize(fr, 1<<20)
	enc := json.NewEncoder(wj)
	var buf []byte
	ingested := time.Now().UTC()
	for i := range msgs {
		if err := enc.Encode(&msgs[i]); err != nil {
			return err
		}
		buf, err = storage.AppendJSONEachRow(buf[:0], &msgs[i], ingested)
		if err != nil {
			return err
		}
		if _, err := wr.Write(buf); err != nil {
			return err
		}
	}
	if err := wj.Flush(); err != nil {
		return err
	}
	return wr.Flush()
}

// freshDB drops and migrates database db.
func freshDB(ctx context.Context, addr, db string) error {
	conn, err := storage.Open(ctx, storage.Options{Addr: []string{addr}, Database: "default"})
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db); err != nil {
		return err
	}
	return storage.Migrate(ctx, conn, storage.MigrateOptions{Database: db})
}

func count(ctx context.Context, addr, db string) (uint64, error) {
	conn, err := storage.Open(ctx, storage.Options{Addr: []string{addr}, Database: db})
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	return storage.CountMessages(ctx, conn, db)
}

func benchNative(ctx context.Context, addr string, msgs []message.Message, batch int) (float64, error) {
	const db = "vigia_bench_native"
	if err := freshDB(ctx, addr, db); err != nil {
		return 0, err
	}
	conn, err := storage.Open(ctx, storage.Options{Addr: []string{addr}, Database: db})
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	start := time.Now()
	for i := 0; i < len(msgs); i += batch {
		if err := storage.InsertMessages(ctx, conn, db, msgs[i:min(i+batch, len(msgs))]); err != nil {
			return 0, err
		}
	}
	el := time.Since(start)
	if err := expect(ctx, addr, db, len(msgs)); err != nil {
		return 0, err
	}
	return float64(len(msgs)) / el.Seconds(), nil
}

func benchClient(ctx context.Context, addr, rows string, n int) (float64, error) {
	const db = "vigia_bench_client"
	if err := freshDB(ctx, addr, db); err != nil {
		return 0, err
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, err
	}
	f, err := os.Open(rows)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, "clickhouse-client", "--host", host, "--port", port,
		"--query", "INSERT INTO "+db+".messages FORMAT JSONEachRow")
	cmd.Stdin, cmd.Stderr = f, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, err
	}
	el := time.Since(start)
	if err := expect(ctx, addr, db, n); err != nil {
		return 0, err
	}
	return float64(n) / el.Seconds(), nil
}

// benchE2E runs `vigia replay` on the file with its own data directory and
// database and times it until it exits (everything committed). It returns
// messages per second and the process's peak RSS in MiB.
func benchE2E(ctx context.Context, addr, vigia, work, jsonl string, n int, classify string) (float64, float64, error) {
	db := "vigia_bench_e2e_" + classify
	if err := freshDB(ctx, addr, db); err != nil {
		return 0, 0, err
	}
	data, err := filepath.Abs(filepath.Join(work, "data-"+classify))
	if err != nil {
		return 0, 0, err
	}
	if err := os.RemoveAll(data); err != nil {
		return 0, 0, err
	}
	cfg := filepath.Join(work, "vigia-"+classify+".yaml")
	yaml := fmt.Sprintf("data_dir: %s\nbrands: [{name: acme-telecom}, {name: nube-banco}, {name: rapido-envios}]\n"+
		"clickhouse: {addr: [%q], database: %s, batch_max_rows: 20000, batch_max_age: 1s}\nretention: {days: 0}\n"+
		"nats: {max_bytes: 21474836480}\nprocessor: {classify: %s}\n", data, addr, db, classify)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		return 0, 0, err
	}
	cmd := exec.CommandContext(ctx, vigia, "replay", "--config", cfg, jsonl)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	// The child's rusage counts the parent's pages it shared before exec,
	// so the peak is read from /proc instead, until the process exits.
	peak := make(chan float64, 1)
	stop := make(chan struct{})
	go func() { peak <- watchPeakRSS(cmd.Process.Pid, stop) }()
	err = cmd.Wait()
	el := time.Since(start)
	close(stop)
	rss := <-peak
	if err != nil {
		return 0, 0, err
	}
	if err := expect(ctx, addr, db, n); err != nil {
		return 0, 0, err
	}
	return float64(n) / el.Seconds(), rss, nil
}

// watchPeakRSS polls VmHWM (the peak resident set) of pid every 20ms until
// stop is closed and returns the last value seen, in MiB.
func watchPeakRSS(pid int, stop <-chan struct{}) float64 {
	path := fmt.Sprintf("/proc/%d/status", pid)
	var peak float64
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if b, err := os.ReadFile(path); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					var kb float64
					if _, err := fmt.Sscanf(strings.TrimSpace(v), "%f kB", &kb); err == nil && kb/1024 > peak {
						peak = kb / 1024
					}
				}
			}
		}
		select {
		case <-stop:
			return peak
		case <-t.C:
		}
	}
}

func expect(ctx context.Context, addr, db string, n int) error {
	got, err := count(ctx, addr, db)
	if err != nil {
		return err
	}
	if got != uint64(n) {
		return fmt.Errorf("%s holds %d messages, want %d", db, got, n)
	}
	return nil
}
