// Package replay is the collector that reads a file of recorded messages and
// publishes them through the same Publisher as live data, for backfills,
// demos and evaluation. It reads JSON Lines of message.Message and the CSV
// layout of the public "Customer Support on Twitter" (twcs) dataset, paced as
// fast as possible or at a multiple of the recorded time.
package replay
