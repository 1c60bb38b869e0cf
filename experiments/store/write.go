package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"twolayer/network"
)

// File is one file of a run: its name in the run's directory, and what it
// holds.
type File struct {
	Name string
	Data []byte
}

// Begin starts writing the files of a run into dir: it removes the run's
// summary.json first, so that a run whose writing stops half-way (a full
// disk, a crash) has no summary and counts as not run, rather than an old
// summary beside new files. The summary is written last (see Write).
func Begin(dir string) error {
	err := os.Remove(filepath.Join(dir, SummaryFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot replace the results in %s: %w", dir, err)
	}
	return nil
}

// Write writes the files of the run s into its directory (Header.Dir), in
// order, each atomically, then its summary.json, last (Begin removed the
// old one first). The summary's Files list summary.json, then the files in
// order, then those s listed already (written before, as a model).
func Write(s Summary, files []File) error {
	dir := s.Head().Dir
	if err := Begin(dir); err != nil {
		return err
	}
	names := []string{SummaryFile}
	for _, f := range files {
		if err := WriteBytesAtomic(filepath.Join(dir, f.Name), f.Data); err != nil {
			return err
		}
		names = append(names, f.Name)
	}
	t := s.Tail()
	t.Files = append(names, t.Files...)
	return WriteJSON(filepath.Join(dir, SummaryFile), s)
}

// unitFiles are the files of a search's unit, summary.json last: it is
// written after the others, so a unit with a summary is complete.
var unitFiles = []string{CurvesFile, HistoryFile, SummaryFile}

// WriteUnit writes the files of r, one λ of a search, into r.Dir:
// curves.csv, history.json (the History exactly, every float64 as Go
// writes it back to the same bits, for a later search that keeps the unit,
// see KeptUnit) and, last, summary.json.
func WriteUnit(r *Run) error {
	if err := Begin(r.Dir); err != nil {
		return err
	}
	hist, err := json.Marshal(r.History)
	if err != nil {
		return fmt.Errorf("encoding the history of %s: %w", r.Dir, err)
	}
	r.Files = unitFiles
	if err := WriteBytesAtomic(filepath.Join(r.Dir, CurvesFile), CurvesCSV(r.History)); err != nil {
		return err
	}
	if err := WriteBytesAtomic(filepath.Join(r.Dir, HistoryFile), append(hist, '\n')); err != nil {
		return err
	}
	return WriteJSON(filepath.Join(r.Dir, SummaryFile), r)
}

// curvesHeader is the header line of curves.csv.
const curvesHeader = "step,eta,train_cost,train_loss,train_accuracy,val_cost,val_loss,val_accuracy"

// CurvesCSV formats the recordings of h as CSV, one row per recording,
// with the columns of curvesHeader.
func CurvesCSV(h *network.History) []byte {
	b := []byte(curvesHeader + "\n")
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	for _, r := range h.Records {
		b = fmt.Appendf(b, "%d,%s,%s,%s,%s,%s,%s,%s\n", r.Step, f(r.Eta),
			f(r.Train.Cost), f(r.Train.Loss), f(r.Train.Accuracy),
			f(r.Val.Cost), f(r.Val.Loss), f(r.Val.Accuracy))
	}
	return b
}

// SaveModel writes m to path in the model file format (network.Model),
// atomically, creating the directory if needed.
func SaveModel(path string, m *network.Model) error {
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	return WriteBytesAtomic(path, b)
}
