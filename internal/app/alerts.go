package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vigia-dev/vigia/alerts/ack"
	"github.com/vigia-dev/vigia/alerts/cases"
	"github.com/vigia-dev/vigia/alerts/dispatch"
	"github.com/vigia-dev/vigia/alerts/engine"
	"github.com/vigia-dev/vigia/alerts/inhibit"
	"github.com/vigia-dev/vigia/alerts/notify"
	notifymattermost "github.com/vigia-dev/vigia/alerts/notify/mattermost"
	"github.com/vigia-dev/vigia/alerts/route"
	"github.com/vigia-dev/vigia/alerts/rules"
	"github.com/vigia-dev/vigia/alerts/silence"
	"github.com/vigia-dev/vigia/alerts/sla"
	"github.com/vigia-dev/vigia/alerts/timeinterval"
	"github.com/vigia-dev/vigia/internal/config"
	"github.com/vigia-dev/vigia/internal/httpapi"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/storage"
)

// alerting is the alerts stage as wired: its parts run in Run.
type alerting struct {
	tracker    *cases.Tracker
	engine     *engine.Engine
	dispatcher *dispatch.Dispatcher
	outbox     *notify.Outbox
	recorder   *storage.NotificationRecorder
	acker      *ack.Acknowledger // nil without acknowledgement rules
	silencer   *silence.Silencer
	signer     *notify.Signer
	receivers  []notify.Receiver
	apiToken   config.Secret
	// actionLoops poll chat platforms for button presses (Telegram).
	actionLoops []func(context.Context) error
}

// MattermostActionPath is where Mattermost buttons call back: a
// Mattermost receiver's action_url is <public_url> + this path.
const MattermostActionPath = "/api/v1/actions/mattermost"

