package report

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"twolayer/experiments/store"
)

// Write writes OUT/report.md and the self-contained OUT/report.html from
// what All did, a: each section from its summary among a.Results (in any
// order; a section without one is said to be missing), and the machine and
// the times of a.
func Write(outDir string, a *store.AllResult) error {
	d := build(a)
	if err := store.WriteBytesAtomic(filepath.Join(outDir, "report.md"), d.markdown()); err != nil {
		return err
	}
	return store.WriteBytesAtomic(filepath.Join(outDir, "report.html"), d.html(outDir))
}

// sections are the summaries a report shows, by the name of their
// directory under OUT, in the order All runs them (the range test, which
// All does not run, last), each read as its kind.
var sections = []struct {
	name string
	read func(path string) (store.Summary, error)
}{
	{"gradcheck", read[store.GradCheck]},
	{"one-cycle", read[store.Run]},
	{"three-cycles", read[store.Run]},
	{"one-cycle-all", read[store.Run]},
	{"three-cycles-all", read[store.Run]},
	{"coarse", read[store.Search]},
	{"fine", read[store.Search]},
	{"final", read[store.Final]},
	{"bonus", read[store.Bonus]},
	{"lr-range", read[store.LRRange]},
}

// read reads the summary at path as a T (see store.Read).
func read[T any, PT interface {
	*T
	store.Summary
}](path string) (store.Summary, error) {
	s, err := store.Read[T, PT](path)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Rebuild rewrites OUT/report.md and OUT/report.html from the summaries
// that the sections left under OUT (after running sections one by one,
// say); sections without a summary are reported as not run. It returns
// what the report was made from, started at now; its Seconds is the sum
// of the sections' times.
func Rebuild(outDir string, now time.Time) (*store.AllResult, error) {
	a := &store.AllResult{Started: now.UTC().Format(time.RFC3339), Machine: store.ThisMachine(), Report: []string{"report.md", "report.html"}}
	for _, sec := range sections {
		dir := filepath.Join(outDir, sec.name)
		s, err := sec.read(filepath.Join(dir, store.SummaryFile))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.Head().Dir = dir
		a.Add(s)
		a.Seconds += s.Head().Seconds
	}
	if len(a.Results) == 0 {
		return nil, fmt.Errorf("no experiment results in %s: run some first (go run . all, or one section, e.g. go run . one-cycle)", outDir)
	}
	return a, Write(outDir, a)
}

// find returns the summary of the section name among byName if it is a T,
// else nil.
func find[T any, PT interface {
	*T
	store.Summary
}](byName map[string]store.Summary, name string) PT {
	s, _ := byName[name].(PT)
	return s
}

// build lays out the report: per section our numbers beside the report's
// and the references, the differences and their explanations, the plots,
// then the machine and the timings.
func build(a *store.AllResult) *document {
	byName := map[string]store.Summary{}
	for _, s := range a.Results {
		byName[s.Head().Experiment] = s
	}
	d := &document{title: "Two-layer network on CIFAR-10: the report's experiments, rerun"}
	d.p("Generated on %s by `go run . all` (or `go run . report` from results already there). Accuracies are in percent; \"Δ report\" is ours minus the report's, in percentage points. "+
		"Differences of more than 1.5 points are marked and explained.", a.Started)

	gradCheckSection(d, find[store.GradCheck](byName, "gradcheck"))
	cyclesSection(d, "one-cycle", find[store.Run](byName, "one-cycle"), find[store.Run](byName, "one-cycle-all"))
	cyclesSection(d, "three-cycles", find[store.Run](byName, "three-cycles"), find[store.Run](byName, "three-cycles-all"))
	searchSection(d, "coarse", find[store.Search](byName, "coarse"), reportCoarseTop)
	searchSection(d, "fine", find[store.Search](byName, "fine"), reportFineTop)
	finalSection(d, find[store.Final](byName, "final"))
	bonusSection(d, find[store.Bonus](byName, "bonus"), find[store.LRRange](byName, "lr-range"))

	d.h("Machine and timings", "store.ThisMachine")
	m := a.Machine
	d.table([][]string{
		{"CPU", "cores", "GOMAXPROCS", "Go", "OS"},
		{m.CPU, fmt.Sprint(m.Cores), fmt.Sprint(m.GOMAXPROCS), m.GoVersion, m.OS},
	})
	rows := [][]string{{"section", "experiment", "seconds", "computed"}}
	for _, s := range a.Results {
		h := s.Head()
		computed := "—"
		if h.Finished != "" {
			computed = h.Date()
		}
		rows = append(rows, []string{h.Section, h.Experiment, fmt.Sprintf("%.1f", h.Seconds), computed})
	}
	rows = append(rows, []string{"", "total of this run (with data loading and plots)", fmt.Sprintf("%.1f", a.Seconds), ""})
	d.table(rows)
	return d
}
