package mmapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// DefaultTimeout bounds one API request when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Options configure a Client.
type Options struct {
	// URL is the server's base URL, e.g. https://chat.example.com; the
	// client adds /api/v4.
	URL string
	// Token is a bot or personal access token. It is sent only in the
	// Authorization header and never appears in errors.
	Token string
	// Timeout bounds each request (DefaultTimeout when zero).
	Timeout time.Duration
	// HTTPClient, if set, is used instead of a new client with Timeout.
	HTTPClient *http.Client
	// Now tells the time for Retry-After dates; nil uses time.Now.
	Now func() time.Time
}

// Client calls the Mattermost API. It is safe for concurrent use.
type Client struct {
	api   *model.Client4
	token string
	now   func() time.Time
}

// New returns a Client for opts.URL with opts.Token.
func New(opts Options) (*Client, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("mattermost url %q: want http(s)://host[:port]", opts.URL)
	}
	if opts.Token == "" {
		return nil, errors.New("mattermost token: must not be empty")
	}
	hc := opts.HTTPClient
	if hc == nil {
		timeout := opts.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		hc = &http.Client{Timeout: timeout}
	}
	api := model.NewAPIv4Client(opts.URL)
	api.HTTPClient = hc
	api.SetToken(opts.Token)
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Client{api: api, token: opts.Token, now: now}, nil
}

// URL returns the server's base URL.
func (c *Client) URL() string { return c.api.URL }

// CreatePost creates p (ChannelId, Message, Props such as attachments) and
// returns the stored post with its id.
func (c *Client) CreatePost(ctx context.Context, p *model.Post) (*model.Post, error) {
	out, resp, err := c.api.CreatePost(ctx, p)
	if err != nil {
		return nil, c.wrap("create post", resp, err)
	}
	return out, nil
}

// PatchPost changes the fields of post id that patch sets; Props, when
// set, replaces all props (attachments included).
func (c *Client) PatchPost(ctx context.Context, id string, patch *model.PostPatch) (*model.Post, error) {
	out, resp, err := c.api.PatchPost(ctx, id, patch)
	if err != nil {
		return nil, c.wrap("patch post "+id, resp, err)
	}
	return out, nil
}

// UpdatePost replaces post p.Id with p.
func (c *Client) UpdatePost(ctx context.Context, p *model.Post) (*model.Post, error) {
	out, resp, err := c.api.UpdatePost(ctx, p.Id, p)
	if err != nil {
		return nil, c.wrap("update post "+p.Id, resp, err)
	}
	return out, nil
}

// GetPost returns post id. Mattermost strips the integration (URL and
// context) of every button from posts it returns.
func (c *Client) GetPost(ctx context.Context, id string) (*model.Post, error) {
	out, resp, err := c.api.GetPost(ctx, id, "")
	if err != nil {
		return nil, c.wrap("get post "+id, resp, err)
	}
	return out, nil
}

// Ping checks that the server answers and the token is accepted: it reads
// the token's own user.
func (c *Client) Ping(ctx context.Context) error {
	_, resp, err := c.api.GetMe(ctx, "")
	if err != nil {
		return c.wrap("get own user", resp, err)
	}
	return nil
}

// wrap turns a Client4 failure into an *Error.
func (c *Client) wrap(op string, resp *model.Response, err error) error {
	e := &Error{Op: op}
	if resp != nil && resp.StatusCode != 0 {
		e.StatusCode = resp.StatusCode
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), c.now())
	}
	var appErr *model.AppError
	switch {
	case errors.As(err, &appErr):
		e.ID = appErr.Id
		msg := appErr.Message
		if appErr.DetailedError != "" {
			msg += ": " + appErr.DetailedError
		}
		e.Message = msg
		if e.StatusCode == 0 {
			e.StatusCode = appErr.StatusCode
		}
	case e.StatusCode != 0:
		// An answer that is not Mattermost's JSON error (a proxy's page,
		// the rate limiter's plain text): keep a short excerpt.
		e.Message = err.Error()
	default:
		e.Err = err
		e.Timeout = true
	}
	e.Message = redact(e.Message, c.token)
	if e.Err != nil {
		e.Err = redactedError{msg: redact(e.Err.Error(), c.token), err: e.Err}
	}
	return e
}

// maxMessage bounds the server text kept in an Error.
const maxMessage = 300

func redact(s, token string) string {
	if token != "" {
		s = strings.ReplaceAll(s, token, "<secret>")
	}
	if len(s) > maxMessage {
		s = s[:maxMessage] + "…"
	}
	return s
}

// redactedError keeps the cause for errors.Is/As and prints its redacted
// text.
type redactedError struct {
	msg string
	err error
}

func (r redactedError) Error() string { return r.msg }
func (r redactedError) Unwrap() error { return r.err }
