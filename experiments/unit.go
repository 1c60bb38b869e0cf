package experiments

import (
	"context"

	"twolayer/experiments/store"
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

// run returns the unit's result with its History: the one recorded in
// u.Dir when it was computed from the same Inputs (and o.Fresh is not
// set), else a new training run, whose files are written (atomically)
// before run returns. kept says which; why says, when there was a record
// that could not be kept, why not.
func (u unit) run(ctx context.Context, o Options) (r *store.Run, kept bool, why string, err error) {
	in := inputsOf(o, u.Setup)
	if r, why = store.KeptUnit(u.Dir, in, o.Fresh); r != nil {
		o.publishKept(u.Setup, &r.Header, r.History)
		return r, true, "", nil
	}
	r, _, err = train(ctx, o, u.Setup)
	if err != nil {
		return nil, false, why, err
	}
	r.Dir, r.Inputs = u.Dir, &in
	if err := store.WriteUnit(r); err != nil {
		return nil, false, why, err
	}
	return r, false, why, nil
}
