// Package mmapi is Vigía's one wrapper over the Mattermost REST API (the
// official model.Client4), shared by the Mattermost collector and the
// Mattermost receiver: create, patch, update and get posts with a bot or
// personal access token.
//
// Every failure is an *Error carrying the HTTP status (zero when no answer
// came back), the Retry-After the server asked for and Mattermost's error
// id. Error strings never contain the token: it travels only in the
// Authorization header, and is redacted from any text that could echo it.
//
// mmapi/mmtest starts (or reuses) a real Mattermost server for tests.
package mmapi
