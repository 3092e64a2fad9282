// Package mattermost is the Mattermost receiver: it posts each alert group
// as one message with attachments (a summary with the group's title, color
// and labels, then one attachment per alert), edits that same post on
// every later notification, and offers buttons (claim, replied, resolve,
// not a complaint, spam) on alerts about a case. A button press reaches
// Vigía through ActionHandler, which verifies the signed token the button
// carries before it applies anything.
//
// It talks to Mattermost through internal/mmapi, with a bot token read from
// the environment or a file.
package mattermost
