package experiments

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"twolayer/experiments/report"
	"twolayer/experiments/store"
	"twolayer/network"
)

// checkSummary reads dir/summary.json back and checks the fields every
// summary has.
func checkSummary(t *testing.T, dir string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("summary.json does not parse: %v", err)
	}
	for _, key := range []string{"experiment", "section", "params", "seconds"} {
		if _, ok := m[key]; !ok {
			t.Errorf("%s/summary.json has no %q", dir, key)
		}
	}
	return m
}

// checkCurves checks dir/curves.csv: the header and one row per recording.
func checkCurves(t *testing.T, dir string, records int) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "curves.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("curves.csv does not parse: %v", err)
	}
	if strings.Join(rows[0], ",") != "step,eta,train_cost,train_loss,train_accuracy,val_cost,val_loss,val_accuracy" {
		t.Errorf("curves.csv header = %v", rows[0])
	}
	if len(rows)-1 != records {
		t.Errorf("curves.csv has %d rows, want %d (one per recording)", len(rows)-1, records)
	}
}

// svgSeries parses an SVG file as XML and returns the names of its series.
func svgSeries(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var names []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", path, err)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "g" {
			for _, a := range el.Attr {
				if a.Name.Local == "data-name" {
					names = append(names, a.Value)
				}
			}
		}
	}
	return names
}

// checkPlots checks the four plots of a training run.
func checkPlots(t *testing.T, dir string) {
	t.Helper()
	for _, name := range []string{"cost.svg", "loss.svg", "accuracy.svg"} {
		if got := svgSeries(t, filepath.Join(dir, name)); !slices.Equal(got, []string{"training", "validation"}) {
			t.Errorf("%s has series %q, want training and validation", name, got)
		}
	}
	if got := svgSeries(t, filepath.Join(dir, "eta.svg")); len(got) != 1 {
		t.Errorf("eta.svg has series %q, want one", got)
	}
}

func TestGradCheck(t *testing.T) {
	o := tinyOptions(t, writeFakeCIFAR(t))
	r, err := GradCheck(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Checks) != 16 {
		t.Fatalf("%d checks, want 16 (2 λ × 2 methods × 4 parameters)", len(r.Checks))
	}
	for _, c := range r.Checks {
		if c.Method == "centered" && c.Lambda == 0 && c.AbsErrors != 0 {
			t.Errorf("centered difference at λ = 0: %d of %d %s entries off by more than 1e-6 (max %g)", c.AbsErrors, c.Entries, c.Param, c.MaxAbs)
		}
		want := map[string]int{"W1": 50 * 20, "b1": 50, "W2": 10 * 50, "b2": 10}[c.Param]
		if c.Entries != want {
			t.Errorf("%s has %d entries, want %d", c.Param, c.Entries, want)
		}
	}
	m := checkSummary(t, r.Dir)
	if checks, _ := m["checks"].([]any); len(checks) != 16 {
		t.Errorf("summary.json has %d checks, want 16", len(checks))
	}
	table, err := os.ReadFile(filepath.Join(r.Dir, "checks.txt"))
	if err != nil || strings.Count(string(table), "\n") != 17 {
		t.Errorf("checks.txt: %v, %d lines, want a header and 16 rows", err, strings.Count(string(table), "\n"))
	}
}

func TestCycles(t *testing.T) {
	dir := writeFakeCIFAR(t)
	tests := []struct {
		name, split, wantDir string
		run                  func(context.Context, Options) (*store.Run, error)
		nTrain               int
		cycles               int // -cycles; 0: the section's own
		wantTitle            string
	}{
		{"one-cycle", "batch1", "one-cycle", OneCycle, fakeRecords, 0, "3.1(a) One cycle (n_s = 6), data_batch_1"},
		{"three-cycles", "batch1", "three-cycles", ThreeCycles, fakeRecords, 0, "3.1(b) Three cycles (n_s = 6), data_batch_1"},
		{"one-cycle all", "all", "one-cycle-all", OneCycle, 5*fakeRecords - 100, 0, "3.1(a) One cycle (n_s = 6), all five batches"},
		{"three-cycles, -cycles 1", "batch1", "three-cycles", ThreeCycles, fakeRecords, 1, "3.1(b) Three cycles (n_s = 6, 1 cycle), data_batch_1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tinyOptions(t, dir)
			o.Split = tc.split
			o.Cycles = tc.cycles
			r, err := tc.run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if r.Title != tc.wantTitle {
				t.Errorf("title %q, want %q (the n_s and cycles really used)", r.Title, tc.wantTitle)
			}
			if filepath.Base(r.Dir) != tc.wantDir {
				t.Errorf("results in %s, want .../%s", r.Dir, tc.wantDir)
			}
			if r.Hyperparams.NTrain != tc.nTrain || r.Hyperparams.Lambda != 0.01 || r.Hyperparams.EtaMax != 0.1 {
				t.Errorf("params = %+v", *r.Hyperparams)
			}
			if r.Final == nil || r.Final.Test == nil {
				t.Fatal("no final metrics with test accuracy")
			}
			if !(r.Final.Train.Accuracy >= 0.3) {
				t.Errorf("training accuracy %.3f on learnable fake data, want ≥ 0.3", r.Final.Train.Accuracy)
			}
			checkSummary(t, r.Dir)
			checkCurves(t, r.Dir, len(r.History.Records))
			checkPlots(t, r.Dir)
		})
	}
}

