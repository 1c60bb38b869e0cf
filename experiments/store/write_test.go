package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"twolayer/network"
)

// TestWriteLists: summary.json lists itself, the files in the order they
// were given, then the files the summary listed already; every one is
// there, and the summary reads back as what was written.
func TestWriteLists(t *testing.T) {
	r := &Final{Header: Header{Experiment: "final", Dir: t.TempDir()}, LambdaSource: "a test", Trailer: Trailer{Files: []string{"model.bin"}}}
	files := []File{{"curves.csv", []byte("c")}, {"b.svg", []byte("b")}, {"a.svg", []byte("a")}}
	if err := Write(r, files); err != nil {
		t.Fatal(err)
	}
	want := []string{"summary.json", "curves.csv", "b.svg", "a.svg", "model.bin"}
	if !slices.Equal(r.Files, want) {
		t.Errorf("files %q, want %q", r.Files, want)
	}
	for _, f := range files {
		if got, err := os.ReadFile(filepath.Join(r.Dir, f.Name)); err != nil || string(got) != string(f.Data) {
			t.Errorf("%s: %q, %v; want %q", f.Name, got, err, f.Data)
		}
	}
	back, err := Read[Final](filepath.Join(r.Dir, SummaryFile))
	if err != nil || back.LambdaSource != "a test" || !slices.Equal(back.Files, want) {
		t.Errorf("read back %+v, %v", back, err)
	}
}

// TestWriteFailureLeavesNoSummary: a run written again whose files cannot
// all be written (the disk fills) has no summary afterwards, neither the old
// one beside new files nor a new one beside old files, and nothing
// half-written; Kept then finds nothing to keep.
func TestWriteFailureLeavesNoSummary(t *testing.T) {
	dir := t.TempDir()
	in := Inputs{Version: Version, Experiment: "one-cycle", Data: "abc", Seed: 7}
	r := &Run{Header: Header{Experiment: "one-cycle", Dir: dir}, Trailer: Trailer{Inputs: &in}}
	files := []File{{"cost.svg", []byte("1")}, {"loss.svg", []byte("2")}}
	if err := Write(r, files); err != nil {
		t.Fatal(err)
	}
	if k, why := Kept[Run](dir, in, false); k == nil {
		t.Fatalf("the run just written is not kept: %s", why)
	}
	failWrites(t, "loss.svg")
	r2 := &Run{Header: Header{Experiment: "one-cycle", Dir: dir}, Trailer: Trailer{Inputs: &in}}
	checkOneLine(t, Write(r2, files), "the disk is full", "loss.svg")
	if _, err := os.Stat(filepath.Join(dir, SummaryFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("summary.json is there after a failed rewrite (%v)", err)
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("left %q behind", l)
	}
	if k, why := Kept[Run](dir, in, false); k != nil || why != "" {
		t.Errorf("a run whose rewrite failed: kept %v, why %q; want nothing recorded", k != nil, why)
	}
}

// TestUnitWriteFailure: the disk fills while a search's unit writes its
// history: no summary, nothing half-written, and the unit is not kept.
func TestUnitWriteFailure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "3-lambda-0.002")
	in := Inputs{Version: Version, Experiment: "fine", Data: "abc", Seed: 7}
	h := &network.History{Records: []network.Record{{Step: 0}, {Step: 10}}, Eta: []float64{0.1, 0.2}}
	failWrites(t, HistoryFile)
	r := &Run{Header: Header{Experiment: "fine", Dir: dir}, Trailer: Trailer{Inputs: &in}, History: h}
	checkOneLine(t, WriteUnit(r), "the disk is full: "+filepath.Join(dir, HistoryFile)+" could not be written")
	if _, err := os.Stat(filepath.Join(dir, SummaryFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the unit wrote its summary (%v)", err)
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("left %q behind", l)
	}
	writeHook = nil
	if err := WriteUnit(r); err != nil {
		t.Fatal(err)
	}
	k, why := KeptUnit(dir, in, false)
	if k == nil || len(k.History.Records) != 2 || k.History.Eta[1] != 0.2 {
		t.Fatalf("the unit written again is not kept with its history: %q", why)
	}
	if _, why := KeptUnit(dir, in, true); why != "-fresh" {
		t.Errorf("-fresh: why %q", why)
	}
	os.WriteFile(filepath.Join(dir, HistoryFile), []byte("{}"), 0o644)
	if k, why := KeptUnit(dir, in, false); k != nil || !strings.Contains(why, "is not a training history") {
		t.Errorf("a unit with an empty history: kept %v, why %q", k != nil, why)
	}
}
