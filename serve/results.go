package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// The results folder is read through an os.Root opened on it for each
// request: the operating system then refuses any name that leads outside
// it, by "..", or by a symbolic link pointing out, however the name is
// spelled; the checks of resultName before it give the reasons a person
// can read, and restrict what is served to the kinds of files the program
// writes. Opening it for each request also follows the folder when a
// training command creates it after the server started.

// servedTypes are the files of the results folder that are served, by
// extension, with their content types: what the program writes, but never
// model files or data (a CIFAR-10 batch is .bin, a pickle has no
// extension, a MAT-file is .mat).
var servedTypes = map[string]string{
	".json": "application/json",
	".csv":  "text/csv; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".html": "text/html; charset=utf-8",
	".md":   "text/markdown; charset=utf-8",
}

// Limits of the walks over the results folder: how deep they go (a
// search's runs are at <section>/runs/<run>/) and how many entries they
// look at, so that a results folder holding something unexpected (a copy of
// a home directory) costs a bounded time; and the largest summary read.
const (
	walkDepth       = 4
	walkEntries     = 20_000
	maxSummaryBytes = 4 << 20
)

// openRoot opens the results folder.
func (s *site) openRoot() (*os.Root, error) { return os.OpenRoot(s.results) }

// resultName checks a file name of the results folder, relative and with
// '/' between its parts, and says why it is refused ("" if it is not).
func (s *site) resultName(name string) string {
	switch {
	case name == "":
		return "no file named"
	case strings.ContainsAny(name, "\\\x00"):
		return "backslashes and NUL bytes are not allowed in a file name"
	case !fs.ValidPath(name) || name == ".":
		return "the name must be a path inside the results folder, without . or .. parts"
	case s.isPrivate(name):
		return "this folder is not served"
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return "hidden files are not served"
		}
	}
	if servedTypes[path.Ext(name)] == "" {
		return "only the results' .json, .csv, .svg, .png, .html and .md files are served"
	}
	return ""
}

// isPrivate reports whether name (relative to the results folder) lies in
// one of the folders never served.
func (s *site) isPrivate(name string) bool {
	for _, p := range s.private {
		if p == "." || name == p || strings.HasPrefix(name, p+"/") {
			return true
		}
	}
	return false
}