// buildAlerts wires cases, rules, routing and receivers when alerts are on,
// restores the case state from ClickHouse and makes the processor hand
// every stored message to the engine.
func (a *App) buildAlerts(ctx context.Context) error {
	cfg := a.cfg
	if !cfg.Alerts.On() {
		return nil
	}
	al := &alerting{}
	cals := map[string]*sla.Calendar{}
	for _, b := range cfg.Brands {
		cal, err := b.Calendar()
		if err != nil {
			return err
		}
		cals[b.Name] = cal
	}
	calendarFor := func(brand string) *sla.Calendar { return cals[brand] }
	var err error
	if al.tracker, err = cases.NewTracker(cfg.Alerts.Cases, calendarFor, a.logger, a.reg); err != nil {
		return err
	}
	for _, b := range cfg.Brands {
		al.tracker.InitializeFor(b.Name, message.Channels()...)
	}
	key, err := actionKey(cfg)
	if err != nil {
		return err
	}
	if al.signer, err = notify.NewSigner(key, 0); err != nil {
		return fmt.Errorf("alerts.action_key: %w", err)
	}
	if al.apiToken, err = (config.SecretRef{Env: cfg.Alerts.APITokenEnv, File: cfg.Alerts.APITokenFile}).Resolve(); err != nil {
		return fmt.Errorf("alerts.api_token: %w", err)
	}
	if al.receivers, err = a.buildReceivers(al.signer); err != nil {
		return err
	}
	db := cfg.ClickHouse.Database
	if al.recorder, err = storage.NewNotificationRecorder(a.conn, db, a.logger); err != nil {
		return err
	}
	if al.outbox, err = notify.NewOutbox(ctx, a.stream.JetStream(), notify.OutboxOptions{Replicas: cfg.NATS.Replicas},
		al.receivers, al.recorder, a.logger, a.reg); err != nil {
		return err
	}
	silences, err := storage.NewSilenceStore(a.conn, db)
	if err != nil {
		return err
	}
	al.silencer = silence.New(silence.Options{Store: silences})
	if err := al.silencer.Load(ctx); err != nil {
		return fmt.Errorf("load silences: %w", err)
	}
	nlog, err := storage.NewNotificationLog(a.conn, db)
	if err != nil {
		return err
	}
	names := cfg.Alerts.Receivers.Names()
	var intervalNames []string
	for _, ti := range cfg.Alerts.TimeIntervals {
		intervalNames = append(intervalNames, ti.Name)
	}
	root, err := route.New(cfg.Alerts.Route, names, intervalNames)
	if err != nil {
		return fmt.Errorf("alerts.route: %w", err)
	}
	inh, err := inhibit.New(cfg.Alerts.InhibitRules)
	if err != nil {
		return fmt.Errorf("alerts.inhibit_rules: %w", err)
	}
	intervals, err := timeinterval.NewSet(cfg.Alerts.TimeIntervals)
	if err != nil {
		return fmt.Errorf("alerts.time_intervals: %w", err)
	}
	al.dispatcher, err = dispatch.New(dispatch.Options{
		Route: root, Notifier: al.outbox, Silencer: al.silencer, Inhibitor: inh, TimeIntervals: intervals,
		Log: nlog, Logger: a.logger.With("component", "dispatch"),
	})
	if err != nil {
		return fmt.Errorf("alerts dispatcher: %w", err)
	}
	publicURL := publicURL(cfg)
	events := cases.NewStore(a.conn, db)
	evaluator := rules.NewEvaluator(cfg.Alerts.Rules, calendarFor, func(id string) string {
		return publicURL + "/api/v1/cases/" + id
	})
	acker, err := a.buildAcknowledger(evaluator, calendarFor)
	if err != nil {
		return err
	}
	var ackHook engine.Acknowledger
	if acker != nil {
		ackHook = acker
		al.acker = acker
	}
	al.engine, err = engine.New(engine.Options{
		Acknowledger: ackHook,
		Tracker:      al.tracker,
		Rules:        evaluator,
		Storm:        cfg.Alerts.Rules.TrollStorm, Events: events, Feedback: &feedbackStore{a: a}, Sink: al.dispatcher,
		Logger: a.logger, Registerer: a.reg,
	})
	if err != nil {
		return err
	}
	stored, err := events.Load(ctx, cfg.Alerts.Cases.LoadSince(time.Now()))
	if err != nil {
		return err
	}
	if err := al.engine.Rebuild(ctx, stored); err != nil {
		return err
	}
	a.logger.Info("cases restored", "events", len(stored), "open_cases", len(al.tracker.Open()))
	a.processor.SetObserver(al.engine)
	if len(cfg.Alerts.Receivers.Mattermost) > 0 {
		h, err := notifymattermost.NewActionHandler(al.signer, al.engine, notifymattermost.ActionOptions{
			Logger: a.logger.With("component", "actions"), Registerer: a.reg})
		if err != nil {
			return err
		}
		a.handlers["POST "+MattermostActionPath] = h
	}
	if !al.apiToken.IsZero() {
		api, err := httpapi.New(httpapi.Options{Token: []byte(al.apiToken.Reveal()), Silences: al.silencer,
			Alerts: al.dispatcher,
			Cases:  &caseReader{tracker: al.tracker, store: events, rules: evaluator, calendars: calendarFor, now: time.Now},
			Logger: a.logger.With("component", "api"), Registerer: a.reg})
		if err != nil {
			return err
		}
		a.handlers[httpapi.Prefix] = api
	}
	for _, tg := range a.telegram {
		al.actionLoops = append(al.actionLoops, func(ctx context.Context) error { return tg.RunActions(ctx, al.engine) })
	}
	a.alerts = al
	return nil
}

// publicURL is alerts.public_url, or the HTTP listen address.
func publicURL(cfg *config.Config) string {
	if cfg.Alerts.PublicURL != "" {
		return strings.TrimRight(cfg.Alerts.PublicURL, "/")
	}
	return "http://" + cfg.HTTP.Listen
}

