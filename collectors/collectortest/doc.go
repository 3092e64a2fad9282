// Package collectortest is the conformance suite every collector runs: it
// stops on cancel, does not report success or advance when Publish fails,
// and produces stable IDs for the same input. Its Recorder is an in-memory
// Publisher that can be told to fail; it stands in for the stream in unit
// tests only (end-to-end tests go through NATS and ClickHouse).
package collectortest