// cancelOnWrite is a log that cancels when a line containing at is written.
type cancelOnWrite struct {
	bytes.Buffer
	at     string
	cancel context.CancelFunc
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	if strings.Contains(string(p), w.at) {
		w.cancel()
	}
	return w.Buffer.Write(p)
}

func TestSearchesRankByValidation(t *testing.T) {
	o := tinyOptions(t, writeFakeCIFAR(t))
	for _, run := range []func(context.Context, Options) (*store.Search, error){Coarse, Fine} {
		r, err := run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Runs) != 8 || len(r.Best) != 3 {
			t.Fatalf("%s: %d runs and %d best, want 8 and 3", r.Experiment, len(r.Runs), len(r.Best))
		}
		if !slices.IsSortedFunc(r.Runs, func(a, b store.SearchRun) int { return int(math.Copysign(1, a.Lambda-b.Lambda)) }) {
			t.Errorf("%s: λ not sorted: %+v", r.Experiment, r.Runs)
		}
		for _, run := range r.Runs {
			if run.ValidationAccuracy > r.Best[0].ValidationAccuracy {
				t.Errorf("%s: λ = %g has validation accuracy %g above the best's %g", r.Experiment, run.Lambda, run.ValidationAccuracy, r.Best[0].ValidationAccuracy)
			}
		}
		for i := 1; i < len(r.Best); i++ {
			if r.Best[i].ValidationAccuracy > r.Best[i-1].ValidationAccuracy {
				t.Errorf("%s: best not in decreasing validation accuracy: %+v", r.Experiment, r.Best)
			}
		}
		if r.Hyperparams.Lambda != r.Best[0].Lambda || r.Hyperparams.NValidation != 100 {
			t.Errorf("%s: params λ = %g (best %g), n_validation %d", r.Experiment, r.Hyperparams.Lambda, r.Best[0].Lambda, r.Hyperparams.NValidation)
		}
		// n_s = 2⌊n / n_batch⌋ unless overridden
		m := checkSummary(t, r.Dir)
		if runs, _ := m["runs"].([]any); len(runs) != 8 {
			t.Errorf("%s: summary.json has %d runs", r.Experiment, len(runs))
		}
		checkCurves(t, r.Dir, len(r.History.Records))
		checkPlots(t, r.Dir)
		if got := svgSeries(t, filepath.Join(r.Dir, "search.svg")); len(got) != 3 {
			t.Errorf("search.svg has series %q", got)
		}
	}
}

