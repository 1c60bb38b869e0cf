package experiments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"twolayer/experiments/store"
	"twolayer/network"
)

// loggedOptions returns tinyOptions whose messages go to the returned
// buffer, with no progress display.
func loggedOptions(t *testing.T, data string) (Options, *bytes.Buffer) {
	o := tinyOptions(t, data)
	log := &bytes.Buffer{}
	o.Quiet, o.Log, o.Progress = false, log, io.Discard
	return o, log
}

// tickingClock returns a clock that starts at start and advances by step
// at every call.
func tickingClock(start time.Time, step time.Duration) func() time.Time {
	t := start.Add(-step)
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

// snapshot returns every file under dir, by path relative to dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// compareTrees reports every file that is in one tree and not the other,
// or differs.
func compareTrees(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	names := slices.Sorted(maps.Keys(want))
	for name := range got {
		if _, ok := want[name]; !ok {
			names = append(names, name)
		}
	}
	for _, name := range names {
		w, inWant := want[name]
		g, inGot := got[name]
		switch {
		case !inGot:
			t.Errorf("%s is missing", name)
		case !inWant:
			t.Errorf("%s is there and should not be", name)
		case !bytes.Equal(w, g):
			i := 0
			for i < min(len(w), len(g)) && w[i] == g[i] {
				i++
			}
			t.Errorf("%s differs from byte %d: %q, want %q", name, i, excerpt(g, i), excerpt(w, i))
		}
	}
}

// excerpt returns up to 60 bytes of b from i.
func excerpt(b []byte, i int) []byte { return b[i:min(len(b), i+60)] }

// at returns a clock that is always t: every run it times takes 0 s.
func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// redate returns the files with every date of the times from written as
// the date of to, in the formats results use (RFC 3339 and Header.Date's).
func redate(files map[string][]byte, to time.Time, from ...time.Time) map[string][]byte {
	out := map[string][]byte{}
	for name, data := range files {
		for _, f := range from {
			for _, layout := range []string{time.RFC3339, "2006-01-02 15:04 UTC"} {
				data = bytes.ReplaceAll(data, []byte(f.Format(layout)), []byte(to.Format(layout)))
			}
		}
		out[name] = data
	}
	return out
}

// TestResumedAllIsByteIdentical: an All interrupted during the coarse
// search (after two of its λ) and then run again writes the files of an
// All that ran without interruption, byte for byte but for the dates. Each
// of the three runs has a clock that stands still at its own time: times
// are 0 s everywhere, and the dates, once those of the interrupted and of
// the resumed run are written as the uninterrupted run's, must be the only
// difference.
func TestResumedAllIsByteIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every experiment twice; skipped in -short")
	}
	data := writeFakeCIFAR(t)
	tA := time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	tB, tC := tA.Add(25*time.Hour+time.Minute), tA.Add(50*time.Hour+2*time.Minute)
	o, _ := loggedOptions(t, data)
	o.clock = at(tA)
	if _, err := All(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, o.OutDir)
	// the same OUT path for both, since summaries name their files by it
	if err := os.Rename(o.OutDir, o.OutDir+"-uninterrupted"); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o1 := tinyOptions(t, data)
	log1 := &cancelOnWrite{at: "(3 of 8)", cancel: cancel} // the third λ of the coarse search
	o1.OutDir, o1.clock, o1.Quiet, o1.Log, o1.Progress = o.OutDir, at(tB), false, log1, io.Discard
	if _, err := All(ctx, o1); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted All: error %v, want context.Canceled", err)
	}
	if !strings.Contains(log1.String(), "coarse: stopped after 2 of 8 λ") {
		t.Fatalf("the interrupted All did not stop in the coarse search after 2 λ:\n%s", log1.String())
	}

	o2, log2 := loggedOptions(t, data)
	o2.OutDir, o2.clock = o.OutDir, at(tC)
	if _, err := All(context.Background(), o2); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"gradcheck: kept", "one-cycle-all: kept", "coarse: λ = 1.", "kept from the run of " + tB.Format("2006-01-02 15:04 UTC")} {
		if !strings.Contains(log2.String(), s) {
			t.Errorf("the resumed All's log lacks %q:\n%s", s, log2.String())
		}
	}
	if n := strings.Count(log2.String(), "coarse: λ = ") - 8; n != 2 {
		t.Errorf("the resumed coarse search kept %d λ runs, want the 2 that had finished:\n%s", n, log2.String())
	}
	got := snapshot(t, o.OutDir)
	if b, c := tB.Format(time.RFC3339), tC.Format(time.RFC3339); !bytes.Contains(got["summary.json"], []byte(b)) || !bytes.Contains(got["summary.json"], []byte(c)) {
		t.Errorf("summary.json does not date the kept sections %s and the new ones %s", b, c)
	}
	compareTrees(t, want, redate(got, tA, tB, tC))
}

