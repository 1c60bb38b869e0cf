package experiments

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"twolayer/network"
)

// resultsVersion is the version of what the program computes. A result
// recorded by another version is never kept: bump it when a change to the
// code changes the numbers or the files of a run with the same inputs.
const resultsVersion = 1

// Inputs is everything the result of a run depends on: the program's
// version, the experiment, the data (by content, see cifar.Identity), the seed
// and every hyperparameter. A run is computed once for its Inputs: a rerun
// with the same Inputs keeps the recorded result (unless Options.Fresh), a
// rerun with other Inputs computes it again. It is written into the run's
// summary.json as "inputs".
type Inputs struct {
	Version    int    `json:"version"`    // resultsVersion
	Experiment string `json:"experiment"` // e.g. "coarse"
	Data       string `json:"data"`       // the data's identity (cifar.Identity)
	Seed       uint64 `json:"seed"`
	Split      string `json:"split"`           // "batch1" or "all"
	NVal       int    `json:"n_val,omitempty"` // validation images of the "all" split
	Hidden     int    `json:"hidden"`          // m
	Init       string `json:"init"`
	// Config is the training configuration (nil for the gradient check); its
	// StepSize is 0 when StepSizeFromData says n_s = 2⌊n / n_batch⌋.
	Config           *network.Config `json:"config,omitempty"`
	StepSizeFromData bool            `json:"step_size_from_data,omitempty"`
	Lambdas          []float64       `json:"lambdas,omitempty"` // a search's λ, in order
}

// inputsOf returns the Inputs of the training run s.
func inputsOf(o Options, s Setup) Inputs {
	hidden := s.Hidden
	if hidden == 0 {
		hidden = o.Hidden
	}
	c := s.Config
	return Inputs{
		Version: resultsVersion, Experiment: s.Name, Data: o.shared.dataID, Seed: o.Seed,
		Split: s.Split, NVal: s.NVal, Hidden: hidden, Init: s.Init.String(),
		Config: &c, StepSizeFromData: s.StepSizeFromData,
	}
}

// canonical returns the JSON of in as the current program writes it: a
// recorded Inputs read back into the struct and written again compares
// equal to a fresh one exactly when every field is equal (a field the
// record lacks counts as its zero value).
func (in Inputs) canonical() []byte {
	b, _ := json.Marshal(in) // cannot fail: no channels, funcs or NaN keys
	return b
}

// kept returns the result recorded in dir when it can stand for a run with
// the inputs in: dir/summary.json exists, was written with the same Inputs,
// and every file it lists is there. Otherwise it returns nil and why the
// run must be computed ("" when there is nothing recorded at all). Nothing
// is kept when o.Fresh is set.
func kept(o Options, dir string, in Inputs) (r *Result, why string) {
	path := filepath.Join(dir, "summary.json")
	r, err := ReadSummary(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, ""
	case o.Fresh:
		return nil, "-fresh"
	case err != nil:
		return nil, fmt.Sprintf("its summary cannot be read (%v)", err)
	case r.Inputs == nil:
		return nil, "its summary does not say what it was computed from (written by an older version of the program)"
	case in.Data == "":
		return nil, "the data could not be identified (see the warning above)"
	}
	if d := inputsDiff(*r.Inputs, in); d != "" {
		return nil, d
	}
	for _, f := range r.Files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, fmt.Sprintf("its file %s is missing", f)
		}
	}
	r.Dir = dir
	return r, ""
}

// keptSection returns the result of section dir recorded with the inputs
// in (see kept) and says so on the log; when there is a record that cannot
// be kept, it says why the section is computed again. A nil result means:
// compute it.
func keptSection(o Options, dir string, in Inputs) *Result {
	r, why := kept(o, dir, in)
	switch {
	case r != nil:
		o.logf("%s: kept from the run of %s (same parameters, seed and data; -fresh recomputes it)", in.Experiment, runDate(r.Finished))
	case why != "":
		o.logf("%s: recomputing: %s", in.Experiment, why)
	}
	return r
}

// runDate formats a Result.Finished time for messages: "2006-01-02 15:04
// UTC", or "an unknown date".
func runDate(finished string) string {
	t, err := time.Parse(time.RFC3339, finished)
	if err != nil {
		return "an unknown date"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// inputsDiff says how the recorded inputs old differ from new, "" when they
// are the same: "the seed (7 then, 8 now) differs", naming each field that
// differs.
func inputsDiff(old, new Inputs) string {
	a, b := old.canonical(), new.canonical()
	if bytes.Equal(a, b) {
		return ""
	}
	var ma, mb map[string]any
	json.Unmarshal(old.forMessage(), &ma)
	json.Unmarshal(new.forMessage(), &mb)
	var diffs []string
	diffValues("", ma, mb, &diffs)
	if len(diffs) == 0 { // not expected: equal as values, different as bytes
		return "its inputs differ"
	}
	if len(diffs) == 1 {
		return "the " + diffs[0] + " differs"
	}
	return "the " + strings.Join(diffs, ", the ") + " differ"
}

// forMessage returns the JSON of in for inputsDiff's message: without the
// configuration's seed when it is the seed of the run (as it is but for
// a free training run), which would repeat it.
func (in Inputs) forMessage() []byte {
	if in.Config != nil && in.Config.Seed == in.Seed {
		c := *in.Config
		c.Seed = 0
		in.Config = &c
	}
	return in.canonical()
}

// inputNames are the words messages use for the fields of Inputs.
var inputNames = map[string]string{
	"version":             "program version",
	"data":                "data (CIFAR-10 files of other content)",
	"seed":                "seed",
	"n_val":               "number of validation images",
	"hidden":              "number of hidden units",
	"init":                "weight initialisation",
	"step_size_from_data": "choice of n_s",
	"lambdas":             "λ of the search",
}

// diffValues appends to diffs one "NAME (A then, B now)" for each leaf where
// a and b (decoded JSON) differ, walking objects by sorted key.
func diffValues(path string, a, b any, diffs *[]string) {
	ma, aok := a.(map[string]any)
	mb, bok := b.(map[string]any)
	if aok && bok {
		for _, k := range sortedKeys(ma, mb) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffValues(p, ma[k], mb[k], diffs)
		}
		return
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if bytes.Equal(ja, jb) {
		return
	}
	name := path
	if n, ok := inputNames[path]; ok {
		name = n
	}
	*diffs = append(*diffs, fmt.Sprintf("%s (%s then, %s now)", name, short(ja), short(jb)))
}

// sortedKeys returns the keys of a and b, each once, in increasing order.
func sortedKeys[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// short shortens a JSON value for a message.
func short(b []byte) string {
	s := string(b)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// beginOutputs starts writing the files of a run into dir: it removes the
// run's summary.json first, so that a run whose writing stops half-way
// (a full disk, a crash) has no summary and counts as not run, rather than
// an old summary beside new files. The summary is written last (see
// writeOutputs).
func beginOutputs(dir string) error {
	err := os.Remove(filepath.Join(dir, "summary.json"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot replace the results in %s: %w", dir, err)
	}
	return nil
}
