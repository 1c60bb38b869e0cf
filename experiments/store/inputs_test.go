package store

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"twolayer/network"
)

func TestInputsDiff(t *testing.T) {
	a := Inputs{Version: 1, Experiment: "fine", Data: "abc", Seed: 1, Lambdas: []float64{0, 0.001}}
	if d := diff(a, a); d != "" {
		t.Errorf("equal inputs differ: %s", d)
	}
	b := a
	b.Seed, b.Lambdas = 2, []float64{0, 0.002}
	if d := diff(a, b); d != "the λ of the search ([0,0.001] then, [0,0.002] now), the seed (1 then, 2 now) differ" {
		t.Errorf("diff %q", d)
	}
	// a field that an older record lacks counts as its zero value
	old := []byte(`{"version":1,"experiment":"fine","data":"abc","seed":1,"lambdas":[0,0.001]}`)
	var r Inputs
	if err := json.Unmarshal(old, &r); err != nil || diff(r, a) != "" {
		t.Errorf("a record without the zero fields differs: %v %q", err, diff(r, a))
	}
	// a key on either side only is a difference too
	var diffs []string
	diffValues("", map[string]any{"seed": 1.0}, map[string]any{"seed": 1.0, "n_val": 5000.0}, &diffs)
	diffValues("", map[string]any{"seed": 1.0, "hidden": 50.0}, map[string]any{"seed": 1.0}, &diffs)
	if want := []string{"number of validation images (null then, 5000 now)", "number of hidden units (50 then, null now)"}; !slices.Equal(diffs, want) {
		t.Errorf("diffs %q, want %q", diffs, want)
	}
}

// TestKeptComparesEveryInput: a run recorded with some inputs is kept for
// the same inputs and for no others: changing any one field of the Inputs
// (the split, the validation images and the initialisation among them)
// makes Kept recompute it, naming the field.
func TestKeptComparesEveryInput(t *testing.T) {
	cfg := network.Config{EtaMin: 1e-5, EtaMax: 0.1, StepSize: 6, Cycles: 1, BatchSize: 50, Lambda: 0.01, RecordsPerCycle: 4, Seed: 7}
	base := Inputs{Version: Version, Experiment: "one-cycle-all", Data: "abc", Seed: 7, Split: "all", NVal: 100, Hidden: 50, Init: "small", Config: &cfg}
	dir := t.TempDir()
	r := &Run{Header: Header{Experiment: base.Experiment, Dir: dir}, Trailer: Trailer{Inputs: &base}}
	if err := Write(r, nil); err != nil {
		t.Fatal(err)
	}
	if k, why := Kept[Run](dir, base, false); k == nil {
		t.Fatalf("the same inputs: not kept (%s)", why)
	}
	for _, tc := range []struct {
		change func(in *Inputs)
		want   string
	}{
		{func(in *Inputs) { in.Version++ }, "the program version"},
		{func(in *Inputs) { in.Experiment = "one-cycle" }, "the experiment"},
		{func(in *Inputs) { in.Data = "abd" }, "the data (CIFAR-10 files of other content)"},
		{func(in *Inputs) { in.Seed = 8 }, "the seed (7 then, 8 now)"},
		{func(in *Inputs) { in.Split = "batch1" }, `the split ("all" then, "batch1" now)`},
		{func(in *Inputs) { in.NVal = 150 }, "the number of validation images (100 then, 150 now)"},
		{func(in *Inputs) { in.Hidden = 20 }, "the number of hidden units (50 then, 20 now)"},
		{func(in *Inputs) { in.Init = "sqrt" }, `the weight initialisation ("small" then, "sqrt" now)`},
		{func(in *Inputs) { c := *in.Config; c.BatchSize = 25; in.Config = &c }, "the config.BatchSize (50 then, 25 now)"},
		{func(in *Inputs) { in.StepSizeFromData = true }, "the choice of n_s"},
		{func(in *Inputs) { in.Lambdas = []float64{0} }, "the λ of the search"},
	} {
		in := base
		tc.change(&in)
		k, why := Kept[Run](dir, in, false)
		if k != nil || !strings.Contains(why, tc.want) {
			t.Errorf("kept %v, why %q; want it recomputed because %s differs", k != nil, why, tc.want)
		}
	}
}