// TestSearchContinues: a search interrupted after two of its λ keeps them
// (complete, in OUT/fine/runs) and writes no summary; the rerun trains only
// the other six, and the kept runs keep their recorded times.
func TestSearchContinues(t *testing.T) {
	data := writeFakeCIFAR(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := tinyOptions(t, data)
	log := &cancelOnWrite{at: "(3 of 8)", cancel: cancel}
	o.Quiet, o.Log, o.Progress = false, log, io.Discard
	t1 := time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC)
	o.clock = tickingClock(t1, 3*time.Second) // each run: 3 s
	if _, err := Fine(ctx, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if !strings.Contains(log.String(), "fine: stopped after 2 of 8 λ; their results are kept in") {
		t.Errorf("log %q does not say how many λ had finished and that they are kept", log.String())
	}
	dir := filepath.Join(o.OutDir, "fine")
	runs, _ := os.ReadDir(filepath.Join(dir, "runs"))
	var names []string
	for _, e := range runs {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"1-lambda-0", "2-lambda-0.001"}) {
		t.Errorf("runs %q, want the two finished ones", names)
	}
	for _, name := range names {
		for _, f := range []string{"curves.csv", "history.json", "summary.json"} {
			if _, err := os.Stat(filepath.Join(dir, "runs", name, f)); err != nil {
				t.Errorf("finished run %s: %v", name, err)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "summary.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the interrupted search wrote its summary (%v)", err)
	}

	o2, log2 := loggedOptions(t, data)
	o2.OutDir = o.OutDir
	o2.clock = tickingClock(t1.Add(time.Hour), 5*time.Second) // each run: 5 s
	r, err := Fine(context.Background(), o2)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log2.String(), "kept from the run of 2025-01-02 03:04 UTC"); n != 2 {
		t.Errorf("the rerun kept %d runs, want 2:\n%s", n, log2.String())
	}
	for i, run := range r.Runs {
		want := 5.0
		if i < 2 {
			want = 3 // as recorded by the first run
		}
		if run.Seconds != want {
			t.Errorf("λ = %g: %g s, want %g", run.Lambda, run.Seconds, want)
		}
	}
	if r.Seconds != 2*3+6*5 {
		t.Errorf("the search took %g s, want the sum of its runs' 36", r.Seconds)
	}
	if _, err := os.Stat(filepath.Join(dir, "summary.json")); err != nil {
		t.Error(err)
	}
}

// TestUnitsAreIndependent: the units of a search run in any order give
// the same results; the search then keeps all of them and writes the files
// of a search that ran them in order.
func TestUnitsAreIndependent(t *testing.T) {
	data := writeFakeCIFAR(t)
	clock := func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }
	o := tinyOptions(t, data)
	o.clock = clock
	if _, err := Fine(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, o.OutDir)
	os.RemoveAll(o.OutDir)

	o2, log := loggedOptions(t, data)
	o2.OutDir, o2.clock = o.OutDir, clock
	o2 = o2.withDefaults()
	units := searchUnits(filepath.Join(o2.OutDir, "fine"), fine.setup(o2), fine.title, FineLambdas())
	if _, err := FindData(context.Background(), o2); err != nil {
		t.Fatal(err)
	}
	for i := len(units) - 1; i >= 0; i-- {
		if _, wasKept, _, err := units[i].run(context.Background(), o2); err != nil || wasKept {
			t.Fatalf("unit %d: kept %v, error %v", i, wasKept, err)
		}
	}
	if _, err := Fine(context.Background(), o2); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), "kept from the run of"); n != 8 {
		t.Errorf("the search kept %d of the 8 runs made before it", n)
	}
	compareTrees(t, want, snapshot(t, o.OutDir))
}