// actionKey resolves the button-signing key, creating one under data_dir
// the first time when none is configured.
func actionKey(cfg *config.Config) ([]byte, error) {
	ref := config.SecretRef{Env: cfg.Alerts.ActionKeyEnv, File: cfg.Alerts.ActionKeyFile}
	if ref.Env != "" || ref.File != "" {
		s, err := ref.Resolve()
		if err != nil {
			return nil, fmt.Errorf("alerts.action_key: %w", err)
		}
		return []byte(s.Reveal()), nil
	}
	path := filepath.Join(cfg.DataDir, "alerts", "action.key")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read action key: %w", err)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("create action key: %w", err)
	}
	key := []byte(hex.EncodeToString(raw[:]))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create action key: %w", err)
	}
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("create action key: %w", err)
	}
	return key, nil
}

// runAlerts runs the engine's clock, the dispatcher and the outbox until
// ctx ends.
func (al *alerting) run(ctx context.Context) []func(context.Context) error {
	runs := append([]func(context.Context) error{al.engine.Run, al.dispatcher.Run, al.outbox.Run, al.recorder.Run}, al.actionLoops...)
	if al.acker != nil {
		runs = append(runs, al.acker.Run)
	}
	return runs
}

// buildAcknowledger makes the automatic acknowledgements, or nil when no
// rule is configured. Senders exist for the channels Vigía can answer on:
// the webhook channel, through each brand's reply_url. (Telegram and X
// need their collectors' clients, which come with those collectors.)
func (a *App) buildAcknowledger(policies ack.Policies, calendars func(string) *sla.Calendar) (*ack.Acknowledger, error) {
	ac := a.cfg.Alerts.Acknowledgements
	if len(ac.Acknowledge) == 0 {
		return nil, nil
	}
	senders := map[ack.SenderKey]ack.Sender{}
	for i, r := range ac.Acknowledge {
		if r.Mode == ack.ModeOff || !slices.Contains(r.Channels, message.ChannelWebhook) || r.Webhook.ReplyURL == "" {
			continue
		}
		secret, err := (config.SecretRef{Env: r.Webhook.SecretEnv, File: r.Webhook.SecretFile}).Resolve()
		if err != nil {
			return nil, fmt.Errorf("alerts.acknowledgements.acknowledge[%d].webhook.secret: %w", i, err)
		}
		var key []byte
		if !secret.IsZero() {
			key = []byte(secret.Reveal())
		}
		s, err := ack.NewWebhookSender(r.Webhook, key, ac.Timeout)
		if err != nil {
			return nil, fmt.Errorf("alerts.acknowledgements.acknowledge[%d].webhook: %w", i, err)
		}
		senders[ack.SenderKey{Brand: r.Brand, Channel: message.ChannelWebhook}] = s
	}
	brands := make([]ack.Brand, 0, len(a.cfg.Brands))
	for _, b := range a.cfg.Brands {
		brands = append(brands, ack.Brand{Name: b.Name, Languages: b.Languages, Handles: b.Handles})
	}
	acker, err := ack.New(ack.Options{
		Config: ac, Brands: brands, Senders: senders, Publisher: a.stream, Policies: policies, Calendars: calendars,
		AutomaticLabel: a.cfg.Alerts.Cases.AutomaticLabel, Logger: a.logger, Registerer: a.reg,
	})
	if err != nil {
		return nil, fmt.Errorf("alerts.acknowledgements: %w", err)
	}
	return acker, nil
}

// feedbackStore writes agents' corrections into the labels table.
type feedbackStore struct{ a *App }

// InsertFeedback stores fb as one batch.
func (s *feedbackStore) InsertFeedback(ctx context.Context, fb []engine.Feedback) error {
	rows := make([]storage.Feedback, len(fb))
	for i, f := range fb {
		rows[i] = storage.Feedback{MessageID: f.MessageID, Brand: f.Brand, Label: f.Label, Value: f.Value,
			Actor: f.Actor, Note: "chat button", CreatedAt: f.At}
	}
	return storage.InsertFeedback(ctx, s.a.conn, s.a.cfg.ClickHouse.Database, rows)
}
