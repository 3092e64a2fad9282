// Package mmtest gives tests a real Mattermost server: the one named by
// VIGIA_MATTERMOST_URL, or the local one deploy/mattermost-local.sh builds
// and starts. Each test gets a fresh channel in a shared team, a bot token
// that can post there, and a second, ordinary user who can read the channel
// and press the buttons of its posts. Without a server a test is skipped,
// or fails when CI=true.
//
// The accounts are created on first use and reused: a system admin (the
// first user of a fresh server becomes one), the bot and the user, all with
// fixed names and passwords. That is only fit for a throw-away server on
// 127.0.0.1, which is what the script runs.
package mmtest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/vigia-dev/vigia/internal/localserver"
)

// EnvURL names the environment variable holding the base URL of the
// Mattermost server to test against.
const EnvURL = "VIGIA_MATTERMOST_URL"

// The fixed accounts and team on the test server.
const (
	AdminUsername = "vigia-admin"
	UserUsername  = "vigia-user"
	BotUsername   = "vigia-bot"
	TeamName      = "vigia-test"
	// password satisfies Mattermost's default policy.
	password = "Vigia-test-password-1"
)

const startCommand = "deploy/mattermost-local.sh start"

// Server is a real Mattermost server prepared for one test.
type Server struct {
	// URL is the server's base URL.
	URL string
	// BotToken is a fresh access token of the bot, revoked when the test
	// ends. The bot is a member of Team and Channel.
	BotToken string
	// BotUserID is the bot's user id.
	BotUserID string
	// Team is the shared test team.
	Team *model.Team
	// Channel is a public channel created for this test and archived when
	// it ends.
	Channel *model.Channel
	// Admin is a client logged in as a system admin.
	Admin *model.Client4
	// User is a client logged in as an ordinary member of Team and
	// Channel, for acting as a person would (pressing buttons).
	User *model.Client4
	// UserID and UserName identify User.
	UserID, UserName string
}

// New returns the server prepared for t. It fails the test if the server
// answers but cannot be set up.
func New(t testing.TB) *Server {
	t.Helper()
	base := URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := setup(ctx, t, base)
	if err != nil {
		t.Fatalf("mmtest: set up %s: %v", base, err)
	}
	return s
}

// URL returns the base URL of a Mattermost server that answers:
// VIGIA_MATTERMOST_URL if set, else the server deploy/mattermost-local.sh
// starts (or is already running). Without one it skips the test, or fails
// it when CI=true.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		var err error
		base, err = runScript("start")
		if err != nil {
			unavailable(t, err)
			return ""
		}
	}
	base = strings.TrimRight(base, "/")
	if err := waitReady(base, 30*time.Second); err != nil {
		unavailable(t, err)
	}
	return base
}

// Bot returns a client authenticated with BotToken.
func (s *Server) Bot() *model.Client4 {
	c := model.NewAPIv4Client(s.URL)
	c.SetToken(s.BotToken)
	return c
}

// Press presses the button named name on post postID as User, as a
// person clicking it would: Mattermost then calls the button's
// integration URL. It returns Mattermost's answer; an integration that
// refused (non-2xx) makes it an error.
func (s *Server) Press(ctx context.Context, postID, name string) error {
	post, _, err := s.User.GetPost(ctx, postID, "")
	if err != nil {
		return fmt.Errorf("get post %s as %s: %w", postID, s.UserName, err)
	}
	for _, a := range post.Attachments() {
		for _, act := range a.Actions {
			if act.Name != name {
				continue
			}
			if _, err := s.User.DoPostActionWithCookie(ctx, postID, act.Id, "", ""); err != nil {
				return fmt.Errorf("press %q on post %s: %w", name, postID, err)
			}
			return nil
		}
	}
	return fmt.Errorf("post %s has no button %q", postID, name)
}

// ChannelPosts returns the posts of Channel, newest first, read as Admin.
func (s *Server) ChannelPosts(ctx context.Context) ([]*model.Post, error) {
	list, _, err := s.Admin.GetPostsForChannel(ctx, s.Channel.Id, 0, 200, "", false, false)
	if err != nil {
		return nil, fmt.Errorf("list posts of channel %s: %w", s.Channel.Name, err)
	}
	posts := make([]*model.Post, 0, len(list.Order))
	for _, id := range list.Order {
		posts = append(posts, list.Posts[id])
	}
	return posts, nil
}

