package main

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia-dev/vigia/classify"
	"github.com/vigia-dev/vigia/classify/text"
	"github.com/vigia-dev/vigia/internal/config"
	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/process"
)

// pipelineClassifier adapts classify.Classifier to the processor.
type pipelineClassifier struct{ c *classify.Classifier }

func (p pipelineClassifier) Classify(ctx context.Context, m *message.Message) error {
	if m.Direction == message.DirectionOutbound {
		// The brand's own replies are stored as they are.
		return nil
	}
	r, err := p.c.Classify(ctx, *m, classify.Input{})
	if err != nil {
		return err
	}
	classify.Apply(m, r)
	return nil
}

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
	return pipelineClassifier{c: c}, nil
}
