package replay

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigia-dev/vigia/internal/message"
)

// The twcs columns, by header name.
const (
	colTweetID     = "tweet_id"
	colAuthorID    = "author_id"
	colInbound     = "inbound"
	colCreatedAt   = "created_at"
	colText        = "text"
	colResponseIDs = "response_tweet_id"
	colInReplyTo   = "in_response_to_tweet_id"
)

var twcsColumns = []string{colTweetID, colAuthorID, colInbound, colCreatedAt, colText, colResponseIDs, colInReplyTo}

// twcsTimeLayout is the created_at layout, e.g. "Tue Oct 31 22:10:47 +0000 2017".
const twcsTimeLayout = time.RubyDate

// maxChainDepth bounds the walk up a reply chain, against cycles in bad files.
const maxChainDepth = 10_000

// errRecordTooLong aborts a CSV file: a record that long is almost always an
// unterminated quote swallowing the rest of the file.
var errRecordTooLong = errors.New("csv record longer than max_line_bytes; unterminated quote?")

// boundedReader fails once more than limit bytes were read past mark, so a
// broken quote cannot make the CSV reader buffer the whole file.
type boundedReader struct {
	r     io.Reader
	n     int64
	mark  int64
	limit int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n-b.mark > b.limit {
		return 0, errRecordTooLong
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

// csvReader reads twcs records with bounded size and named columns.
type csvReader struct {
	br   *boundedReader
	cr   *csv.Reader
	col  map[string]int
	last int // first line of the last record read
}

func newCSVReader(r io.Reader, maxRecord int) (*csvReader, error) {
	// Slack for the csv package's own read-ahead buffer.
	br := &boundedReader{r: r, limit: int64(maxRecord) + 64<<10}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read twcs header: %w", err)
	}
	c := &csvReader{br: br, cr: cr, col: make(map[string]int, len(header))}
	for i, h := range header {
		c.col[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	var missing []string
	for _, name := range twcsColumns {
		if _, ok := c.col[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("read twcs header: missing columns %s; want %s", strings.Join(missing, ","), strings.Join(twcsColumns, ","))
	}
	cr.FieldsPerRecord = len(header)
	c.br.mark = cr.InputOffset()
	c.last, _ = cr.FieldPos(0)
	return c, nil
}

// read returns the next record and its first line. A *csv.ParseError is a
// bad row; other errors end the file.
func (c *csvReader) read() (rec []string, line int, err error) {
	rec, err = c.cr.Read()
	c.br.mark = c.cr.InputOffset()
	var pe *csv.ParseError
	switch {
	case err == nil:
		line, _ = c.cr.FieldPos(0)
		c.last = line
	case errors.As(err, &pe):
		line = pe.StartLine
		c.last = line
	case errors.Is(err, errRecordTooLong):
		return nil, c.last + 1, fmt.Errorf("record after line %d: %w", c.last, err)
	}
	return rec, line, err
}

func (c *csvReader) get(rec []string, name string) string { return rec[c.col[name]] }

// parseTweetID parses a tweet id; the real dataset writes some as floats ("8.0").
func parseTweetID(s string) (uint64, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".0")
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("%q: want a positive decimal tweet id", s)
	}
	return id, nil
}

// parseOptionalID parses an id column that may be empty (0).
func parseOptionalID(s string) (uint64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	return parseTweetID(s)
}

// parseIDList parses response_tweet_id: empty or comma-separated ids.
func parseIDList(s string) ([]uint64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	ids := make([]uint64, 0, len(parts))
	for _, p := range parts {
		id, err := parseTweetID(p)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func parseInbound(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q: want True or False", s)
}

// tweetInfo is what the first pass keeps of every row.
type tweetInfo struct {
	parent uint64 // in_response_to_tweet_id, 0 if none
	handle int32  // index in twcsIndex.handles for outbound rows, -1 otherwise
}

// twcsIndex is the whole file's reply graph, built in a first pass, so the
// second pass can find roots and brands whatever the row order.
type twcsIndex struct {
	tweets  map[uint64]tweetInfo
	handles []string         // normalized handles of outbound authors
	byName  map[string]int32 // normalized handle -> index in handles
}

// buildIndex reads every parseable row of r. Bad rows are left for the
// second pass to report.
func buildIndex(r io.Reader, maxRecord int) (*twcsIndex, error) {
	cr, err := newCSVReader(r, maxRecord)
	if err != nil {
		return nil, err
	}
	idx := &twcsIndex{tweets: make(map[uint64]tweetInfo), byName: make(map[string]int32)}
	for {
		rec, _, err := cr.read()
		if errors.Is(err, io.EOF) {
			return idx, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			continue
		}
		if err != nil {
			return nil, err
		}
		id, err1 := parseTweetID(cr.get(rec, colTweetID))
		parent, err2 := parseOptionalID(cr.get(rec, colInReplyTo))
		inbound, err3 := parseInbound(cr.get(rec, colInbound))
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		info := tweetInfo{parent: parent, handle: -1}
		if !inbound {
			info.handle = idx.intern(normHandle(cr.get(rec, colAuthorID)))
		}
		idx.tweets[id] = info
	}
}

func (x *twcsIndex) intern(h string) int32 {
	if i, ok := x.byName[h]; ok {
		return i
	}
	i := int32(len(x.handles))
	x.handles = append(x.handles, h)
	x.byName[h] = i
	return i
}

// root returns the id of the first tweet of id's reply chain: the topmost
// ancestor in the file, or the missing parent the chain points to.
func (x *twcsIndex) root(id uint64) uint64 {
	cur := id
	for range maxChainDepth {
		info, ok := x.tweets[cur]
		if !ok || info.parent == 0 {
			return cur
		}
		cur = info.parent
	}
	return cur
}

// ancestorHandle returns the brand handle of the nearest outbound ancestor.
func (x *twcsIndex) ancestorHandle(id uint64) (string, bool) {
	cur := id
	for range maxChainDepth {
		info, ok := x.tweets[cur]
		if !ok || info.parent == 0 {
			return "", false
		}
		cur = info.parent
		if p, ok := x.tweets[cur]; ok && p.handle >= 0 {
			return x.handles[p.handle], true
		}
	}
	return "", false
}

// twcsRow is a twcs record kept as Message.Raw, with the dataset's names.
type twcsRow struct {
	TweetID             string `json:"tweet_id"`
	AuthorID            string `json:"author_id"`
	Inbound             string `json:"inbound"`
	CreatedAt           string `json:"created_at"`
	Text                string `json:"text"`
	ResponseTweetID     string `json:"response_tweet_id"`
	InResponseToTweetID string `json:"in_response_to_tweet_id"`
}

type twcsSource struct {
	cr  *csvReader
	idx *twcsIndex
	opt decodeOptions
}

func newTwcsSource(r io.Reader, idx *twcsIndex, opt decodeOptions) (*twcsSource, error) {
	cr, err := newCSVReader(r, opt.maxLine)
	if err != nil {
		return nil, err
	}
	return &twcsSource{cr: cr, idx: idx, opt: opt}, nil
}

func (s *twcsSource) next() (row, error) {
	rec, line, err := s.cr.read()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return row{line: line, reason: reasonParse, err: pe}, nil
	}
	if err != nil {
		return row{}, err
	}
	raw := twcsRow{
		TweetID:             s.cr.get(rec, colTweetID),
		AuthorID:            s.cr.get(rec, colAuthorID),
		Inbound:             s.cr.get(rec, colInbound),
		CreatedAt:           s.cr.get(rec, colCreatedAt),
		Text:                s.cr.get(rec, colText),
		ResponseTweetID:     s.cr.get(rec, colResponseIDs),
		InResponseToTweetID: s.cr.get(rec, colInReplyTo),
	}
	return decodeTwcsRow(line, raw, s.idx, s.opt), nil
}

// fixUTF8 applies the invalid-UTF-8 policy to every field of r.
func fixUTF8(r *twcsRow, policy UTF8Policy) bool {
	fields := []*string{&r.TweetID, &r.AuthorID, &r.Inbound, &r.CreatedAt, &r.Text, &r.ResponseTweetID, &r.InResponseToTweetID}
	for _, f := range fields {
		if utf8.ValidString(*f) {
			continue
		}
		if policy == UTF8Reject {
			return false
		}
		*f = strings.ToValidUTF8(*f, "\uFFFD")
	}
	return true
}

// decodeTwcsRow maps one twcs row to a message. idx may be empty (a file
// read in one pass); the row then only knows its own columns.
func decodeTwcsRow(line int, r twcsRow, idx *twcsIndex, opt decodeOptions) row {
	bad := func(reason string, err error) row { return row{line: line, reason: reason, err: err} }
	if !fixUTF8(&r, opt.utf8) {
		return bad(reasonUTF8, errors.New("invalid UTF-8"))
	}
	var errs []error
	id, err := parseTweetID(r.TweetID)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", colTweetID, err))
	}
	inbound, err := parseInbound(r.Inbound)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", colInbound, err))
	}
	created, err := time.Parse(twcsTimeLayout, strings.TrimSpace(r.CreatedAt))
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %q: want a time like %q", colCreatedAt, r.CreatedAt, "Tue Oct 31 22:10:47 +0000 2017"))
	}
	parent, err := parseOptionalID(r.InResponseToTweetID)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", colInReplyTo, err))
	}
	responses, err := parseIDList(r.ResponseTweetID)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", colResponseIDs, err))
	}
	if strings.TrimSpace(r.AuthorID) == "" {
		errs = append(errs, fmt.Errorf("%s: is empty", colAuthorID))
	}
	if len(errs) > 0 {
		return bad(reasonInvalid, errors.Join(errs...))
	}
	rawJSON, err := json.Marshal(r)
	if err != nil {
		return bad(reasonInvalid, fmt.Errorf("encode raw row: %w", err))
	}
	ext := strconv.FormatUint(id, 10)
	m := message.Message{
		ID:             message.NewID(message.ChannelX, ext),
		Channel:        message.ChannelX,
		Kind:           message.KindMention,
		Direction:      message.DirectionInbound,
		ConversationID: strconv.FormatUint(idx.root(id), 10),
		Author:         message.Author{ID: r.AuthorID},
		Text:           r.Text,
		CreatedAt:      created,
		Raw:            rawJSON,
	}
	if parent != 0 {
		m.Kind = message.KindReply
		m.InReplyTo = message.NewID(message.ChannelX, strconv.FormatUint(parent, 10))
		if _, known := idx.tweets[id]; !known {
			m.ConversationID = strconv.FormatUint(idx.root(parent), 10)
		}
	}
	if inbound {
		m.Brand = inboundBrand(r.Text, id, responses, idx, opt)
	} else {
		m.Direction = message.DirectionOutbound
		m.Author.Handle = r.AuthorID
		m.Brand = brandOf(normHandle(r.AuthorID), opt)
	}
	m.Normalize(opt.now())
	if err := m.Validate(); err != nil {
		return bad(reasonInvalid, err)
	}
	return row{line: line, msg: m}
}

