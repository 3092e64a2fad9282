package main

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/classify"
	"github.com/vigia-dev/vigia/classify/text"
	"github.com/vigia-dev/vigia/internal/config"
	"github.com/vigia-dev/vigia/internal/process"
)

// newClassifier builds the classifier from the embedded models.
func newClassifier(cfg *config.Config, e *env, reg prometheus.Registerer) (process.Classifier, error) {
	models, err := text.LoadEmbedded()
	if err != nil {
		return nil, fmt.Errorf("load embedded models: %w", err)
	}
	c, err := classify.New(cfg.Classify, models, e.logger.With("component", "classify"), classify.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("build classifier: %w", err)
	}
	return process.NewLabeler(c, 0), nil
}