// TestSectionKeptOrRecomputed: a section run again with the same inputs is
// kept and says so; with any other input, a missing file or -fresh, it is
// computed again and says why.
func TestSectionKeptOrRecomputed(t *testing.T) {
	data := writeFakeCIFAR(t)
	other := writeFakeCIFAR(t) // the same content elsewhere
	changed := writeFakeCIFAR(t)
	f := filepath.Join(changed, "data_batch_3.bin")
	b, _ := os.ReadFile(f)
	b[1]++ // one pixel of a batch that one-cycle does not even read
	os.WriteFile(f, b, 0o644)

	tests := []struct {
		name   string
		change func(o *Options)
		want   string // in the log
	}{
		{"same inputs", func(o *Options) {}, "one-cycle: kept from the run of 2025-03-04 05:06 UTC (same parameters, seed and data"},
		{"the same data elsewhere", func(o *Options) { o.DataDir = other }, "one-cycle: kept from the run of"},
		{"-fresh", func(o *Options) { o.Fresh = true }, "one-cycle: recomputing: -fresh"},
		{"another seed", func(o *Options) { o.Seed = 8 }, "one-cycle: recomputing: the seed (7 then, 8 now) differs"},
		{"another batch size", func(o *Options) { o.BatchSize = 25 }, "one-cycle: recomputing: the config.BatchSize (50 then, 25 now) differs"},
		{"another m", func(o *Options) { o.Hidden = 20 }, "recomputing: the number of hidden units (50 then, 20 now) differs"},
		{"another initialisation", func(o *Options) { o.Init = network.InitSqrt }, `one-cycle: recomputing: the weight initialisation ("small" then, "sqrt" now) differs`},
		{"other data", func(o *Options) { o.DataDir = changed }, "one-cycle: recomputing: the data (CIFAR-10 files of other content)"},
		{"a file missing", func(o *Options) { os.Remove(filepath.Join(o.OutDir, "one-cycle", "loss.svg")) }, "one-cycle: recomputing: its file loss.svg is missing"},
		{"an unreadable summary", func(o *Options) {
			os.WriteFile(filepath.Join(o.OutDir, "one-cycle", "summary.json"), []byte("{"), 0o644)
		}, "one-cycle: recomputing: its summary cannot be read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tinyOptions(t, data)
			o.clock = func() time.Time { return time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC) }
			first, err := OneCycle(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			o2, log := loggedOptions(t, data)
			o2.OutDir = o.OutDir
			o2.clock = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
			tc.change(&o2)
			r, err := OneCycle(context.Background(), o2)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(log.String(), tc.want) {
				t.Errorf("log %q lacks %q", log.String(), tc.want)
			}
			keep := strings.Contains(tc.want, "kept")
			if keep != (r.Finished == first.Finished) {
				t.Errorf("result of %s, first run %s: kept %v, want %v", r.Finished, first.Finished, !keep, keep)
			}
			if got, err := store.Read[store.Run](filepath.Join(o.OutDir, "one-cycle", "summary.json")); err != nil || got.Finished != r.Finished {
				t.Errorf("summary.json: %v, finished %v, want %s", err, got, r.Finished)
			}
		})
	}
}

// TestInputsRecompute: what a rerun compares includes the weight
// initialisation (-init sqrt after -init small recomputes the gradient
// check and the final training), the validation images held out (-nval)
// and the split: a run recorded with one of them is never kept for another.
func TestInputsRecompute(t *testing.T) {
	data := writeFakeCIFAR(t)
	tests := []struct {
		name  string
		run   func(context.Context, Options) error
		first func(o *Options)
		then  func(o *Options)
		want  string
	}{
		{"gradcheck, -init", func(ctx context.Context, o Options) error { _, err := GradCheck(ctx, o); return err },
			func(o *Options) {}, func(o *Options) { o.Init = network.InitSqrt },
			`gradcheck: recomputing: the weight initialisation ("small" then, "sqrt" now) differs`},
		{"final, -init", func(ctx context.Context, o Options) error { _, err := Final(ctx, o); return err },
			func(o *Options) {}, func(o *Options) { o.Init = network.InitSqrt },
			`final: recomputing: the weight initialisation ("small" then, "sqrt" now) differs`},
		{"one-cycle -split all, -nval", func(ctx context.Context, o Options) error { _, err := OneCycle(ctx, o); return err },
			func(o *Options) { o.Split = "all" }, func(o *Options) { o.Split, o.NVal = "all", 150 },
			"one-cycle-all: recomputing: the number of validation images (100 then, 150 now) differs"},
		{"final, -nval", func(ctx context.Context, o Options) error { _, err := Final(ctx, o); return err },
			func(o *Options) {}, func(o *Options) { o.NVal = 150 },
			"final: recomputing: the number of validation images (100 then, 150 now) differs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tinyOptions(t, data)
			tc.first(&o)
			if err := tc.run(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			o2, log := loggedOptions(t, data)
			o2.OutDir = o.OutDir
			tc.then(&o2)
			if err := tc.run(context.Background(), o2); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(log.String(), tc.want) {
				t.Errorf("log %q lacks %q", log.String(), tc.want)
			}
		})
	}
}