// brandOf maps a normalized brand handle to its brand.
func brandOf(handle string, opt decodeOptions) string {
	if b, ok := opt.brands[handle]; ok {
		return b
	}
	if opt.unmapped == UnmappedUseHandle && handle != "" {
		return handle
	}
	return opt.defaultBrand
}

// inboundBrand finds the brand a customer wrote to: a brand handle
// @mentioned in the text, else the brand that replied to it, else the brand
// in its reply chain, else the default brand.
func inboundBrand(text string, id uint64, responses []uint64, idx *twcsIndex, opt decodeOptions) string {
	for _, h := range mentions(text) {
		if _, ok := opt.brands[h]; ok {
			return opt.brands[h]
		}
		if _, ok := idx.byName[h]; ok {
			return brandOf(h, opt)
		}
	}
	for _, r := range responses {
		if info, ok := idx.tweets[r]; ok && info.handle >= 0 {
			return brandOf(idx.handles[info.handle], opt)
		}
	}
	if h, ok := idx.ancestorHandle(id); ok {
		return brandOf(h, opt)
	}
	return opt.defaultBrand
}

// mentions returns the normalized @handles in text, in order.
func mentions(text string) []string {
	var out []string
	for i := 0; i < len(text); i++ {
		if text[i] != '@' || (i > 0 && isHandleByte(text[i-1])) {
			continue
		}
		j := i + 1
		for j < len(text) && isHandleByte(text[j]) {
			j++
		}
		if j > i+1 {
			out = append(out, strings.ToLower(text[i+1:j]))
		}
		i = j - 1
	}
	return out
}

func isHandleByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}
