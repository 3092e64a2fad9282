package replay

import "testing"

// BenchmarkDecodeJSONLine decodes, defaults and validates one tweet-sized
// JSON Lines message, as the replay of a JSONL file does per line.
func BenchmarkDecodeJSONLine(b *testing.B) {
	line := []byte(`{"id":"x:sim1-1","brand":"rapido-envios","channel":"x","kind":"mention","direction":"inbound",` +
		`"conversation_id":"sim1-1","author":{"id":"sim-c1-0","handle":"marta_c9","display_name":"Marta Castro",` +
		`"followers":133,"following":464,"created_at":"2020-08-06T00:00:00Z"},` +
		`"text":"@RapidoEnviosCare tercera vez que llamo y me cuelgan. ¿En serio?","created_at":"2025-01-06T00:00:01.621Z",` +
		`"raw":{"scenario":"complaint","lang":"es","seed":1}}`)
	opt := fuzzOptions(UTF8Replace)
	b.ReportAllocs()
	for b.Loop() {
		if r := decodeJSONLine(1, line, opt); r.err != nil {
			b.Fatal(r.err)
		}
	}
}
