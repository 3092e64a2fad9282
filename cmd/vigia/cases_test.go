package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/internal/httpapi"
)

func TestCasesListShow(t *testing.T) {
	api := startAPI(t)
	api.cases.list = []httpapi.CaseSummary{
		{ID: "x:conv-1", Brand: "acme", Channel: "x", Customer: "@maria", State: "open", Priority: "urgent", SLA: "breached",
			SLADueAt: apiT0.Add(-time.Minute), OpenedAt: apiT0.Add(-time.Hour), LastMessageAt: apiT0.Add(-30 * time.Minute), Messages: 3},
		{ID: "telegram:42", Brand: "globex", Channel: "telegram", Customer: "@juan", State: "resolved",
			OpenedAt: apiT0.Add(-2 * time.Hour), LastMessageAt: apiT0.Add(-time.Hour), FirstResponseAt: apiT0.Add(-90 * time.Minute), Messages: 2},
	}

	code, out, errOut := runVigia(t, "cases", "list", "--url", api.url)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, ""+
		"ID           BRAND   CHANNEL   STATE     PRIORITY  SLA       CUSTOMER  OPENED                LAST MESSAGE          MESSAGES\n"+
		"x:conv-1     acme    x         open      urgent    breached  @maria    2025-03-01T08:00:00Z  2025-03-01T08:30:00Z  3\n"+
		"telegram:42  globex  telegram  resolved  -         -         @juan     2025-03-01T07:00:00Z  2025-03-01T08:00:00Z  2\n", out)
	require.Equal(t, httpapi.CaseFilter{Limit: httpapi.DefaultCaseLimit}, api.cases.last)

	code, out, errOut = runVigia(t, "cases", "list", "--url", api.url, "--brand", "globex", "--state", "resolved",
		"--customer", "@juan", "--limit", "7", "--format", "json")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, httpapi.CaseFilter{Brand: "globex", State: "resolved", Customer: "@juan", Limit: 7}, api.cases.last)
	var list httpapi.CaseList
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	require.Len(t, list.Cases, 1)
	require.Equal(t, "telegram:42", list.Cases[0].ID)

	code, out, errOut = runVigia(t, "cases", "show", "--url", api.url, "x:conv-1")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, ""+
		"ID:              x:conv-1\n"+
		"Brand:           acme\n"+
		"Channel:         x\n"+
		"Customer:        @maria\n"+
		"State:           open\n"+
		"Priority:        urgent\n"+
		"SLA:             breached\n"+
		"SLA due:         2025-03-01T08:59:00Z\n"+
		"Opened:          2025-03-01T08:00:00Z\n"+
		"First response:  -\n"+
		"Last message:    2025-03-01T08:30:00Z\n"+
		"Messages:        3\n"+
		"\n"+
		"AT                    KIND     ACTOR        MESSAGE  TEXT\n"+
		"2025-03-01T08:00:00Z  message  @maria       x:100    where is my order? [31m\n"+
		"2025-03-01T08:05:00Z  reply    agent:lucia  x:101    Looking into it\n", out, "control characters never reach the terminal")

	code, out, errOut = runVigia(t, "cases", "show", "--url", api.url, "--format", "json", "telegram:42")
	require.Equal(t, 0, code, errOut)
	var d httpapi.CaseDetail
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	require.Equal(t, "@juan", d.Customer)
	require.Len(t, d.Events, 2)

	code, _, errOut = runVigia(t, "cases", "show", "--url", api.url, "nope")
	require.Equal(t, 1, code)
	require.Equal(t, "vigia cases: get case nope: 404 Not Found: case \"nope\" not found\n", errOut)
}
