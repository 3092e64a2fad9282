package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/vigia-dev/vigia/internal/storage"
)

// secretEnv carries the intake secret to the vigia under test.
const secretEnv = "VIGIA_ALERTBENCH_WEBHOOK_SECRET"

// vigiaProc is a `vigia run` under test.
type vigiaProc struct {
	cmd  *exec.Cmd
	addr string // its HTTP server, host:port
	db   string
	exit chan error
}

// configYAML is the configuration of the vigia under test: one brand, the
// webhook intake, classification off (the messages carry their labels),
// alerts on with one webhook receiver and a route that makes each case its
// own group, notified without group_wait.
func configYAML(dataDir, listen, chAddr, db string, batchMaxAge, groupInterval time.Duration, receiverURL string) string {
	return fmt.Sprintf(`data_dir: %q
http: {listen: %q}
brands:
  - name: acme
    handles: {webhook: [%s]}
clickhouse: {addr: [%q], database: %s, batch_max_age: %s}
retention: {days: 0}
nats: {store_dir: %q}
processor: {classify: "off"}
collectors:
  webhook:
    - {name: bench, secret_env: %s, default_brand: acme}
alerts:
  mode: "on"
  route: {receiver: bench, group_by: [case_id], group_wait: 0s, group_interval: %s}
  receivers:
    webhook:
      - {name: bench, url: %q}
`, dataDir, listen, brandHandle, chAddr, db, batchMaxAge, filepath.Join(dataDir, "nats"), secretEnv, groupInterval, receiverURL)
}

// startVigia starts a fresh vigia for one rate: a new data directory and
// an empty database.
func startVigia(ctx context.Context, o options, rate int, receiverURL string) (*vigiaProc, error) {
	db := fmt.Sprintf("vigia_alertbench_%d", rate)
	if err := dropDB(ctx, o.addr, db); err != nil {
		return nil, fmt.Errorf("drop database %s: %w", db, err)
	}
	data, err := filepath.Abs(filepath.Join(o.work, fmt.Sprintf("data-%d", rate)))
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(data); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(data, 0o750); err != nil {
		return nil, err
	}
	listen, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(o.work, fmt.Sprintf("vigia-%d.yaml", rate))
	yaml := configYAML(data, listen, o.addr, db, o.batchMaxAge, o.groupInterval, receiverURL)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(o.work, fmt.Sprintf("vigia-%d.log", rate)))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.vigia, "run", "--config", cfg)
	cmd.Env = append(os.Environ(), secretEnv+"="+intakeSecret, "VIGIA_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", o.vigia, err)
	}
	v := &vigiaProc{cmd: cmd, addr: listen, db: db, exit: make(chan error, 1)}
	go func() { v.exit <- cmd.Wait(); logf.Close() }()
	if err := v.waitReady(ctx, time.Minute); err != nil {
		v.stop()
		return nil, fmt.Errorf("%w (log: %s)", err, logf.Name())
	}
	return v, nil
}

func (v *vigiaProc) pid() int { return v.cmd.Process.Pid }

func (v *vigiaProc) intakeURL() string { return "http://" + v.addr + "/intake/webhook" }

func (v *vigiaProc) waitReady(ctx context.Context, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		select {
		case err := <-v.exit:
			v.exit <- err
			return fmt.Errorf("vigia exited before it was ready: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := http.Get("http://" + v.addr + "/readyz")
		if err != nil {
			continue
		}
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
	}
	return fmt.Errorf("vigia not ready on %s within %s", v.addr, within)
}

// stop sends SIGTERM and waits for a clean stop, killing it after 30s.
func (v *vigiaProc) stop() {
	_ = v.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-v.exit:
		if err != nil {
			log.Printf("vigia pid %d: %v", v.pid(), err)
		}
	case <-time.After(30 * time.Second):
		_ = v.cmd.Process.Kill()
		<-v.exit
		log.Printf("vigia pid %d killed after 30s", v.pid())
	}
}

// cpuProfile saves a CPU profile of vigia over d into dir.
func (v *vigiaProc) cpuProfile(ctx context.Context, dir string, d time.Duration) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", v.addr, int(d.Seconds()))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	f, err := os.Create(filepath.Join(dir, v.db+".cpu.pprof"))
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		return err
	}
	log.Printf("cpu profile: %s", f.Name())
	return nil
}

// scrape reads vigia's /metrics.
func (v *vigiaProc) scrape(ctx context.Context) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+v.addr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(resp.Body)
}

func dropDB(ctx context.Context, addr, db string) error {
	conn, err := storage.Open(ctx, storage.Options{Addr: []string{addr}, Database: "default"})
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db)
}

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
