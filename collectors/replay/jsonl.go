package replay

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/segmentio/encoding/json"

	"github.com/vigia-dev/vigia/internal/message"
)

// row is one decoded row: a message, or the reason it was skipped.
type row struct {
	line   int // 1-based line where the row starts
	msg    message.Message
	reason string // one of the reason* constants when err is set
	err    error
}

// source yields rows until io.EOF; any other error is fatal for the file.
type source interface {
	next() (row, error)
}

type decodeOptions struct {
	maxLine      int
	utf8         UTF8Policy
	defaultBrand string
	brands       map[string]string
	unmapped     UnmappedHandle
	now          func() time.Time
}

// lineReader reads lines of at most max bytes; longer ones are discarded.
type lineReader struct {
	r    *bufio.Reader
	max  int
	line int
	buf  []byte
}

var errLineTooLong = errors.New("line too long")

// next returns the next line without its newline. A line over max bytes is
// consumed and reported with errLineTooLong; io.EOF ends the input.
func (l *lineReader) next() ([]byte, error) {
	l.line++
	l.buf = l.buf[:0]
	tooLong := false
	for {
		chunk, err := l.r.ReadSlice('\n')
		if !tooLong && len(l.buf)+len(chunk) <= l.max+2 {
			l.buf = append(l.buf, chunk...)
		} else {
			tooLong = true
			l.buf = l.buf[:0]
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read line %d: %w", l.line, err)
		}
		if tooLong {
			return nil, errLineTooLong
		}
		if errors.Is(err, io.EOF) && len(l.buf) == 0 {
			return nil, io.EOF
		}
		line := bytes.TrimSuffix(bytes.TrimSuffix(l.buf, []byte("\n")), []byte("\r"))
		if len(line) > l.max {
			return nil, errLineTooLong
		}
		return line, nil
	}
}

type jsonlSource struct {
	lines lineReader
	opt   decodeOptions
}

func newJSONLSource(r io.Reader, opt decodeOptions) *jsonlSource {
	return &jsonlSource{lines: lineReader{r: bufio.NewReaderSize(r, 64<<10), max: opt.maxLine}, opt: opt}
}

func (s *jsonlSource) next() (row, error) {
	for {
		line, err := s.lines.next()
		n := s.lines.line
		switch {
		case errors.Is(err, errLineTooLong):
			return row{line: n, reason: reasonTooLong, err: fmt.Errorf("longer than max_line_bytes (%d)", s.opt.maxLine)}, nil
		case err != nil:
			return row{}, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return decodeJSONLine(n, line, s.opt), nil
	}
}

// decodeJSONLine decodes one line into a message, fills the defaults and
// validates it.
func decodeJSONLine(n int, line []byte, opt decodeOptions) row {
	if !utf8.Valid(line) {
		if opt.utf8 == UTF8Reject {
			return row{line: n, reason: reasonUTF8, err: errors.New("invalid UTF-8")}
		}
		line = bytes.ToValidUTF8(line, []byte("\uFFFD"))
	}
	// segmentio's decoder is a drop-in for encoding/json at about a fifth
	// of the cost, which matters at replay speed; strings are copied, so
	// the line buffer can be reused.
	var m message.Message
	rest, err := json.Parse(line, &m, json.DisallowUnknownFields|json.DontMatchCaseInsensitiveStructFields)
	if err != nil {
		return row{line: n, reason: reasonParse, err: fmt.Errorf("decode message: %w", err)}
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return row{line: n, reason: reasonParse, err: errors.New("decode message: data after the object")}
	}
	if m.Brand == "" {
		m.Brand = opt.defaultBrand
	}
	m.Normalize(opt.now())
	if err := m.Validate(); err != nil {
		return row{line: n, reason: reasonInvalid, err: err}
	}
	return row{line: n, msg: m}
}
