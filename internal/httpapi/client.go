package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vigia-dev/vigia/alerts/silence"
)

// maxResponseBytes bounds an answer the client reads: a thousand cases fit
// many times over.
const maxResponseBytes = 32 << 20

// StatusError is an answer other than 2xx.
type StatusError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Message is the API's error message, or the start of the body when
	// it was not an API error.
	Message string
	// Details lists every problem when the API gave several.
	Details []string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), e.Message)
}

// Client calls the API of a running vigia.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// NewClient returns a client of the API at baseURL (such as
// http://127.0.0.1:8080) sending token. A nil hc means http.DefaultClient.
func NewClient(baseURL, token string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("api url %q: want http://host:port or https://host:port", baseURL)
	}
	if token == "" {
		return nil, errors.New("api token: empty")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: u, token: token, http: hc}, nil
}

// ListSilences returns the silences in any of states (every silence when
// none are given), soonest ending first.
func (c *Client) ListSilences(ctx context.Context, states ...silence.State) ([]Silence, error) {
	q := url.Values{}
	if len(states) > 0 {
		ss := make([]string, len(states))
		for i, s := range states {
			ss[i] = string(s)
		}
		q.Set("state", strings.Join(ss, ","))
	}
	var out SilenceList
	if err := c.do(ctx, http.MethodGet, "silences", q, nil, &out); err != nil {
		return nil, fmt.Errorf("list silences: %w", err)
	}
	return out.Silences, nil
}

// AddSilence creates a silence and returns it.
func (c *Client) AddSilence(ctx context.Context, req SilenceRequest) (Silence, error) {
	var out Silence
	if err := c.do(ctx, http.MethodPost, "silences", nil, req, &out); err != nil {
		return Silence{}, fmt.Errorf("add silence: %w", err)
	}
	return out, nil
}

// ExpireSilence ends a silence now and returns it.
func (c *Client) ExpireSilence(ctx context.Context, id string) (Silence, error) {
	var out Silence
	if err := c.do(ctx, http.MethodDelete, "silences/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return Silence{}, fmt.Errorf("expire silence %s: %w", id, err)
	}
	return out, nil
}

// ListCases returns the cases f selects; a zero Limit means the server's
// default.
func (c *Client) ListCases(ctx context.Context, f CaseFilter) ([]CaseSummary, error) {
	q := url.Values{}
	for name, v := range map[string]string{"brand": f.Brand, "state": f.State, "customer": f.Customer} {
		if v != "" {
			q.Set(name, v)
		}
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var out CaseList
	if err := c.do(ctx, http.MethodGet, "cases", q, nil, &out); err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return out.Cases, nil
}

// GetCase returns one case with its history.
func (c *Client) GetCase(ctx context.Context, id string) (CaseDetail, error) {
	var out CaseDetail
	if err := c.do(ctx, http.MethodGet, "cases/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return CaseDetail{}, fmt.Errorf("get case %s: %w", id, err)
	}
	return out, nil
}

// do sends one request under Prefix and decodes a 2xx JSON answer into
// out, or returns a *StatusError.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	u := c.base.JoinPath(Prefix, path)
	u.RawQuery = q.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err // names method and URL, never the token
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("read answer of %s %s: %w", method, u.Redacted(), err)
	}
	if resp.StatusCode/100 != 2 {
		se := &StatusError{StatusCode: resp.StatusCode}
		var e Error
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			se.Message, se.Details = e.Error, e.Details
		} else {
			se.Message = fmt.Sprintf("not an API answer from %s: %.200q", u.Redacted(), b)
		}
		return se
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode answer of %s %s: %w", method, u.Redacted(), err)
	}
	return nil
}
