package experiments

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"twolayer/experiments/report"
	"twolayer/experiments/store"
	"twolayer/network"
)

// relabelFakeCIFAR gives every record of the fake batch files in dir a
// random label with probability frac (the rest keep theirs), so that no
// network can be perfect and the ablation's candidates differ.
func relabelFakeCIFAR(t *testing.T, dir string, frac float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	files, err := filepath.Glob(filepath.Join(dir, "*_batch*.bin"))
	if err != nil || len(files) != 6 {
		t.Fatalf("fake batch files: %v, %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(b); i += 3073 {
			if rng.Float64() < frac {
				b[i] = byte(rng.IntN(10))
			}
		}
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// bonusOptions returns Options for a tiny ablation on the fake data in dir:
// wide rows of 20 units, n_s = 9 steps of 50 images, 2 cycles (the long row
// 18 and 3).
func bonusOptions(t *testing.T, dir string) Options {
	o := tinyOptions(t, dir)
	o.StepSize, o.Cycles, o.WideHidden, o.Quick = 9, 2, 20, true
	return o
}

// TestBonus runs the whole ablation on fake data and checks what it writes:
// every row of the plan with its accuracies and the change from the row
// above, the candidates each row chose from (on validation accuracy), the
// row that only adds the ensemble reusing the row above's run, the curves,
// the plots and the best model, which predict reads back.
func TestBonus(t *testing.T) {
	dir := writeFakeCIFAR(t)
	relabelFakeCIFAR(t, dir, 0.5)
	o := bonusOptions(t, dir)
	r, err := Bonus(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	b := r.Ablation
	_, plan := bonusPlan(o)
	if len(b.Rows) != len(plan) {
		t.Fatalf("%d rows, want %d", len(b.Rows), len(plan))
	}
	for i, row := range b.Rows {
		t.Logf("%-22s %-60s train %.3f val %.3f test %.3f Δ %+.3f", row.Name, row.Setting, row.Train, row.Validation, row.Test, row.Change)
		if row.Name != plan[i].name {
			t.Errorf("row %d is %q, want %q", i+1, row.Name, plan[i].name)
		}
		if !(row.Test > 0.15) || !(row.Validation > 0.15) || !(row.Train < 1) {
			t.Errorf("row %d: accuracies %v %v %v: no better than chance on learnable data", i+1, row.Train, row.Validation, row.Test)
		}
		if i > 0 && row.Change != row.Test-b.Rows[i-1].Test {
			t.Errorf("row %d: change %v, want %v", i+1, row.Change, row.Test-b.Rows[i-1].Test)
		}
		// in each round (after one cycle; after the whole run) exactly one
		// candidate is chosen, one with the best validation accuracy
		chosen, best := map[string]int{}, map[string]float64{}
		for _, c := range row.Candidates {
			if c.Chosen {
				chosen[c.JudgedAfter]++
			}
			best[c.JudgedAfter] = max(best[c.JudgedAfter], c.ValidationAccuracy)
		}
		for round := range best {
			if chosen[round] != 1 {
				t.Errorf("row %d: %d candidates chosen after %s: %+v", i+1, chosen[round], round, row.Candidates)
			}
		}
		for _, c := range row.Candidates {
			if c.Chosen && c.ValidationAccuracy != best[c.JudgedAfter] {
				t.Errorf("row %d: chose a candidate with validation accuracy %v after %s, the best was %v", i+1, c.ValidationAccuracy, c.JudgedAfter, best[c.JudgedAfter])
			}
		}
		if want := map[int]int{0: 3, 1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 3}[i]; len(row.Candidates) > want {
			t.Errorf("row %d: %d candidates, at most %d expected", i+1, len(row.Candidates), want)
		}
		if _, err := os.Stat(filepath.Join(r.Dir, row.Curves)); err != nil {
			t.Errorf("row %d: %v", i+1, err)
		}
	}
	ens := b.Rows[5]
	if ens.Curves != b.Rows[4].Curves || training(ens.Setting) != training(b.Rows[4].Setting) {
		t.Errorf("the ensemble row trained a run of its own: %+v", ens.Setting)
	}
	if b.Rows[2].Setting.Hidden != 20 || b.Rows[3].Setting.Flip != true || b.Rows[4].Setting.KeepProb == 0 || b.Rows[6].Setting.Cycles != 3 {
		t.Errorf("the rows do not add their techniques: %+v", b.Rows)
	}
	m := checkSummary(t, r.Dir)
	if _, ok := m["bonus"]; !ok {
		t.Error("summary.json has no bonus")
	}
	for _, name := range store.BonusCharts {
		if series := svgSeries(t, filepath.Join(r.Dir, name)); len(series) < 3 {
			t.Errorf("%s has %d series", name, len(series))
		}
	}
	models, err := network.LoadModels(filepath.Join(r.Dir, b.Model))
	if err != nil {
		t.Fatal(err)
	}
	if want := b.Rows[b.Best].Setting.Ensemble; len(models) != want {
		t.Errorf("%s holds %d networks, the best row averages %d", b.Model, len(models), want)
	}
	preds, err := PredictBatch(models, filepath.Join(dir, "test_batch.bin"), []int{0, 1, 2, 3})
	if err != nil || len(preds) != 4 {
		t.Fatalf("predict with the saved model: %v", err)
	}
	if s := report.Brief(r); !strings.Contains(s, "+ longer training") {
		t.Errorf("the summary lacks the rows:\n%s", s)
	}
}

// TestBonusReport: the report gets the "Beyond the report" section with the
// table, a sentence per row and the plots, from All -bonus and from the
// summaries alone (Report).
func TestBonusReport(t *testing.T) {
	dir := writeFakeCIFAR(t)
	o := bonusOptions(t, dir)
	r, err := Bonus(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LRRange(context.Background(), o, RangeSetup{Hidden: 10, Steps: 40, Lambda: 0.001}); err != nil {
		t.Fatal(err)
	}
	a, err := report.Rebuild(o.OutDir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Results) != 2 {
		t.Errorf("the report found %d summaries, want bonus and lr-range", len(a.Results))
	}
	md, err := os.ReadFile(filepath.Join(o.OutDir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(md)
	for _, want := range []string{"## Beyond the report", "| 7 | + longer training |", "7. + longer training:", "bonus/ablation.svg", "Learning-rate range test", "lr-range/range-accuracy.svg", r.Ablation.Model} {
		if !strings.Contains(text, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	html, err := os.ReadFile(filepath.Join(o.OutDir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(html), "missing)") {
		t.Error("report.html misses a plot")
	}
}

// TestBonusCandidateDiverges: a candidate that diverges in its first cycle
// drops out with a score of 0 and the other one wins and trains to the end;
// when all diverge, the row fails with an error.
func TestBonusCandidateDiverges(t *testing.T) {
	o := bonusOptions(t, writeFakeCIFAR(t)).withDefaults()
	data, err := loadSplit(context.Background(), o, "all", o.NVal)
	if err != nil {
		t.Fatal(err)
	}
	good := store.BonusSetting{Hidden: 10, Init: "sqrt", EtaMin: 1e-5, EtaMax: 0.05, StepSize: 9, Cycles: 2, BatchSize: 50, Ensemble: 1}
	bad := good
	bad.EtaMin, bad.EtaMax = 1e3, 1e4
	run, judged, err := bonusTrain(context.Background(), o, data, []store.BonusSetting{bad, good}, nil, "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	if run.setting != training(good) || len(run.snapshots) != 2 {
		t.Errorf("the winner is %+v with %d snapshots, want the good setting with 2", run.setting, len(run.snapshots))
	}
	if len(judged) != 2 || judged[0].JudgedAfter != "1 cycle (diverged)" || judged[0].ValidationAccuracy != 0 || !(judged[1].ValidationAccuracy > 0) {
		t.Errorf("judged %+v", judged)
	}
	if _, _, err := bonusTrain(context.Background(), o, data, []store.BonusSetting{bad, bad}, nil, "test", "test"); err != nil {
		t.Logf("one diverging setting alone: %v", err)
	} else {
		t.Error("a diverging setting alone trained without error")
	}
	bad2 := bad
	bad2.Lambda = 0.1
	if _, _, err := bonusTrain(context.Background(), o, data, []store.BonusSetting{bad, bad2}, nil, "test", "test"); err == nil || !strings.Contains(err.Error(), "every candidate diverged") {
		t.Errorf("all candidates diverging: %v", err)
	}
}

// TestBonusKept: a second ablation with the same inputs keeps the first's
// result (and says so); -quick, another seed or -fresh computes it again.
func TestBonusKept(t *testing.T) {
	dir := writeFakeCIFAR(t)
	o := bonusOptions(t, dir)
	var log strings.Builder
	o.Log, o.Quiet = &log, false
	o.Progress = io.Discard
	first, err := Bonus(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Bonus(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if second.Finished != first.Finished || !strings.Contains(log.String(), "bonus -quick: kept from the run of") {
		t.Errorf("the second ablation was not kept: finished %s then %s; log:\n%s", first.Finished, second.Finished, log.String())
	}
	o.Seed++
	log.Reset()
	if _, err := Bonus(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "recomputing") || !strings.Contains(log.String(), "seed") {
		t.Errorf("another seed: log:\n%s", log.String())
	}
}
