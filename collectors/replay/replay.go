package replay

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/collectors"
	"github.com/vigia-dev/vigia/internal/message"
)

// Summary counts what one Run did with the rows of its file.
type Summary struct {
	Read      int64 `json:"read"`      // rows read, bad ones included (blank lines excluded)
	Published int64 `json:"published"` // messages acknowledged by the Publisher
	Skipped   int64 `json:"skipped"`   // bad rows, logged at Warn and counted by reason
}

// Option changes how a Collector is built.
type Option func(*Collector)

// WithClock replaces the wall clock (received_at) and the pacing sleep, so
// tests never sleep. sleep must return ctx.Err() when ctx ends first.
func WithClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Collector) { c.now, c.sleep = now, sleep }
}

// Collector replays one file. It implements collectors.Collector.
type Collector struct {
	cfg     Config
	brands  map[string]string // normalized handle -> brand
	logger  *slog.Logger
	metrics *metrics
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error

	mu      sync.Mutex
	summary Summary
}

var _ collectors.Collector = (*Collector)(nil)

// New validates cfg and builds a Collector. The file is opened by Run.
func New(cfg Config, logger *slog.Logger, reg prometheus.Registerer, opts ...Option) (*Collector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("replay config: %w", err)
	}
	m, err := newMetrics(reg, cfg.Name)
	if err != nil {
		return nil, fmt.Errorf("replay %s metrics: %w", cfg.Name, err)
	}
	brands := make(map[string]string, len(cfg.HandleToBrand))
	for h, b := range cfg.HandleToBrand {
		brands[normHandle(h)] = b
	}
	c := &Collector{
		cfg:     cfg,
		brands:  brands,
		logger:  logger.With("component", "collector"),
		metrics: m,
		now:     time.Now,
		sleep:   sleepCtx,
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Name returns the configured name.
func (c *Collector) Name() string { return c.cfg.Name }

// Summary returns the counts of the current or last Run.
func (c *Collector) Summary() Summary {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.summary
}

func (c *Collector) count(f func(*Summary)) {
	c.mu.Lock()
	f(&c.summary)
	c.mu.Unlock()
}

// Run publishes every good row of the file in batches and returns nil at the
// end of the file or when ctx is cancelled. It returns an error, and stops,
// if the file cannot be read or a Publish fails: nothing after the failed
// batch is published.
func (c *Collector) Run(ctx context.Context, pub collectors.Publisher) error {
	c.count(func(s *Summary) { *s = Summary{} })
	f, err := os.Open(c.cfg.Path)
	if err != nil {
		return fmt.Errorf("open replay file: %w", err)
	}
	defer f.Close()
	format, err := detectFormat(c.cfg.Format, c.cfg.Path, f)
	if err != nil {
		return err
	}
	var src source
	switch format {
	case FormatJSONL:
		src = newJSONLSource(f, c.decodeOptions())
	case FormatTwcs:
		idx, err := buildIndex(f, c.cfg.MaxLineBytes)
		if err != nil {
			return fmt.Errorf("index twcs file: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("rewind twcs file: %w", err)
		}
		if src, err = newTwcsSource(f, idx, c.decodeOptions()); err != nil {
			return err
		}
	}
	c.logger.Info("replay started", "format", string(format), "speed", c.cfg.Speed)
	err = c.pump(ctx, pub, src)
	s := c.Summary()
	if err != nil {
		return err
	}
	c.logger.Info("replay finished", "read", s.Read, "published", s.Published, "skipped", s.Skipped)
	return nil
}

func (c *Collector) decodeOptions() decodeOptions {
	return decodeOptions{
		maxLine:      c.cfg.MaxLineBytes,
		utf8:         c.cfg.InvalidUTF8,
		defaultBrand: c.cfg.DefaultBrand,
		brands:       c.brands,
		unmapped:     c.cfg.UnmappedHandle,
		now:          c.now,
	}
}

// pump moves rows from src to pub in batches, pacing them when Speed > 0.
func (c *Collector) pump(ctx context.Context, pub collectors.Publisher, src source) error {
	batch := make([]message.Message, 0, c.cfg.BatchSize)
	lastLine := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := pub.Publish(ctx, batch...); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			c.metrics.shared.Failed()
			return fmt.Errorf("publish batch of %d ending at line %d: %w", len(batch), lastLine, err)
		}
		c.metrics.shared.Published(batch, c.now())
		n := int64(len(batch))
		c.count(func(s *Summary) { s.Published += n })
		batch = batch[:0]
		return nil
	}
	p := pacer{speed: c.cfg.Speed, maxGap: c.cfg.MaxGap}
	for {
		if ctx.Err() != nil {
			return nil
		}
		r, err := src.next()
		if errors.Is(err, io.EOF) {
			return flush()
		}
		if err != nil {
			return fmt.Errorf("read replay file: %w", err)
		}
		c.metrics.read.Inc()
		c.count(func(s *Summary) { s.Read++ })
		if r.err != nil {
			c.metrics.skipped.WithLabelValues(r.reason).Inc()
			c.count(func(s *Summary) { s.Skipped++ })
			c.logger.Warn("skip bad row", "line", r.line, "reason", r.reason, "err", r.err)
			continue
		}
		if wait := p.wait(r.msg.CreatedAt); wait > 0 {
			if err := flush(); err != nil {
				return err
			}
			if err := c.sleep(ctx, wait); err != nil {
				return nil //nolint:nilerr // cancelled while pacing: a clean stop
			}
		}
		batch = append(batch, r.msg)
		lastLine = r.line
		if len(batch) >= c.cfg.BatchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// pacer turns created_at gaps into waits. Rows that go back in time (the
// twcs file is not sorted) do not wait.
type pacer struct {
	speed  float64
	maxGap time.Duration
	last   time.Time
	owed   time.Duration
}

// minWait is the smallest wait worth a flush and a sleep; shorter gaps add up.
const minWait = 10 * time.Millisecond

func (p *pacer) wait(t time.Time) time.Duration {
	if p.speed <= 0 {
		return 0
	}
	if p.last.IsZero() || !t.After(p.last) {
		if p.last.IsZero() {
			p.last = t
		}
		return 0
	}
	gap := time.Duration(float64(t.Sub(p.last)) / p.speed)
	if p.maxGap > 0 && gap > p.maxGap {
		gap = p.maxGap
	}
	p.last = t
	p.owed += gap
	if p.owed < minWait {
		return 0
	}
	w := p.owed
	p.owed = 0
	return w
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// detectFormat resolves FormatAuto from the file's extension, then from its
// first bytes, and leaves f at its start.
func detectFormat(f Format, path string, r io.ReadSeeker) (Format, error) {
	if f != FormatAuto {
		return f, nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		return FormatJSONL, nil
	case ".csv":
		return FormatTwcs, nil
	}
	head, err := bufio.NewReader(io.LimitReader(r, 512)).Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("sniff replay file format: %w", err)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("rewind replay file: %w", err)
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\ufeff")), " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("{")):
		return FormatJSONL, nil
	case bytes.HasPrefix(head, []byte("tweet_id,")), bytes.HasPrefix(head, []byte(`"tweet_id",`)):
		return FormatTwcs, nil
	}
	return "", errors.New("detect replay file format: neither JSON Lines nor a twcs CSV header; set format")
}