func setup(ctx context.Context, t testing.TB, base string) (*Server, error) {
	admin, adminUser, err := loginOrCreate(ctx, base, AdminUsername)
	if err != nil {
		return nil, err
	}
	if !adminUser.IsSystemAdmin() {
		return nil, fmt.Errorf("user %s is not a system admin (roles %q): the server had users before mmtest created its admin; use a fresh server", AdminUsername, adminUser.Roles)
	}
	team, err := ensureTeam(ctx, admin)
	if err != nil {
		return nil, err
	}
	user, u, err := loginOrCreate(ctx, base, UserUsername)
	if err != nil {
		return nil, err
	}
	bot, err := ensureBot(ctx, admin)
	if err != nil {
		return nil, err
	}
	for _, id := range []string{u.Id, bot.UserId} {
		if _, _, err := admin.AddTeamMember(ctx, team.Id, id); err != nil {
			return nil, fmt.Errorf("add user %s to team %s: %w", id, team.Name, err)
		}
	}
	token, _, err := admin.CreateUserAccessToken(ctx, bot.UserId, "mmtest "+t.Name())
	if err != nil {
		return nil, fmt.Errorf("create access token for bot %s: %w", BotUsername, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.RevokeUserAccessToken(ctx, token.Id); err != nil {
			t.Logf("mmtest: revoke bot token: %v", err)
		}
	})
	ch, err := newChannel(ctx, t, admin, team)
	if err != nil {
		return nil, err
	}
	for _, id := range []string{u.Id, bot.UserId} {
		if _, _, err := admin.AddChannelMember(ctx, ch.Id, id); err != nil {
			return nil, fmt.Errorf("add user %s to channel %s: %w", id, ch.Name, err)
		}
	}
	return &Server{
		URL: base, BotToken: token.Token, BotUserID: bot.UserId, Team: team, Channel: ch,
		Admin: admin, User: user, UserID: u.Id, UserName: u.Username,
	}, nil
}

// loginOrCreate logs in as username, creating the account first when it
// does not exist. Test binaries of several packages may race to create it;
// the loser logs in.
func loginOrCreate(ctx context.Context, base, username string) (*model.Client4, *model.User, error) {
	c := model.NewAPIv4Client(base)
	var last error
	for range 5 {
		u, _, err := c.Login(ctx, username, password)
		if err == nil {
			return c, u, nil
		}
		last = err
		_, resp, err := c.CreateUser(ctx, &model.User{Username: username, Email: username + "@vigia.test", Password: password})
		if err != nil && (resp == nil || resp.StatusCode != http.StatusBadRequest) {
			last = err
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return nil, nil, fmt.Errorf("log in or create user %s: %w", username, last)
}

func ensureTeam(ctx context.Context, admin *model.Client4) (*model.Team, error) {
	var last error
	for range 5 {
		team, _, err := admin.GetTeamByName(ctx, TeamName, "")
		if err == nil {
			return team, nil
		}
		last = err
		team, _, err = admin.CreateTeam(ctx, &model.Team{Name: TeamName, DisplayName: "Vigía tests", Type: model.TeamOpen})
		if err == nil {
			return team, nil
		}
		last = err
	}
	return nil, fmt.Errorf("get or create team %s: %w", TeamName, last)
}

func ensureBot(ctx context.Context, admin *model.Client4) (*model.Bot, error) {
	var last error
	for range 5 {
		u, _, err := admin.GetUserByUsername(ctx, BotUsername, "")
		if err == nil {
			bot, _, err := admin.GetBotIncludeDeleted(ctx, u.Id, "")
			if err != nil {
				return nil, fmt.Errorf("get bot %s: %w", BotUsername, err)
			}
			return bot, nil
		}
		bot, _, err := admin.CreateBot(ctx, &model.Bot{Username: BotUsername, DisplayName: "Vigía"})
		if err == nil {
			return bot, nil
		}
		last = err
	}
	return nil, fmt.Errorf("get or create bot %s: %w", BotUsername, last)
}

func newChannel(ctx context.Context, t testing.TB, admin *model.Client4, team *model.Team) (*model.Channel, error) {
	name := localserver.UniqueName(t.Name(), '-')
	ch, _, err := admin.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: name, DisplayName: name, Type: model.ChannelTypeOpen})
	if err != nil {
		return nil, fmt.Errorf("create channel %s: %w", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.DeleteChannel(ctx, ch.Id); err != nil {
			t.Logf("mmtest: archive channel %s: %v", name, err)
		}
	})
	return ch, nil
}

// Stop stops the server deploy/mattermost-local.sh started, for tests of
// an unreachable server. Every test sharing that server sees the outage,
// so use it only in tests that own the server.
func Stop(t testing.TB) {
	t.Helper()
	if _, err := runScript("stop"); err != nil {
		t.Fatalf("mmtest: stop mattermost: %v", err)
	}
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("mmtest: no Mattermost under CI=true: %v", err)
	}
	t.Skipf("mmtest: no Mattermost (%v); start one with `%s` or set %s", err, startCommand, EnvURL)
}

// waitReady polls /api/v4/system/ping until it answers OK or timeout
// passes.
func waitReady(base string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := model.NewAPIv4Client(base)
	c.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	var last error
	for {
		status, _, err := c.GetPing(ctx)
		if err == nil && status == model.StatusOk {
			return nil
		}
		last = err
		if last == nil {
			last = fmt.Errorf("ping answered %q", status)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("mattermost at %s did not answer within %s: %w", base, timeout, last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// runScript runs deploy/mattermost-local.sh verb and returns its last
// stdout word: the URL, for start. The first start builds the server,
// which takes minutes.
func runScript(verb string) (string, error) {
	return localserver.Script("mattermost-local.sh", verb, 20*time.Minute)
}
