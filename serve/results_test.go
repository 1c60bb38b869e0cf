package serve

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The files of the results folder are served with their types, ranges and
// conditional requests.
func TestResultFiles(t *testing.T) {
	results, data := fixtures(t)
	srv := startServer(t, Options{Results: results, Private: []string{data}})
	base := strings.TrimSuffix(srv.URL(), "/")
	for path, typ := range map[string]string{
		"/results/one-cycle/summary.json":                "application/json",
		"/results/one-cycle/curves.csv":                  "text/csv; charset=utf-8",
		"/results/one-cycle/cost.svg":                    "image/svg+xml",
		"/results/report.html":                           "text/html; charset=utf-8",
		"/results/coarse/runs/1-lambda-0.001/curves.csv": "text/csv; charset=utf-8",
	} {
		r, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != typ || !strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("%s: %d %q CSP %q", path, r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Content-Security-Policy"))
		}
	}
	req, _ := http.NewRequest("GET", base+"/results/one-cycle/curves.csv", nil)
	req.Header.Set("Range", "bytes=0-3")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusPartialContent || r.ContentLength != 4 {
		t.Errorf("range request: %d, %d bytes", r.StatusCode, r.ContentLength)
	}
	req, _ = http.NewRequest("HEAD", base+"/results/one-cycle/curves.csv", nil)
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 200 {
		t.Errorf("HEAD: %v %v", r, err)
	}
}

// Nothing outside the results folder is served, however the path is
// spelled, nor the data folder inside it, nor hidden files, folders, or
// files the program does not write for reading.
func TestResultFilesRefused(t *testing.T) {
	results, data := fixtures(t)
	srv := startServer(t, Options{Results: results, Private: []string{data}})
	for _, c := range []struct {
		path string
		want int
	}{
		// traversal, in every spelling; the guard refuses the raw path
		{"/results/../outside/secret.json", 400},
		{"/results/one-cycle/../../outside/secret.json", 400},
		{"/results/%2e%2e/outside/secret.json", 400},
		{"/results/%2E%2E/outside/secret.json", 400},
		{"/results/.%2e/outside/secret.json", 400},
		{"/results/..%2foutside%2fsecret.json", 400},
		{"/results/..%2Foutside%2Fsecret.json", 400},
		{"/results/one-cycle%2fsummary.json", 400},
		{"/results/..%5coutside%5csecret.json", 400},
		{`/results/..\outside\secret.json`, 400},
		{"/results/./one-cycle/summary.json", 400},
		{"/results//etc/passwd", 400},
		{"/results/%00summary.json", 400},
		{"/../outside/secret.json", 400},
		// absolute paths inside the name
		{"/results/%2Fetc%2Fpasswd", 400},
		// symbolic links out of the folder
		{"/results/leak.json", 404},
		{"/results/out/secret.json", 404},
		// the data folder, hidden files, what the program does not serve
		{"/results/data/cifar-10-batches-bin/secret.json", 403},
		{"/results/data/cifar-10-batches-bin/batches.meta.txt", 403},
		{"/results/data/cifar-10-batches-bin", 403},
		{"/results/.git/secret.json", 403},
		{"/results/train/model.bin", 403},
		{"/results/renamed.dat", 403},
		{"/results/one-cycle", 403},
		{"/results/", 403},
		// missing
		{"/results/nothing.json", 404},
	} {
		code, body := rawGet(t, srv.Addr(), c.path)
		if code != c.want || strings.Contains(body, secret) || strings.Contains(body, "\n\n") {
			t.Errorf("GET %s: %d %q, want %d and one line", c.path, code, body, c.want)
		}
	}
}

