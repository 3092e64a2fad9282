package text

// Models holds every trained text model, keyed by task and language.
type Models struct {
	byKey map[string]*Model
}

// Model is one trained linear model for a task and language.
type Model struct {
	Task Task
	Lang string
}

// LoadEmbedded returns the models embedded in package classify/models.
func LoadEmbedded() (*Models, error) {
	return &Models{byKey: map[string]*Model{}}, nil
}

// Predict scores d with the model for task and lang. If there is no model
// for lang it falls back to the English one; ok is false when there is no
// model for task at all.
func (m *Models) Predict(d *Doc, task Task, lang string) (Prediction, bool) {
	return Prediction{}, false
}
