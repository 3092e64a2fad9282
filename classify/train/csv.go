package train

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/vigia-dev/vigia/classify/text"
)

// Row is one labeled text.
type Row struct {
	// ID identifies the row inside its source; splits hash it.
	ID string
	// Text is the message.
	Text string
	// Label is the class index (see Classes).
	Label int
	// Lang is the ISO 639-1 language, or "" when unknown.
	Lang string
	// Weight scales the row's loss; 0 means 1.
	Weight float64
	// Source names the corpus the row comes from ("" for files read
	// directly); tuning averages its measures over sources.
	Source string
	// Aux marks a row of an auxiliary source: it is learned from but
	// not measured on while tuning (see Source.Aux).
	Aux bool
}

// ErrCSV marks a malformed CSV file.
var ErrCSV = errors.New("malformed csv")

// ReadLabeledFile reads a labeled CSV file; see ReadLabeled.
func ReadLabeledFile(path string, task text.Task) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	return ReadLabeled(f, path, task)
}

// ReadLabeled reads CSV with a header naming a "text" and a "label" column
// and optionally a "lang" column; other columns are ignored. Errors name
// the line.
func ReadLabeled(r io.Reader, name string, task text.Task) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s line 1: empty file, want a header with text and label: %w", name, ErrCSV)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s line 1: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	ti, okT := col["text"]
	li, okL := col["label"]
	if !okT || !okL {
		return nil, fmt.Errorf("read %s line 1: header %q lacks a text or label column: %w", name, head, ErrCSV)
	}
	gi, okG := col["lang"]
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("read %s line %d: %w", name, pe.StartLine, pe.Err)
			}
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(head) {
			return nil, fmt.Errorf("read %s line %d: %d fields, header has %d: %w", name, line, len(rec), len(head), ErrCSV)
		}
		lab, err := ParseLabel(task, rec[li])
		if err != nil {
			return nil, fmt.Errorf("read %s line %d: %w", name, line, err)
		}
		row := Row{ID: fmt.Sprint(len(rows)), Text: rec[ti], Label: lab}
		if okG {
			row.Lang = strings.ToLower(strings.TrimSpace(rec[gi]))
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// WriteLabeled writes rows as CSV with the header text,label,lang; labels
// are written as class names for sentiment and 1/0 otherwise.
func WriteLabeled(w io.Writer, task text.Task, rows []Row) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"text", "label", "lang"})
	names := Classes(task)
	for _, r := range rows {
		_ = cw.Write([]string{r.Text, names[r.Label], r.Lang})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