// TestInputsOfCoverTheSetup: the Inputs of a run change with every setting
// of its Setup that changes its result (and with the seed and the data),
// so that no other setting can be kept for it; its title and progress
// label, which change nothing computed, leave them as they are.
func TestInputsOfCoverTheSetup(t *testing.T) {
	o := tinyOptions(t, "").withDefaults()
	o.shared.dataID = "abc"
	base := Setup{Name: "train", Split: "all", NVal: 100, Hidden: 20, Init: network.InitSmall,
		Config: network.Config{EtaMin: 1e-5, EtaMax: 0.1, StepSize: 6, Cycles: 1, BatchSize: 50, Lambda: 0.01, RecordsPerCycle: 4, Seed: 7}}
	inputs := func(o Options, s Setup) string {
		b, err := json.Marshal(inputsOf(o, s))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	want := inputs(o, base)
	for _, tc := range []struct {
		name   string
		change func(o *Options, s *Setup)
		same   bool
	}{
		{"the split", func(_ *Options, s *Setup) { s.Split = "batch1" }, false},
		{"the validation images", func(_ *Options, s *Setup) { s.NVal = 150 }, false},
		{"the initialisation", func(_ *Options, s *Setup) { s.Init = network.InitSqrt }, false},
		{"m", func(_ *Options, s *Setup) { s.Hidden = 30 }, false},
		{"the experiment", func(_ *Options, s *Setup) { s.Name = "other" }, false},
		{"λ", func(_ *Options, s *Setup) { s.Config.Lambda = 0.02 }, false},
		{"the choice of n_s", func(_ *Options, s *Setup) { s.StepSizeFromData = true }, false},
		{"the seed", func(o *Options, _ *Setup) { o.Seed = 8 }, false},
		{"the data", func(o *Options, _ *Setup) { o.shared = &shared{dataID: "abd"} }, false},
		{"the title", func(_ *Options, s *Setup) { s.Title, s.Label = "another title", "another label" }, true},
	} {
		o2, s := o, base
		tc.change(&o2, &s)
		if got := inputs(o2, s); (got == want) != tc.same {
			t.Errorf("%s changed: inputs the same %v, want %v:\n%s\n%s", tc.name, got == want, tc.same, want, got)
		}
	}
}

// TestSearchNeverMixes: runs of a search with other inputs are computed
// again, never taken; the runs of another set of λ are removed when the
// search is done.
func TestSearchNeverMixes(t *testing.T) {
	data := writeFakeCIFAR(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := tinyOptions(t, data)
	o.Quiet, o.Log, o.Progress = false, &cancelOnWrite{at: "(3 of 8)", cancel: cancel}, io.Discard
	if _, err := Coarse(ctx, o); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	o2, log := loggedOptions(t, data)
	o2.OutDir, o2.Seed = o.OutDir, 8
	if _, err := Coarse(context.Background(), o2); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "kept") {
		t.Errorf("a search with seed 8 kept runs of seed 7:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "removed runs/1-lambda-") {
		t.Errorf("the runs of seed 7 were not removed:\n%s", log.String())
	}
	runs, _ := os.ReadDir(filepath.Join(o.OutDir, "coarse", "runs"))
	if len(runs) != 8 {
		t.Errorf("%d runs in coarse/runs, want 8", len(runs))
	}
	for _, e := range runs {
		r, err := store.Read[store.Run](filepath.Join(o.OutDir, "coarse", "runs", e.Name(), "summary.json"))
		if err != nil || r.Inputs == nil || r.Inputs.Seed != 8 || r.Hyperparams.Seed != 8 {
			t.Errorf("run %s: %v, inputs %+v", e.Name(), err, r)
		}
	}

	// the same λ runs with another batch size: recomputed, saying why
	o3, log3 := loggedOptions(t, data)
	o3.OutDir, o3.Seed, o3.BatchSize = o.OutDir, 8, 25
	if _, err := Coarse(context.Background(), o3); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log3.String(), "recomputed: the config.BatchSize (50 then, 25 now) differs"); n != 8 {
		t.Errorf("%d runs say why they were recomputed, want 8:\n%s", n, log3.String())
	}
}

func TestDataIdentity(t *testing.T) {
	a, b, c := writeFakeCIFAR(t), writeFakeCIFAR(t), writeFakeCIFAR(t)
	f := filepath.Join(c, "test_batch.bin")
	data, _ := os.ReadFile(f)
	data[0] ^= 1 // one label
	os.WriteFile(f, data, 0o644)
	id := func(dir string) string {
		o := tinyOptions(t, dir)
		o.Log = io.Discard
		o = o.withDefaults()
		if _, err := FindData(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		return o.shared.dataID
	}
	ia, ib, ic := id(a), id(b), id(c)
	if len(ia) != 16 || ia != ib {
		t.Errorf("two copies of the same files: identities %q and %q", ia, ib)
	}
	if ic == ia {
		t.Errorf("a copy with one label changed has the same identity %q", ic)
	}
	os.WriteFile(filepath.Join(b, "batches.meta.txt"), []byte("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"), 0o644)
	if id(b) == ia {
		t.Error("other class names, the same identity")
	}
}
