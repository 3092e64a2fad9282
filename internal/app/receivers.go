package app

import (
	"errors"
	"fmt"

	"github.com/vigia-dev/vigia/alerts/notify"
	notifylog "github.com/vigia-dev/vigia/alerts/notify/log"
	notifymattermost "github.com/vigia-dev/vigia/alerts/notify/mattermost"
	notifytelegram "github.com/vigia-dev/vigia/alerts/notify/telegram"
	notifywebhook "github.com/vigia-dev/vigia/alerts/notify/webhook"
	"github.com/vigia-dev/vigia/internal/config"
)

// buildReceivers makes the configured receivers, one loop per kind, and
// joins every failure. signer signs the chat buttons.
func (a *App) buildReceivers(signer *notify.Signer) ([]notify.Receiver, error) {
	rc := a.cfg.Alerts.Receivers
	var out []notify.Receiver
	var errs []error
	add := func(r notify.Receiver, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		out = append(out, r)
	}
	for _, c := range rc.Log {
		add(notifylog.New(c.Name, a.logger.With("component", "notify")), nil)
	}
	for _, c := range rc.Webhook {
		secret, err := (config.SecretRef{Env: c.SecretEnv, File: c.SecretFile}).Resolve()
		if err != nil {
			add(nil, fmt.Errorf("webhook receiver %s secret: %w", c.Name, err))
			continue
		}
		var key []byte
		if !secret.IsZero() {
			key = []byte(secret.Reveal())
		}
		r, err := notifywebhook.New(c, key)
		add(r, err)
	}
	for _, c := range rc.Telegram {
		r, err := notifytelegram.New(c, a.logger.With("component", "notify"), a.reg)
		if err == nil {
			a.telegram = append(a.telegram, r)
		}
		add(r, err)
	}
	for _, c := range rc.Mattermost {
		r, err := notifymattermost.New(c, notifymattermost.Options{Signer: signer, Logger: a.logger.With("component", "notify"), Registerer: a.reg})
		add(r, err)
	}
	return out, errors.Join(errs...)
}
