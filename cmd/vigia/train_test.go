package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/message"
	"github.com/vigia-dev/vigia/internal/storage"
	"github.com/vigia-dev/vigia/internal/storage/chtest"
)

// spamCorpus writes a tiny sms-spam corpus in the layout of the shared data
// directory (sms-spam/sms_spam_collection.csv) and returns the directory.
func spamCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	spam := []string{"WIN a FREE prize now, txt CLAIM to 80085", "URGENT! your mobile won cash, call 09061701461", "Free entry: reply WIN for tickets", "Claim your reward code today, click www.prize.example"}
	ham := []string{"are we still on for lunch tomorrow?", "ok see you at home later", "can you pick up milk on the way", "sorry I missed your call, driving"}
	var b strings.Builder
	w := csv.NewWriter(&b)
	require.NoError(t, w.Write([]string{"line_no", "label", "text"}))
	n := 0
	for i := 0; i < 15; i++ {
		for j := range spam {
			n++
			require.NoError(t, w.Write([]string{fmt.Sprint(n), "spam", fmt.Sprintf("%s %d", spam[j], i)}))
			n++
			require.NoError(t, w.Write([]string{fmt.Sprint(n), "ham", fmt.Sprintf("%s %d", ham[j], i)}))
		}
	}
	w.Flush()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sms-spam"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sms-spam", "sms_spam_collection.csv"), []byte(b.String()), 0o644))
	return dir
}

func TestTrainReproducible(t *testing.T) {
	data := spamCorpus(t)
	var outs [2]string
	for i := range outs {
		outs[i] = t.TempDir()
		code, stdout, stderr := runVigia(t, "train", "--data", data, "--tasks", "spam", "--out", outs[i])
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stdout, "spam_en: rows=")
	}
	a, err := os.ReadFile(filepath.Join(outs[0], "spam_en.bin"))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(outs[1], "spam_en.bin"))
	require.NoError(t, err)
	require.Equal(t, a, b, "same inputs and seed must give byte-identical weights")

	code, _, stderr := runVigia(t, "train", "--data", data, "--tasks", "nonsense")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `unknown task "nonsense"`)
}

func TestEval(t *testing.T) {
	data := spamCorpus(t)
	models := t.TempDir()
	code, _, stderr := runVigia(t, "train", "--data", data, "--tasks", "spam", "--out", models)
	require.Equal(t, 0, code, stderr)

	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	good := write("good.csv", "id,label,text,extra\n"+
		"1,1,\"WIN a FREE prize now, txt CLAIM to 80085\",x\n"+
		"2,0,are we still on for lunch tomorrow?,y\n"+
		"3,1,Free entry: reply WIN for tickets,z\n"+
		"4,0,ok see you at home later,w\n")
	code, out, stderr := runVigia(t, "eval", "--task", "spam", "--data", good, "--models", models, "--lang", "en")
	require.Equal(t, 0, code, stderr)
	for _, want := range []string{"precision", "recall", "f1", "confusion matrix"} {
		require.Contains(t, out, want)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Equal(t, "macro_f1=1.0000", lines[len(lines)-1], "got %q", out)
	code, detected, stderr := runVigia(t, "eval", "--task", "spam", "--data", good, "--models", models)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, out, detected, "the detected language (en) gives the same result")

	tests := []struct {
		name, body, want string
	}{
		{"bad label", "text,label\nhello,1\nbye,maybe\n", "line 3"},
		{"missing field", "text,label\nhello,1\nbye\n", "line 3"},
		{"bare quote", "text,label\nhello,1\n\"unterminated,0\n", "line 3"},
		{"no label column", "text,class\nhello,1\n", "line 1"},
		{"empty", "", "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(strings.ReplaceAll(tt.name, " ", "_")+".csv", tt.body)
			code, _, stderr := runVigia(t, "eval", "--task", "spam", "--data", p, "--models", models, "--lang", "en")
			require.Equal(t, 1, code)
			require.Contains(t, stderr, tt.want, "got %q", stderr)
		})
	}

	sentiment := write("sentiment.csv", "text,label\ngreat service,2\nawful delay,negative\nthe flight is at noon,neutral\n")
	code, out, stderr = runVigia(t, "eval", "--task", "sentiment", "--data", sentiment, "--lang", "en")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "macro_f1=")
}

func TestTrainFeedback(t *testing.T) {
	db := chtest.New(t)
	ctx := t.Context()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	msg := func(ext, text string) message.Message {
		return message.Message{
			ID: message.NewID(message.ChannelX, ext), Brand: "acme", Channel: message.ChannelX, Kind: message.KindMention,
			Direction: message.DirectionInbound, Author: message.Author{ID: "u-" + ext}, Text: text, Lang: "en", CreatedAt: at,
		}
	}
	msgs := []message.Message{
		msg("1", "limited offer: followers for sale, dm now"),
		msg("2", "my parcel never arrived and nobody answers"),
	}
	require.NoError(t, storage.InsertMessages(ctx, db.Conn, db.Database, msgs))
	require.NoError(t, storage.InsertFeedback(ctx, db.Conn, db.Database, []storage.Feedback{
		{MessageID: msgs[0].ID, Brand: "acme", Label: "spam", Value: false, Actor: "agent-1", CreatedAt: at},
		{MessageID: msgs[0].ID, Brand: "acme", Label: "spam", Value: true, Actor: "agent-1", CreatedAt: at.Add(time.Minute)},
		{MessageID: msgs[1].ID, Brand: "acme", Label: "spam", Value: false, Actor: "agent-2", CreatedAt: at},
		{MessageID: msgs[1].ID, Brand: "acme", Label: "urgent", Value: true, Actor: "agent-2", CreatedAt: at},
	}))

	data := spamCorpus(t)
	splits := t.TempDir()
	code, _, stderr := runVigia(t, "train", "--data", data, "--tasks", "spam", "--out", t.TempDir(), "--splits", splits,
		"--feedback", "--clickhouse-addr", db.Addr, "--db", db.Database)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "rows=2")
	require.Contains(t, stderr, "used=2")

	f, err := os.Open(filepath.Join(splits, "spam_en.train.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	got := map[string]string{}
	for _, r := range recs[1:] {
		got[r[0]] = r[1]
	}
	require.Equal(t, "1", got[msgs[0].Text], "the latest correction (spam) is in the training rows")
	require.Equal(t, "0", got[msgs[1].Text])
}
