package signature

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSign pins the scheme with values computed independently:
// printf '1700000000.{}' | openssl dgst -sha256 -hmac key, and the same
// without the timestamp.
func TestSign(t *testing.T) {
	require.Equal(t, "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae",
		Sign([]byte("key"), "1700000000", []byte("{}")))
	require.Equal(t, "sha256=a777724d943eb48dc69bca8a4a6d57a04db3f9ec7e1de4e581e860265bdf3032",
		Sign([]byte("key"), "", []byte("{}")))
}
