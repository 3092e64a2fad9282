package train

import (
	"fmt"
	"io"
	"strings"
)

// Confusion is a confusion matrix: M[gold][predicted] counts.
type Confusion struct {
	// Classes names the classes, in index order.
	Classes []string
	// M counts rows by gold class (first index) and predicted class.
	M [][]int
}

// NewConfusion returns an empty matrix over classes.
func NewConfusion(classes []string) *Confusion {
	m := make([][]int, len(classes))
	for i := range m {
		m[i] = make([]int, len(classes))
	}
	return &Confusion{Classes: classes, M: m}
}

// Add counts one row.
func (c *Confusion) Add(gold, pred int) { c.M[gold][pred]++ }

// ClassScores are the one-vs-rest scores of one class.
type ClassScores struct {
	Precision, Recall, F1 float64
	Support               int
}

// Scores returns precision, recall and F1 of class i; a ratio with a zero
// denominator counts as 0.
func (c *Confusion) Scores(i int) ClassScores {
	tp := c.M[i][i]
	var predicted, support int
	for j := range c.M {
		predicted += c.M[j][i]
		support += c.M[i][j]
	}
	s := ClassScores{Support: support}
	if predicted > 0 {
		s.Precision = float64(tp) / float64(predicted)
	}
	if support > 0 {
		s.Recall = float64(tp) / float64(support)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

// MacroF1 is the unweighted mean of the classes' F1.
func (c *Confusion) MacroF1() float64 {
	if len(c.Classes) == 0 {
		return 0
	}
	var s float64
	for i := range c.Classes {
		s += c.Scores(i).F1
	}
	return s / float64(len(c.Classes))
}

// Accuracy is the share of rows on the diagonal.
func (c *Confusion) Accuracy() float64 {
	var ok, n int
	for i, row := range c.M {
		for j, v := range row {
			n += v
			if i == j {
				ok += v
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(ok) / float64(n)
}

// Write prints the per-class scores, the matrix and, last, the line
// "macro_f1=<value>".
func (c *Confusion) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s %9s %9s %9s %8s\n", "class", "precision", "recall", "f1", "support")
	for i, name := range c.Classes {
		s := c.Scores(i)
		fmt.Fprintf(&b, "%-10s %9.4f %9.4f %9.4f %8d\n", name, s.Precision, s.Recall, s.F1, s.Support)
	}
	fmt.Fprintf(&b, "\nconfusion matrix (rows: gold, columns: predicted)\n%-10s", "")
	for _, name := range c.Classes {
		fmt.Fprintf(&b, " %9s", name)
	}
	b.WriteByte('\n')
	for i, name := range c.Classes {
		fmt.Fprintf(&b, "%-10s", name)
		for j := range c.Classes {
			fmt.Fprintf(&b, " %9d", c.M[i][j])
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "\naccuracy=%.4f\nmacro_f1=%.4f\n", c.Accuracy(), c.MacroF1())
	_, err := io.WriteString(w, b.String())
	return err
}