func TestSearchStepSizeRule(t *testing.T) {
	o := tinyOptions(t, writeFakeCIFAR(t))
	o.StepSize = 0
	r, err := Fine(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 * (r.Hyperparams.NTrain / r.Hyperparams.BatchSize); r.Hyperparams.StepSize != want {
		t.Errorf("n_s = %d, want 2⌊n / n_batch⌋ = %d", r.Hyperparams.StepSize, want)
	}
}

func TestCoarseLambdas(t *testing.T) {
	a, b := CoarseLambdas(3), CoarseLambdas(3)
	if !slices.Equal(a, b) || slices.Equal(a, CoarseLambdas(4)) {
		t.Errorf("CoarseLambdas is not a function of the seed: %v %v", a, b)
	}
	if len(a) != 8 || !slices.IsSorted(a) || a[0] < 1e-5 || a[7] > 1e-1 {
		t.Errorf("CoarseLambdas(3) = %v, want 8 sorted values in [1e-5, 1e-1]", a)
	}
}

func TestFinalLambdaSources(t *testing.T) {
	o := tinyOptions(t, writeFakeCIFAR(t))
	if l, src, err := FinalLambda(o); err != nil || l != 0.004 || !strings.Contains(src, "report") {
		t.Errorf("without a fine summary or -lambda: %g from %q (%v), want the report's 0.004", l, src, err)
	}
	o.Lambda, o.LambdaSet = 0.002, true
	if l, src, err := FinalLambda(o); err != nil || l != 0.002 || !strings.Contains(src, "-lambda") {
		t.Errorf("with -lambda 0.002: %g from %q (%v)", l, src, err)
	}
	fine := &store.Search{Header: store.Header{Experiment: "fine"}, Best: []store.SearchRun{{Lambda: 0.005}}}
	if err := store.WriteJSON(filepath.Join(o.OutDir, "fine", "summary.json"), fine); err != nil {
		t.Fatal(err)
	}
	if l, src, err := FinalLambda(o); err != nil || l != 0.005 || !strings.Contains(src, "fine search") {
		t.Errorf("with a fine summary: %g from %q (%v), want 0.005 from the fine search", l, src, err)
	}
	r, err := Final(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Hyperparams.Lambda != 0.005 || r.Hyperparams.Cycles != 1 || r.Hyperparams.NValidation != 100 {
		t.Errorf("final params: %+v", *r.Hyperparams)
	}
	m, err := network.LoadModel(filepath.Join(r.Dir, "model.bin"))
	if err != nil {
		t.Fatalf("the saved model does not load: %v", err)
	}
	if len(m.Norm.Mean) != 3072 || len(m.Classes) != 10 || m.Classes[0] != "class0" {
		t.Errorf("model: %d means, classes %q", len(m.Norm.Mean), m.Classes)
	}
	checkSummary(t, r.Dir)
	checkPlots(t, r.Dir)
}

func TestAllWritesReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every experiment; skipped in -short")
	}
	o := tinyOptions(t, writeFakeCIFAR(t))
	a, err := All(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"gradcheck", "one-cycle", "three-cycles", "one-cycle-all", "three-cycles-all", "coarse", "fine", "final"}
	if !slices.Equal(a.Finished(), want) {
		t.Errorf("finished %v, want %v", a.Finished(), want)
	}
	for _, name := range want {
		checkSummary(t, filepath.Join(o.OutDir, name))
	}
	md, err := os.ReadFile(filepath.Join(o.OutDir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(o.OutDir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"2.9 Gradient check", "3.1(a) One cycle", "3.1(b) Three cycles", "3.2 Coarse", "3.3 Fine", "3.4 Final", "Machine and timings", "47.84", "52.37", "most likely produced on all five"} {
		if !bytes.Contains(md, []byte(s)) || !bytes.Contains(page, []byte(s)) {
			t.Errorf("report.md or report.html lacks %q", s)
		}
	}
	// every plot is inline: 7 training runs × 4 plots + 2 search plots
	if n := bytes.Count(page, []byte("<svg ")); n != 30 {
		t.Errorf("report.html inlines %d SVGs, want 30", n)
	}
	if bytes.Contains(page, []byte("missing")) {
		t.Error("report.html says a plot is missing")
	}
}

func TestCancelWritesNothing(t *testing.T) {
	o := tinyOptions(t, writeFakeCIFAR(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := OneCycle(ctx, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(o.OutDir, "one-cycle")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a cancelled run left %s/one-cycle behind (%v)", o.OutDir, err)
	}
}

// TestBadSettingsAreUsageErrors: settings that cannot work are usage
// errors, one line each, found before anything is trained or written: a
// free run's own, the overrides of the sections (checked as each
// section's runs, and by All for all its sections before the first), and,
// once the data is loaded, a batch larger than the training set.
func TestBadSettingsAreUsageErrors(t *testing.T) {
	data := writeFakeCIFAR(t)
	o := tinyOptions(t, data)
	cfg := network.Config{EtaMin: 1e-5, EtaMax: 0.1, StepSize: 500, Cycles: 1, BatchSize: 100, Lambda: 0.01, RecordsPerCycle: 10}
	good := Setup{Name: "train", Split: "batch1", Hidden: 20, Config: cfg}
	bad := []Setup{good, good, good, good, good, good, good}
	bad[0].Config.Lambda = -1
	bad[1].Config.EtaMin, bad[1].Config.EtaMax = 0.1, 0.01
	bad[2].Config.BatchSize = 10 * fakeRecords
	bad[3].Hidden = 0
	bad[4].Split, bad[4].NVal = "all", 0
	bad[5].Name = "../out"
	bad[6].Save = t.TempDir()
	for i, s := range bad {
		_, err := Train(context.Background(), o, s)
		if !errors.Is(err, ErrUsage) {
			t.Errorf("setup %d, %+v: error %v, want a usage error", i, s, err)
		}
	}
	run := func(f func(context.Context, Options) error) func(context.Context, Options) error { return f }
	all := run(func(ctx context.Context, o Options) error { _, err := All(ctx, o); return err })
	for _, tc := range []struct {
		name   string
		run    func(context.Context, Options) error
		change func(o *Options)
		want   string
	}{
		{"all, -batch -5", all, func(o *Options) { o.BatchSize = -5 }, "the batch size (-5) must be at least 1"},
		{"all, -nval 60000", all, func(o *Options) { o.NVal = 60000 }, "-nval 60000"},
		{"all, -cycles -1", all, func(o *Options) { o.Cycles = -1 }, "the number of cycles (-1)"},
		{"all -bonus, -hidden -5", all, func(o *Options) { o.WithBonus, o.Quick, o.WideHidden = true, true, -5 }, "-hidden -5"},
		{"all, -side-by-side -2", all, func(o *Options) { o.SideBySide = -2 }, "-side-by-side -2"},
		{"one-cycle, -split half", run(func(ctx context.Context, o Options) error { _, err := OneCycle(ctx, o); return err }),
			func(o *Options) { o.Split = "half" }, `-split "half"`},
		{"coarse, -records -1", run(func(ctx context.Context, o Options) error { _, err := Coarse(ctx, o); return err }),
			func(o *Options) { o.RecordsPerCycle = -1 }, "the recordings per cycle (-1)"},
		{"final, -lambda -1", run(func(ctx context.Context, o Options) error { _, err := Final(ctx, o); return err }),
			func(o *Options) { o.Lambda, o.LambdaSet = -1, true }, "λ = -1"},
		{"bonus, -ns -3", run(func(ctx context.Context, o Options) error { _, err := Bonus(ctx, o); return err }),
			func(o *Options) { o.Quick, o.WideHidden, o.StepSize = true, 20, -3 }, "n_s = -3"},
		{"bonus, -cycles -1", run(func(ctx context.Context, o Options) error { _, err := Bonus(ctx, o); return err }),
			func(o *Options) { o.Quick, o.WideHidden, o.Cycles = true, 20, -1 }, "the number of cycles (-1)"},
		{"lr-range, one step", run(func(ctx context.Context, o Options) error {
			_, err := LRRange(ctx, o, RangeSetup{Hidden: 10, Steps: 1})
			return err
		}), func(o *Options) {}, "-steps 1"},
		{"lr-range, 2,000,000,000 steps", run(func(ctx context.Context, o Options) error {
			_, err := LRRange(ctx, o, RangeSetup{Hidden: 10, Steps: 2_000_000_000})
			return err
		}), func(o *Options) {}, "-steps 2000000000: the range test takes at most 1073741823 steps"},
		{"one-cycle, a batch larger than the training set", run(func(ctx context.Context, o Options) error { _, err := OneCycle(ctx, o); return err }),
			func(o *Options) { o.BatchSize = 10 * fakeRecords }, "the batch size (2000) is larger than the training set (200 images)"},
		{"lr-range, a batch larger than the training set", run(func(ctx context.Context, o Options) error {
			_, err := LRRange(ctx, o, RangeSetup{Hidden: 10, Steps: 10, BatchSize: 10 * fakeRecords})
			return err
		}), func(o *Options) {}, "the batch size (2000) is larger than the training set"},
	} {
		o, log := loggedOptions(t, data)
		tc.change(&o)
		err := tc.run(context.Background(), o)
		if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want a one-line usage error saying %q", tc.name, err, tc.want)
		}
		if strings.Contains(log.String(), "==") || strings.Contains(log.String(), "step") {
			t.Errorf("%s: started anyway:\n%s", tc.name, log.String())
		}
		if names := entries(filepath.Join(o.OutDir)); len(names) > 0 && !strings.Contains(tc.name, "larger") {
			t.Errorf("%s: OUT holds %q", tc.name, names)
		}
	}
}

func TestReportFromSummaries(t *testing.T) {
	o := tinyOptions(t, writeFakeCIFAR(t))
	if _, err := report.Rebuild(o.OutDir, time.Now()); err == nil {
		t.Error("Report without any results: no error")
	}
	if _, err := OneCycle(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	a, err := report.Rebuild(o.OutDir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Finished(), []string{"one-cycle"}) {
		t.Errorf("report made from %v, want one-cycle only", a.Finished())
	}
	md, err := os.ReadFile(filepath.Join(o.OutDir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ours, data_batch_1", "Not run", "go run . coarse", "one-cycle/accuracy.svg"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	page, _ := os.ReadFile(filepath.Join(o.OutDir, "report.html"))
	if n := bytes.Count(page, []byte("<svg ")); n != 4 {
		t.Errorf("report.html inlines %d plots, want the 4 of one-cycle", n)
	}
}
