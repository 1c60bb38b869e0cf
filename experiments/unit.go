package experiments

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"twolayer/experiments/store"
	"twolayer/network"
)

// unit is one training run of a search that stands on its own: its input
// is its Setup with the seed and the data (its Inputs), its output the
// files in Dir (summary.json, curves.csv, history.json), written as soon as
// it finishes. A unit depends on no other unit, so units may be run in any
// order or side by side; the search puts their results in the order of its
// λ, whatever order they finished in.
type unit struct {
	Dir   string // OUT/<search>/runs/<i>-lambda-<λ>
	Setup Setup
}

// unitFiles are the files of a unit, summary.json last: it is written
// after the others, so a unit with a summary is complete.
var unitFiles = []string{"curves.csv", "history.json", "summary.json"}

// run returns the unit's result with its History: the one recorded in
// u.Dir when it was computed from the same Inputs (and o.Fresh is not
// set), else a new training run, whose files are written (atomically)
// before run returns. kept says which; why says, when there was a record
// that could not be kept, why not.
func (u unit) run(ctx context.Context, o Options) (r *Result, kept bool, why string, err error) {
	in := inputsOf(o, u.Setup)
	if r, why = keptUnit(o, u.Dir, in); r != nil {
		return r, true, "", nil
	}
	r, _, err = train(ctx, o, u.Setup)
	if err != nil {
		return nil, false, why, err
	}
	r.Dir, r.Inputs = u.Dir, &in
	if err := writeUnit(r); err != nil {
		return nil, false, why, err
	}
	return r, false, why, nil
}

// keptUnit returns the unit recorded in dir from the inputs in, with its
// History read back (see kept), or nil and why not.
func keptUnit(o Options, dir string, in Inputs) (*Result, string) {
	r, why := kept(o, dir, in)
	if r == nil {
		return nil, why
	}
	data, err := os.ReadFile(filepath.Join(dir, "history.json"))
	if err != nil {
		return nil, fmt.Sprintf("its history cannot be read (%v)", err)
	}
	var h network.History
	if err := json.Unmarshal(data, &h); err != nil || len(h.Records) == 0 {
		return nil, fmt.Sprintf("%s is not a training history", filepath.Join(dir, "history.json"))
	}
	r.History = &h
	return r, ""
}

// writeUnit writes the files of the unit r into r.Dir: curves.csv,
// history.json (the History exactly, every float64 as Go writes it back
// to the same bits, for a later search that keeps the unit) and, last,
// summary.json.
func writeUnit(r *Result) error {
	if err := beginOutputs(r.Dir); err != nil {
		return err
	}
	hist, err := json.Marshal(r.History)
	if err != nil {
		return fmt.Errorf("encoding the history of %s: %w", r.Dir, err)
	}
	r.Files = unitFiles
	if err := store.WriteBytesAtomic(filepath.Join(r.Dir, "curves.csv"), CurvesCSV(r.History)); err != nil {
		return err
	}
	if err := store.WriteBytesAtomic(filepath.Join(r.Dir, "history.json"), append(hist, '\n')); err != nil {
		return err
	}
	return WriteSummary(filepath.Join(r.Dir, "summary.json"), r)
}
