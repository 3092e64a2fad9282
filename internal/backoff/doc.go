// Package backoff is the one retry pacing policy of Vigía: capped
// exponential delays with jitter, used by the storage writer and the
// notification outbox alike.
package backoff
