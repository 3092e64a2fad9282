package text

// Task names one text model's job.
type Task string

// The tasks with text models.
const (
	// TaskComplaint scores whether a message complains about a product or service.
	TaskComplaint Task = "complaint"
	// TaskTroll scores whether a message is abusive or offensive.
	TaskTroll Task = "troll"
	// TaskSpam scores whether a message is promotion, a scam or other spam.
	TaskSpam Task = "spam"
	// TaskSentiment scores sentiment: P(positive) - P(negative), in [-1,1].
	TaskSentiment Task = "sentiment"
)

// Tasks lists every task, in a fixed order.
func Tasks() []Task { return []Task{TaskComplaint, TaskTroll, TaskSpam, TaskSentiment} }

// Valid reports whether t is a known task.
func (t Task) Valid() bool {
	switch t {
	case TaskComplaint, TaskTroll, TaskSpam, TaskSentiment:
		return true
	}
	return false
}

// Prediction is one model's verdict on a Doc.
type Prediction struct {
	// Score is a probability in [0,1]; for sentiment it is
	// P(positive) - P(negative), in [-1,1].
	Score float64
	// Top holds the few tokens or word bigrams that pushed the score up
	// most (towards positive for sentiment), most influential first.
	Top []string
}
