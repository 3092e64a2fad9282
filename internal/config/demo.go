package config

import _ "embed"

//go:embed demo.yaml
var demoYAML []byte

// DemoYAML returns the embedded demo configuration: three brands fed by the
// traffic simulator, a local ClickHouse and an embedded NATS server.
func DemoYAML() []byte { return append([]byte(nil), demoYAML...) }
