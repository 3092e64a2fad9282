// Package silence mutes alerts for a while: a silence is a set of matchers
// with a start and an end, made by a person with a comment. Silences are
// one-shot; recurring quiet periods are time intervals on a route.
//
// A [Silencer] holds the silences in memory and writes each change through
// a [Store] before applying it, so a store that persists (ClickHouse, a
// JetStream KV bucket) can be plugged in without this package doing I/O.
// Time is passed in: nothing here reads the clock.
package silence
