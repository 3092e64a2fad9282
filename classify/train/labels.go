package train

import (
	"fmt"
	"strings"

	"github.com/vigia-dev/vigia/classify/text"
)

// Classes returns the class names of a task in label order.
func Classes(task text.Task) []string {
	if task == text.TaskSentiment {
		return []string{"negative", "neutral", "positive"}
	}
	return []string{"0", "1"}
}

// NumClasses returns the model's Classes value for a task: 1 for binary
// tasks, 3 for sentiment.
func NumClasses(task text.Task) int {
	if task == text.TaskSentiment {
		return 3
	}
	return 1
}

// ParseLabel reads a label for task: 1/0, true/false, yes/no or spam/ham
// for binary tasks; negative/neutral/positive or 0/1/2 for sentiment.
func ParseLabel(task text.Task, s string) (int, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if task == text.TaskSentiment {
		switch v {
		case "negative", "neg", "0":
			return 0, nil
		case "neutral", "neu", "1":
			return 1, nil
		case "positive", "pos", "2":
			return 2, nil
		}
		return 0, fmt.Errorf("label %q: want negative, neutral or positive (or 0, 1, 2)", s)
	}
	switch v {
	case "1", "true", "yes", "spam", "y", "t":
		return 1, nil
	case "0", "false", "no", "ham", "n", "f":
		return 0, nil
	}
	return 0, fmt.Errorf("label %q: want 1/0, true/false, yes/no or spam/ham", s)
}