// The data folder is never served, even when it is the results folder,
// or holds it.
func TestPrivateFolders(t *testing.T) {
	results, _ := fixtures(t)
	for _, private := range []string{results, filepath.Dir(results)} {
		_, ts := newTestSite(t, Options{Results: results, Private: []string{private}})
		if code, body := get(t, ts.URL+"/results/one-cycle/summary.json"); code != http.StatusForbidden {
			t.Errorf("private %s: %d %s", private, code, body)
		}
		var list resultList
		getJSON(t, ts.URL+"/api/results", &list)
		var models []modelInfo
		getJSON(t, ts.URL+"/api/models", &models)
		if len(list.Results) != 0 || len(models) != 0 {
			t.Errorf("private %s: %d results, %d models listed", private, len(list.Results), len(models))
		}
	}
	// a symbolic link to the data folder does not hide it
	dir := t.TempDir()
	link := filepath.Join(dir, "data-link")
	if err := os.Symlink(filepath.Join(results, "data"), link); err != nil {
		t.Fatal(err)
	}
	_, ts := newTestSite(t, Options{Results: results, Private: []string{link}})
	if code, _ := get(t, ts.URL+"/results/data/cifar-10-batches-bin/secret.json"); code != http.StatusForbidden {
		t.Errorf("data folder named through a link: %d", code)
	}
}

// /api/results lists the finished runs in the report's order, a search's
// runs under it, a broken summary with its error, and nothing from the
// data, hidden or linked-out folders.
func TestResultsList(t *testing.T) {
	results, data := fixtures(t)
	_, ts := newTestSite(t, Options{Results: results, Private: []string{data}})
	var list struct {
		Report  bool
		Results []struct {
			Dir     string
			Files   []string
			Summary json.RawMessage
			Error   string
			Runs    []struct {
				Dir   string
				Files []string
			}
		}
	}
	getJSON(t, ts.URL+"/api/results", &list)
	if !list.Report {
		t.Error("report.html not seen")
	}
	var dirs []string
	for _, e := range list.Results {
		dirs = append(dirs, e.Dir)
	}
	if got := strings.Join(dirs, " "); got != "one-cycle coarse broken" {
		t.Fatalf("results %q, want one-cycle coarse broken", got)
	}
	oc, coarse, broken := list.Results[0], list.Results[1], list.Results[2]
	if strings.Join(oc.Files, " ") != "cost.svg curves.csv summary.json" || !strings.Contains(string(oc.Summary), `"section":"3.1(a)"`) {
		t.Errorf("one-cycle: %v %s", oc.Files, oc.Summary)
	}
	if len(coarse.Runs) != 2 || coarse.Runs[0].Dir != "coarse/runs/1-lambda-0.001" || coarse.Runs[1].Dir != "coarse/runs/2-lambda-0.01" {
		t.Errorf("coarse's runs: %+v", coarse.Runs)
	}
	if broken.Error != "summary.json is not valid JSON" || broken.Summary != nil {
		t.Errorf("broken: %q %s", broken.Error, broken.Summary)
	}
	// no results folder yet: an empty list
	_, ts2 := newTestSite(t, Options{Results: filepath.Join(t.TempDir(), "not-yet")})
	code, body := get(t, ts2.URL+"/api/results")
	if code != 200 || body != `{"report":false,"results":[]}` {
		t.Errorf("no results folder: %d %s", code, body)
	}
}

// /api/models lists the model and ensemble files by their magic, not
// their names, and none from the data folder or behind a link out.
func TestModelList(t *testing.T) {
	results, data := fixtures(t)
	_, ts := newTestSite(t, Options{Results: results, Private: []string{data}})
	var models []modelInfo
	getJSON(t, ts.URL+"/api/models", &models)
	got := map[string]string{}
	for _, m := range models {
		got[m.Path] = m.Kind
		if m.Size <= 0 || m.Modified <= 0 {
			t.Errorf("%s: size %d, modified %d", m.Path, m.Size, m.Modified)
		}
	}
	want := map[string]string{"train/model.bin": "model", "bonus/ensemble.bin": "ensemble", "renamed.dat": "model"}
	if len(got) != len(want) {
		t.Fatalf("models %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("models %v, want %v", got, want)
		}
	}
}
