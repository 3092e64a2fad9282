//go:build tools

// Package mattermost pins the Mattermost server that deploy/mattermost-local.sh
// builds for the real-server tests. It is a separate module so that the
// server's dependency graph never enters the main module.
package mattermost

import (
	_ "github.com/mattermost/mattermost/server/v8/cmd/mattermost"
)
