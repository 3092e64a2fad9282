// Package app wires Vigía together from a validated configuration: the
// stream, ClickHouse storage, the processor, the collectors and the HTTP
// server, and runs them until the context ends, shutting down in order:
// collectors stop intake, the processor flushes its last batch and acks it,
// then the stream and connections close.
package app
