package webhook

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Defaults and bounds.
const (
	DefaultTimeout   = 10 * time.Second
	DefaultMaxAlerts = 100
)

// Config configures one webhook receiver.
type Config struct {
	// Name is the receiver's name, used by routes.
	Name string `yaml:"name"`
	// URL is where notifications are POSTed (http or https).
	URL string `yaml:"url"`
	// SecretEnv names the environment variable holding the signing
	// secret; optional.
	SecretEnv string `yaml:"secret_env"`
	// SecretFile is a file holding the signing secret; optional.
	SecretFile string `yaml:"secret_file"`
	// Timeout bounds one request.
	Timeout time.Duration `yaml:"timeout"`
	// MaxAlerts caps the alerts listed in one document; the counts still
	// cover all of them.
	MaxAlerts int `yaml:"max_alerts"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Timeout: DefaultTimeout, MaxAlerts: DefaultMaxAlerts}
}

// Validate reports every problem, each naming the field and the fix.
func (c Config) Validate() error {
	var errs []error
	if c.Name == "" {
		errs = append(errs, errors.New("name: is empty: give the receiver a name for routes to use"))
	}
	if u, err := url.Parse(c.URL); c.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("url: %q: want an http:// or https:// URL", c.URL))
	}
	if c.SecretEnv != "" && c.SecretFile != "" {
		errs = append(errs, errors.New("secret: at most one of secret_env & secret_file may be set"))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout: %s: must be positive, e.g. 10s", c.Timeout))
	}
	if c.MaxAlerts <= 0 {
		errs = append(errs, fmt.Errorf("max_alerts: %d: must be at least 1", c.MaxAlerts))
	}
	return errors.Join(errs...)
}
