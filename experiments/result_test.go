package experiments

import (
	"slices"
	"testing"
)

// TestWriteOutputsFileOrder: summary.json lists the extra files in name
// order, the same in every run (a map's order once made the fine search's
// list differ between two runs of the same program).
func TestWriteOutputsFileOrder(t *testing.T) {
	want := []string{"summary.json", "a.csv", "b.svg", "c.txt"}
	for range 20 {
		r := &Result{Experiment: "x", Dir: t.TempDir()}
		if err := writeOutputs(r, map[string][]byte{"c.txt": nil, "a.csv": nil, "b.svg": nil}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.Files, want) {
			t.Fatalf("files %q, want %q", r.Files, want)
		}
	}
}
