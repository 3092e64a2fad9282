package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/vigia-dev/vigia/alerts/alert"
	notifywebhook "github.com/vigia-dev/vigia/alerts/notify/webhook"
)

// delivery is one firing urgent alert as it reached the receiver.
type delivery struct {
	at        time.Time // the POST arrived
	updatedAt time.Time // the engine evaluated the case (the alert's updated_at)
}

// receiver is the chat stand-in: an HTTP server on loopback that
// timestamps every POST as it arrives and keeps the urgent alerts.
type receiver struct {
	srv *http.Server
	ln  net.Listener

	mu       sync.Mutex
	byCase   map[string][]delivery
	posts    int
	other    int // alerts of other rules or resolutions
	bad      int // undecodable posts
	lastPost time.Time
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the receiver: %w", err)
	}
	r := &receiver{ln: ln, byCase: map[string][]delivery{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) url() string { return "http://" + r.ln.Addr().String() + "/hook" }

func (r *receiver) close() { _ = r.srv.Close() }

// ServeHTTP records one delivery; the time is taken before the body is read.
func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	var p notifywebhook.Payload
	if err == nil {
		err = json.Unmarshal(body, &p)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts++
	r.lastPost = at
	if err != nil {
		r.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	for _, a := range p.Alerts {
		if a.Labels[alert.LabelRule] != "urgent" || !a.EndsAt.IsZero() {
			r.other++
			continue
		}
		id := a.Labels[alert.LabelCaseID]
		r.byCase[id] = append(r.byCase[id], delivery{at: at, updatedAt: a.UpdatedAt})
	}
	w.WriteHeader(http.StatusOK)
}

// waitAll waits until every case in ids has a delivery, at most max.
func (r *receiver) waitAll(ctx context.Context, ids []string, max time.Duration) {
	deadline := time.Now().Add(max)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		missing := 0
		r.mu.Lock()
		for _, id := range ids {
			if len(r.byCase[id]) == 0 {
				missing++
			}
		}
		r.mu.Unlock()
		if missing == 0 {
			return
		}
		if time.Now().After(deadline) {
			log.Printf("%d of %d urgent alerts still missing after %s", missing, len(ids), max)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// snapshot copies what the receiver holds.
func (r *receiver) snapshot() (byCase map[string][]delivery, posts, other, bad int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	byCase = make(map[string][]delivery, len(r.byCase))
	for k, v := range r.byCase {
		byCase[k] = append([]delivery(nil), v...)
	}
	return byCase, r.posts, r.other, r.bad
}