// privatePrefixes returns the private folders that lie inside the results
// folder (or contain it: then "."), relative to it with '/' between the
// parts. Symbolic links are resolved on both sides where they can be.
func privatePrefixes(results string, private []string) []string {
	resolve := func(p string) string {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return p
	}
	var out []string
	for _, root := range []string{results, resolve(results)} {
		for _, p := range private {
			if p == "" {
				continue
			}
			rel, err := filepath.Rel(root, resolve(p))
			if err != nil {
				continue
			}
			rel = filepath.ToSlash(rel)
			switch {
			case rel == ".." || strings.HasPrefix(rel, "../"):
				// outside, unless it contains the results folder
				if up, err := filepath.Rel(resolve(p), root); err == nil && !strings.HasPrefix(filepath.ToSlash(up), "..") {
					out = append(out, ".")
				}
			default:
				out = append(out, rel)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// resultFile answers GET /results/{path...}: a file of the results folder,
// with its content type, ranges and conditional requests
// (http.ServeContent). A name refused by resultName is 403 with the
// reason; one that does not lead to a regular file inside the folder
// (missing, a directory, a link out) is 404.
func (s *site) resultFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("path")
	if why := s.resultName(name); why != "" {
		http.Error(w, "refused: "+why, http.StatusForbidden)
		return
	}
	root, err := s.openRoot()
	if err != nil {
		http.Error(w, "there is no results folder yet", http.StatusNotFound)
		return
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		http.Error(w, "not found in the results folder: "+name, http.StatusNotFound)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		http.Error(w, "not a file of the results folder: "+name, http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", servedTypes[path.Ext(name)])
	h.Set("Cache-Control", "no-cache")
	// A report or a plot is shown as a document of its own, with no
	// scripts and no access to this server's pages (sandbox); it may use
	// its own inline styles and images.
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox")
	http.ServeContent(w, r, name, info.ModTime(), f)
}

// resultEntry is one run of the results folder as /api/results lists it:
// its folder, the files it holds that are served, its summary.json as
// written (or why it cannot be read), and, for a search, its λ runs.
type resultEntry struct {
	Dir     string          `json:"dir"`
	Files   []string        `json:"files"`
	Summary json.RawMessage `json:"summary,omitempty"`
	Error   string          `json:"error,omitempty"`
	Runs    []*resultEntry  `json:"runs,omitempty"`

	section, experiment string // for the order
}

// resultList is the answer of /api/results: the runs in the report's order
// (by section, then the others by name), and whether report.html exists.
type resultList struct {
	Report  bool           `json:"report"`
	Results []*resultEntry `json:"results"`
}

// resultsList answers GET /api/results: every folder of the results folder
// holding a summary.json, down to walkDepth, a search's runs under it.
func (s *site) resultsList(w http.ResponseWriter, r *http.Request) {
	list := resultList{Results: []*resultEntry{}}
	root, err := s.openRoot()
	if err != nil {
		writeJSON(w, list)
		return
	}
	defer root.Close()
	entries := map[string]*resultEntry{}
	s.walk(root, func(name string, d fs.DirEntry) {
		switch {
		case name == "report.html":
			list.Report = true
		case path.Base(name) == "summary.json":
			dir := path.Dir(name)
			entries[dir] = s.readEntry(root, dir)
		}
	})
	dirs := slices.Sorted(func(yield func(string) bool) {
		for d := range entries {
			if !yield(d) {
				return
			}
		}
	})
	for _, dir := range dirs {
		e := entries[dir]
		// a search's run: <search>/runs/<run>
		if parent, ok := strings.CutSuffix(path.Dir(dir), "/runs"); ok && entries[parent] != nil {
			entries[parent].Runs = append(entries[parent].Runs, e)
			continue
		}
		list.Results = append(list.Results, e)
	}
	slices.SortStableFunc(list.Results, func(a, b *resultEntry) int {
		// sections first ("2.9" < "3.1(a)" < ... < "3.4"), then the rest
		switch {
		case a.section != "" && b.section == "":
			return -1
		case a.section == "" && b.section != "":
			return 1
		case a.section != b.section:
			return strings.Compare(a.section, b.section)
		}
		return strings.Compare(a.Dir, b.Dir)
	})
	for _, e := range list.Results {
		slices.SortStableFunc(e.Runs, func(a, b *resultEntry) int { return runNumber(a.Dir) - runNumber(b.Dir) })
	}
	writeJSON(w, list)
}

// runNumber is the i of a search run's folder <i>-lambda-<λ>, or 0.
func runNumber(dir string) int {
	n := 0
	for _, c := range path.Base(dir) {
		if c < '0' || c > '9' {
			break
		}
		n = 10*n + int(c-'0')
	}
	return n
}

// readEntry reads the summary.json of dir and lists its served files.
func (s *site) readEntry(root *os.Root, dir string) *resultEntry {
	e := &resultEntry{Dir: dir, Files: []string{}}
	if items, err := fs.ReadDir(root.FS(), dir); err == nil {
		for _, it := range items {
			if name := path.Join(dir, it.Name()); it.Type().IsRegular() && s.resultName(name) == "" {
				e.Files = append(e.Files, it.Name())
			}
		}
	}
	b, err := readLimited(root, path.Join(dir, "summary.json"), maxSummaryBytes)
	if err != nil {
		e.Error = "summary.json cannot be read: " + err.Error()
		return e
	}
	var head struct{ Experiment, Section string }
	if err := json.Unmarshal(b, &head); err != nil || !json.Valid(b) {
		e.Error = "summary.json is not valid JSON"
		return e
	}
	var compact bytes.Buffer
	json.Compact(&compact, b)
	e.Summary = compact.Bytes()
	e.section, e.experiment = head.Section, head.Experiment
	return e
}

// walk calls f for every regular file of the results folder, down to
// walkDepth folders and walkEntries entries, skipping hidden and private
// folders; symbolic links are not followed.
func (s *site) walk(root *os.Root, f func(name string, d fs.DirEntry)) {
	seen := 0
	fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable folder is skipped
		}
		if seen++; seen > walkEntries {
			return fs.SkipAll
		}
		if d.IsDir() {
			if name != "." && (strings.HasPrefix(d.Name(), ".") || s.isPrivate(name) || strings.Count(name, "/") >= walkDepth) {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && !s.isPrivate(name) {
			f(name, d)
		}
		return nil
	})
}

// readLimited reads the file name of root if it is a regular file of at
// most limit bytes.
func readLimited(root *os.Root, name string, limit int64) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if info.Size() > limit {
		return nil, errors.New("too large")
	}
	return io.ReadAll(io.LimitReader(f, limit+1))
}
