package replay

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func fuzzOptions(policy UTF8Policy) decodeOptions {
	return decodeOptions{
		maxLine:      2048,
		utf8:         policy,
		defaultBrand: "demo",
		brands:       map[string]string{"acmetelecomhelp": "acme-telecom"},
		unmapped:     UnmappedUseHandle,
		now:          func() time.Time { return fixedNow },
	}
}

// drain reads every row of src; each is a valid message or a skip with a
// known reason, and the input always ends.
func drain(t *testing.T, src source) {
	t.Helper()
	for range 100_000 {
		r, err := src.next()
		if err != nil {
			return
		}
		if r.err != nil {
			require.Contains(t, []string{reasonParse, reasonInvalid, reasonUTF8, reasonTooLong}, r.reason)
			continue
		}
		require.NoError(t, r.msg.Validate())
	}
	t.Fatal("source never ended")
}

// FuzzTwcsRow runs the two-pass twcs reader over arbitrary CSV text after a
// valid header: never panics, every published row validates.
func FuzzTwcsRow(f *testing.F) {
	f.Add("1,u1,True,Mon Oct 30 09:12:03 +0000 2017,@AcmeTelecomHelp hola,2,\n2,AcmeTelecomHelp,False,Mon Oct 30 09:20:41 +0000 2017,@u1 hi,,1.0\n", true)
	f.Add("3,u,True,Mon Oct 30 09:12:03 +0000 2017,\"multi\nline \"\"q\"\"\",\"4,5\",9\n", false)
	f.Add("4,u,true,x,a \"bare\" quote,,\n5,u\n6,u,False,Mon Oct 30 09:12:03 +0000 2017,\"never closed", true)
	f.Add("7,u,True,Mon Oct 30 09:12:03 +0000 2017,caf\xe9,,7\n8,u,True,Mon Oct 30 09:12:03 +0000 2017,x,8,8\n", false)
	f.Fuzz(func(t *testing.T, rows string, reject bool) {
		policy := UTF8Replace
		if reject {
			policy = UTF8Reject
		}
		input := twcsHeader + rows
		idx, err := buildIndex(strings.NewReader(input), 2048)
		if err != nil {
			require.True(t, errors.Is(err, errRecordTooLong), "index: %v", err)
			return
		}
		src, err := newTwcsSource(strings.NewReader(input), idx, fuzzOptions(policy))
		require.NoError(t, err)
		drain(t, src)
	})
}

// FuzzJSONL runs the JSON Lines reader over arbitrary input.
func FuzzJSONL(f *testing.F) {
	f.Add([]byte(`{"id":"x:1","brand":"a","channel":"x","kind":"mention","direction":"inbound","author":{"id":"u"},"created_at":"2025-03-03T10:00:00Z"}`+"\n"), false)
	f.Add([]byte("{\"id\":\"x:2\",\"text\":\"caf\xe9\"}\r\n\n{oops\n{} {}\nnull\n[1]"), true)
	f.Add(bytes.Repeat([]byte("a"), 5000), false)
	f.Fuzz(func(t *testing.T, data []byte, reject bool) {
		policy := UTF8Replace
		if reject {
			policy = UTF8Reject
		}
		src := newJSONLSource(bytes.NewReader(data), fuzzOptions(policy))
		for range 100_000 {
			r, err := src.next()
			if errors.Is(err, io.EOF) {
				return
			}
			require.NoError(t, err)
			if r.err == nil {
				require.NoError(t, r.msg.Validate())
			}
		}
		t.Fatal("source never ended")
	})
}
