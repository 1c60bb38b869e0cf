package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"twolayer/network"
)

// Version is the version of what the program computes. A result recorded
// by another version is never kept: bump it when a change to the code
// changes the numbers or the files of a run with the same inputs.
const Version = 1

// Inputs is everything the result of a run depends on: the program's
// version, the experiment, the data (by content, see cifar.Identity), the
// seed and every hyperparameter. A run is computed once for its Inputs: a
// rerun with the same Inputs keeps the recorded result (unless -fresh), a
// rerun with other Inputs computes it again. It is written into the run's
// summary.json as "inputs".
type Inputs struct {
	Version    int    `json:"version"`    // Version
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

// canonical returns the JSON of in as the current program writes it: a
// recorded Inputs read back into the struct and written again compares
// equal to a fresh one exactly when every field is equal (a field the
// record lacks counts as its zero value).
func (in Inputs) canonical() []byte {
	b, _ := json.Marshal(in) // cannot fail: no channels, funcs or NaN keys
	return b
}

// diff says how the recorded inputs old differ from new, "" when they are
// the same: "the seed (7 then, 8 now) differs", naming each field that
// differs.
func diff(old, new Inputs) string {
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

// forMessage returns the JSON of in for diff's message: without the
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
func sortedKeys(a, b map[string]any) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
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
