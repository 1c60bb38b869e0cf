package store

// AllResult is what All did: when, where, and the sections that finished.
// It is written as OUT/summary.json, but for Results.
type AllResult struct {
	Started  string       `json:"started"` // RFC 3339 time
	Machine  Machine      `json:"machine"`
	Sections []SectionRun `json:"sections"`
	Seconds  float64      `json:"seconds"`
	Report   []string     `json:"report"` // the report files, relative to OUT
	// Results are the summaries of the sections, in the order they ran.
	Results []Summary `json:"-"`
}

// SectionRun is one finished section of All: its Seconds and Finished
// are those of the run that computed it, which may be an earlier one whose
// result All kept.
type SectionRun struct {
	Experiment string  `json:"experiment"`
	Section    string  `json:"section"`
	Seconds    float64 `json:"seconds"`
	Finished   string  `json:"finished,omitempty"` // when it was computed, RFC 3339
	Dir        string  `json:"dir"`
}

// Add records the summary s of a section that finished.
func (a *AllResult) Add(s Summary) {
	h := s.Head()
	a.Results = append(a.Results, s)
	a.Sections = append(a.Sections, SectionRun{Experiment: h.Experiment, Section: h.Section, Seconds: h.Seconds, Finished: h.Finished, Dir: h.Dir})
}

// Finished returns the names of the sections that finished.
func (a *AllResult) Finished() []string {
	var names []string
	for _, s := range a.Sections {
		names = append(names, s.Experiment)
	}
	return names
}
