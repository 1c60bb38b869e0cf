package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"twolayer/network"
)

// Kept returns the summary recorded in dir when it can stand for a run with
// the inputs in: dir/summary.json exists, was written with the same Inputs,
// and every file it lists is there. Otherwise it returns nil and why the
// run must be computed ("" when there is nothing recorded at all). Nothing
// is kept when fresh is set (-fresh).
func Kept[T any, PT interface {
	*T
	Summary
}](dir string, in Inputs, fresh bool) (s PT, why string) {
	path := filepath.Join(dir, SummaryFile)
	s, err := Read[T, PT](path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, ""
	case fresh:
		return nil, "-fresh"
	case err != nil:
		return nil, fmt.Sprintf("its summary cannot be read (%v)", err)
	case s.Tail().Inputs == nil:
		return nil, "its summary does not say what it was computed from (written by an older version of the program)"
	case in.Data == "":
		return nil, "the data could not be identified (see the warning above)"
	}
	if d := diff(*s.Tail().Inputs, in); d != "" {
		return nil, d
	}
	for _, f := range s.Tail().Files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, fmt.Sprintf("its file %s is missing", f)
		}
	}
	s.Head().Dir = dir
	return s, ""
}

// KeptUnit returns the unit of a search recorded in dir from the inputs in,
// with its History read back from history.json (see Kept and WriteUnit),
// or nil and why not.
func KeptUnit(dir string, in Inputs, fresh bool) (*Run, string) {
	r, why := Kept[Run](dir, in, fresh)
	if r == nil {
		return nil, why
	}
	path := filepath.Join(dir, HistoryFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Sprintf("its history cannot be read (%v)", err)
	}
	var h network.History
	if err := json.Unmarshal(data, &h); err != nil || len(h.Records) == 0 {
		return nil, fmt.Sprintf("%s is not a training history", path)
	}
	r.History = &h
	return r, ""
}

// Date formats the time a result was computed (Header.Finished) for
// messages: "2006-01-02 15:04 UTC", or "an unknown date".
func (h *Header) Date() string {
	t, err := time.Parse(time.RFC3339, h.Finished)
	if err != nil {
		return "an unknown date"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
