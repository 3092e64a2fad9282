// Package simulate is the collector that makes up realistic customer-care
// traffic for demos and load tests: Spanish and English customers writing to
// several brands, the brands' replies after realistic delays (some never
// come), complaints, spam bursts, trolls, influencers, urgent cases, daily
// and weekly cycles and outage bursts. The Generator is deterministic for a
// seed; the Collector paces it and publishes in batches.
package simulate
