package backoff

import (
	"math/rand/v2"
	"time"
)

// Policy is a capped exponential backoff with jitter.
type Policy struct {
	// Initial is the delay before the second attempt; 0 means 100ms.
	Initial time.Duration
	// Max caps the delay; 0 means 10s.
	Max time.Duration
}

// Default is 100ms doubling up to 10s.
func Default() Policy { return Policy{Initial: 100 * time.Millisecond, Max: 10 * time.Second} }

// WithDefaults fills zero fields from [Default].
func (b Policy) WithDefaults() Policy {
	d := Default()
	if b.Initial <= 0 {
		b.Initial = d.Initial
	}
	if b.Max <= 0 {
		b.Max = d.Max
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	return b
}

// Delay returns how long to wait after failed attempt number attempt
// (1-based): Initial doubled per attempt, capped at Max, then jittered into
// [d/2, d) so that writers that failed together do not retry together.
func (b Policy) Delay(attempt int) time.Duration {
	b = b.WithDefaults()
	d := b.Initial
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	half := d / 2
	return half + rand.N(d-half)
}
