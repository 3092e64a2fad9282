package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigia-dev/vigia/classify"
	"github.com/vigia-dev/vigia/classify/text"
	"github.com/vigia-dev/vigia/internal/message"
)

// classifyLine is one JSON Lines input: a message, optionally with the
// pipeline's context under "classify_input".
type classifyLine struct {
	message.Message
	Input *classify.Input `json:"classify_input,omitempty"`
}

// cmdClassify labels messages from stdin (JSON Lines) or one --text.
func cmdClassify(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "classify", "vigia classify [--config FILE] [--text TEXT [--json] [--brand NAME] [--lang CODE]] < messages.jsonl",
		"Label messages: complaint, troll, spam, influencer, urgent, language and sentiment.\n\n"+
			"Without --text, reads JSON Lines messages on stdin and writes them to stdout with\n"+
			"their labels; a bad line is reported on stderr with its number and skipped, and\n"+
			"the command exits non-zero at the end. An optional \"classify_input\" object on a\n"+
			"line carries unanswered_in_conversation and engagement.")
	configPath := fs.String("config", "", "classifier config YAML, standalone or a vigia.yaml with a classify: section (default: built-in defaults)")
	txt := fs.String("text", "", "classify this one text and print a summary")
	asJSON := fs.Bool("json", false, "with --text, print the result as JSON")
	brandName := fs.String("brand", "", "with --text, the brand the message is addressed to")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	cfg := classify.DefaultConfig()
	if *configPath != "" {
		var err error
		if cfg, err = loadClassifyConfig(*configPath); err != nil {
			return err
		}
	}
	models, err := text.LoadEmbedded()
	if err != nil {
		return fmt.Errorf("load text models: %w", err)
	}
	c, err := classify.New(cfg, models, e.logger)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "unexpected arguments: %q\n", fs.Args())
		return errUsage
	}
	if *txt != "" {
		return classifyOne(ctx, e, c, *txt, *brandName, *asJSON)
	}
	return classifyStream(ctx, e, c)
}

func classifyOne(ctx context.Context, e *env, c *classify.Classifier, txt, brand string, asJSON bool) error {
	m := message.Message{
		ID: message.NewID(message.ChannelWebhook, "cli"), Brand: brand, Channel: message.ChannelWebhook,
		Kind: message.KindMention, Direction: message.DirectionInbound, Author: message.Author{ID: "cli"},
		Text: txt, CreatedAt: time.Now().UTC(),
	}
	r, err := c.Classify(ctx, m, classify.Input{})
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
		return nil
	}
	lang := r.Lang
	if lang == "" {
		lang = "unknown"
	}
	fmt.Fprintf(e.stdout, "language:  %s\nsentiment: %+.2f\n", lang, r.Sentiment)
	for _, l := range r.Labels {
		yes := "no"
		if l.Decision {
			yes = "YES"
		}
		fmt.Fprintf(e.stdout, "%-11s %.2f %-3s", l.Name+":", l.Score, yes)
		if len(l.Reasons) > 0 {
			fmt.Fprintf(e.stdout, "  %s", strings.Join(l.Reasons, "; "))
		}
		fmt.Fprintln(e.stdout)
	}
	if r.Ignored {
		fmt.Fprintln(e.stdout, "ignored:   author on the brand's block list")
	}
	return nil
}

func classifyStream(ctx context.Context, e *env, c *classify.Classifier) error {
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 0, 64<<10), message.MaxTextBytes+message.MaxRawBytes+64<<10)
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	failed := 0
	for n := 1; sc.Scan(); n++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("classify stdin at line %d: %w", n, err)
		}
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := classifyLineTo(ctx, c, enc, line); err != nil {
			failed++
			fmt.Fprintf(e.stderr, "line %d: %s\n", n, strings.ReplaceAll(err.Error(), "\n", "; "))
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("%d lines failed", failed)
	}
	return nil
}

func classifyLineTo(ctx context.Context, c *classify.Classifier, enc *json.Encoder, line []byte) error {
	var in classifyLine
	if err := json.Unmarshal(line, &in); err != nil {
		return fmt.Errorf("decode message: %w", err)
	}
	m := in.Message
	if err := m.Validate(); err != nil {
		return fmt.Errorf("invalid message: %w", err)
	}
	var input classify.Input
	if in.Input != nil {
		input = *in.Input
	}
	r, err := c.Classify(ctx, m, input)
	if err != nil {
		return err
	}
	classify.Apply(&m, r)
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	return nil
}

// loadClassifyConfig reads a standalone classifier YAML or, when the file
// has a top-level classify: key, that section of a vigia.yaml.
func loadClassifyConfig(path string) (classify.Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return classify.Config{}, fmt.Errorf("read classify config: %w", err)
	}
	var top map[string]yaml.Node
	if yaml.Unmarshal(b, &top) == nil {
		if node, ok := top["classify"]; ok {
			if b, err = yaml.Marshal(&node); err != nil {
				return classify.Config{}, fmt.Errorf("read classify section of %s: %w", path, err)
			}
		}
	}
	cfg, err := classify.ParseConfig(b)
	if err != nil {
		return classify.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return classify.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}
