package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"twolayer/internal/cpu"
)

// built is the binary built once for all the tests of this file.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

// buildBinary builds the program once, into a temporary directory removed
// by TestMain.
func buildBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "twolayer-cli-test-")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "twolayer")
		built.out, built.err = exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// writeFakeData writes six tiny CIFAR-10 batch files (100 random records
// each) and returns their directory.
func writeFakeData(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cifar-10-batches-bin")
	os.MkdirAll(dir, 0o755)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, name := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"} {
		var buf []byte
		for i := range 100 {
			buf = append(buf, byte(i%10))
			for range 3072 {
				buf = append(buf, byte(rng.IntN(256)))
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// writePNG writes a w×h PNG image.
func writePNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(8 * x), uint8(8 * y), 100, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

// runBinary runs bin with args in dir, without $CIFAR10_DIR.
func runBinary(t *testing.T, bin, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CIFAR10_DIR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, stdout.String(), stderr.String()}
}

func TestCLI(t *testing.T) {
	bin := buildBinary(t)
	data := writeFakeData(t)
	work := t.TempDir()
	out := filepath.Join(work, "out")
	model := filepath.Join(work, "m.bin")
	quick := []string{"-data", data, "-out", out, "-quiet", "-ns", "2", "-batch", "50"}

	// a quick training run that saves a model, for predict
	r := runBinary(t, bin, work, append([]string{"train", "-save", model}, quick...)...)
	if r.code != 0 {
		t.Fatalf("train on fake data: exit %d\n%s", r.code, r.stderr)
	}
	var sum map[string]any
	if data, err := os.ReadFile(filepath.Join(out, "train", "summary.json")); err != nil || json.Unmarshal(data, &sum) != nil {
		t.Fatalf("train wrote no valid summary.json: %v", err)
	}
	good := filepath.Join(work, "good.png")
	big := filepath.Join(work, "big.png")
	writePNG(t, good, 32, 32)
	writePNG(t, big, 64, 48)
	if r := runBinary(t, bin, work, "predict", "-model", model, good); r.code != 0 || !strings.Contains(r.stdout, "good.png") {
		t.Errorf("predict on a 32×32 PNG: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// any size: one line per image, the three most probable classes with
	// their probabilities, in decreasing order
	if r := runBinary(t, bin, work, "predict", "-model", model, big); r.code != 0 {
		t.Errorf("predict on a 64×48 PNG: exit %d, stderr %q", r.code, r.stderr)
	} else if f := strings.Split(strings.TrimSpace(r.stdout), "\t"); len(f) != 4 || f[0] != big {
		t.Errorf("predict on a 64×48 PNG printed %q, want the file and three classes, tab-separated", r.stdout)
	} else {
		last := 1.0
		for _, g := range f[1:] {
			var class string
			var p float64
			if _, err := fmt.Sscanf(g, "%s %f", &class, &p); err != nil || p > last {
				t.Errorf("predict: %q is not a class and a probability below %g", g, last)
			}
			last = p
		}
	}
	showDir := filepath.Join(work, "show")
	if r := runBinary(t, bin, work, "show", "-model", model, "-data", data, "-out", showDir); r.code != 0 || !strings.Contains(r.stdout, "test accuracy") {
		t.Errorf("show: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, name := range []string{"weights.png", "templates.png", "confusion.png", "mistakes.png", "show.html", "show.json"} {
		if _, err := os.Stat(filepath.Join(showDir, name)); err != nil {
			t.Errorf("show did not write %s: %v", name, err)
		}
	}
	if r := runBinary(t, bin, work, "predict", "-model", model, "-file", filepath.Join(data, "test_batch.bin"), "-index", "0,1,2"); r.code != 0 || !strings.Contains(r.stdout, "of 3 correct") {
		t.Errorf("predict on batch images: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// several models average their outputs: the same model twice gives the
	// same classes and probabilities as once
	once := runBinary(t, bin, work, "predict", "-model", model, "-file", filepath.Join(data, "test_batch.bin"), "-index", "0,1,2")
	twice := runBinary(t, bin, work, "predict", "-model", model+","+model, "-file", filepath.Join(data, "test_batch.bin"), "-index", "0,1,2")
	if twice.code != 0 || twice.stdout != once.stdout {
		t.Errorf("predict with the model twice: exit %d, stdout %q; once: %q", twice.code, twice.stdout, once.stdout)
	}

	// the bonus ablation, tiny, and its best model (or ensemble) for predict
	r = runBinary(t, bin, work, "bonus", "-quick", "-hidden", "8", "-ns", "2", "-cycles", "1", "-batch", "50", "-nval", "100", "-data", data, "-out", out, "-quiet")
	if r.code != 0 || !strings.Contains(r.stdout, "+ longer training") || !strings.Contains(r.stdout, "best by validation") {
		t.Fatalf("bonus -quick: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	var bonusSum struct{ Bonus struct{ Model string } }
	if data, err := os.ReadFile(filepath.Join(out, "bonus", "summary.json")); err != nil || json.Unmarshal(data, &bonusSum) != nil || bonusSum.Bonus.Model == "" {
		t.Fatalf("bonus wrote no valid summary.json: %v", err)
	}
	if r := runBinary(t, bin, work, "predict", "-model", filepath.Join(out, "bonus", bonusSum.Bonus.Model), "-file", filepath.Join(data, "test_batch.bin"), "-index", "0,1"); r.code != 0 || !strings.Contains(r.stdout, "of 2 correct") {
		t.Errorf("predict with bonus's %s: exit %d, stdout %q, stderr %q", bonusSum.Bonus.Model, r.code, r.stdout, r.stderr)
	}
	if r := runBinary(t, bin, work, "lr-range", "-hidden", "8", "-steps", "20", "-batch", "50", "-nval", "100", "-data", data, "-out", out, "-quiet"); r.code != 0 || !strings.Contains(r.stdout, "suggested η_min") {
		t.Errorf("lr-range: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// the Python and MATLAB versions (of the tiny test files of package cifar)
	tinyPy, _ := filepath.Abs(filepath.Join("cifar", "testdata", "tiny-py"))
	tinyMat, _ := filepath.Abs(filepath.Join("cifar", "testdata", "tiny-mat"))
	if r := runBinary(t, bin, work, "predict", "-model", model, "-file", filepath.Join(tinyPy, "test_batch"), "-index", "0,3"); r.code != 0 || !strings.Contains(r.stdout, "of 2 correct") {
		t.Errorf("predict on images of a pickled batch: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runBinary(t, bin, work, "verify", "-data", tinyMat); r.code != 1 || !strings.Contains(r.stdout, "data_batch_1.mat   differs") {
		t.Errorf("verify on the tiny MATLAB version: exit %d, stdout %q, want each file listed as differing", r.code, r.stdout)
	}

	incomplete := filepath.Join(work, "incomplete")
	os.MkdirAll(incomplete, 0o755)
	for _, name := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"} {
		os.WriteFile(filepath.Join(incomplete, name), nil, 0o644)
	}
	if r := runBinary(t, bin, work, "verify", "-data", incomplete); !strings.Contains(r.stdout, "test_batch.bin     missing") {
		t.Errorf("verify on a copy without test_batch.bin: stdout %q, want it listed as missing", r.stdout)
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantText string // in the error line
	}{
		{"missing data, offline", []string{"one-cycle", "-offline", "-quiet"}, 1, "download"},
		{"missing -data dir", []string{"one-cycle", "-data", filepath.Join(work, "nope"), "-offline"}, 1, "nope"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"flag before command", []string{"-quiet", "one-cycle"}, 2, "after the command"},
		{"bad flag value", []string{"one-cycle", "-seed", "abc"}, 2, "-seed"},
		{"unknown flag", []string{"coarse", "-lamda", "1"}, 2, "lamda"},
		{"bad split", []string{"one-cycle", "-split", "half", "-data", data}, 2, "split"},
		{"negative side by side", []string{"coarse", "-side-by-side", "-2", "-data", data}, 2, "-side-by-side -2"},
		{"negative lambda", append([]string{"train", "-lambda", "-1"}, quick...), 2, "λ"},
		{"eta_min above eta_max", append([]string{"train", "-eta-min", "0.1", "-eta-max", "0.01"}, quick...), 2, "η_min"},
		{"batch larger than the training set", []string{"train", "-data", data, "-out", out, "-quiet", "-batch", "1000"}, 2, "batch size"},
		{"bad init", []string{"train", "-init", "zeros"}, 2, "init"},
		{"-save names a directory", append([]string{"train", "-save", work}, quick...), 2, "is a directory"},
		{"not an image", []string{"predict", "-model", model, filepath.Join(data, "test_batch.bin")}, 1, "test_batch.bin is not a PNG or JPEG image"},
		{"show without a model", []string{"show", "-model", filepath.Join(work, "none.bin"), "-data", data}, 1, "none.bin does not exist: train a model first"},
		{"show with a batch file as the model", []string{"show", "-model", filepath.Join(data, "test_batch.bin"), "-data", data}, 1, "not a model file"},
		{"missing model", []string{"predict", "-model", filepath.Join(work, "none.bin"), good}, 1, "none.bin: no such file or directory: train one first"},
		{"index out of range", []string{"predict", "-model", model, "-file", filepath.Join(data, "test_batch.bin"), "-index", "100"}, 1, "out of range"},
		{"stray argument", []string{"gradcheck", "extra"}, 2, "extra"},
		{"dropout's p above 1", append([]string{"train", "-keep-prob", "2"}, quick...), 2, "keep probability"},
		{"shift beyond the image", append([]string{"train", "-shift", "32"}, quick...), 2, "shift"},
		{"bonus with negative m", []string{"bonus", "-hidden", "-5", "-data", data}, 2, "-hidden -5"},
		{"lr-range falling", []string{"lr-range", "-from", "1", "-to", "0.1", "-data", data}, 2, "η must rise"},
		{"predict with a missing second model", []string{"predict", "-model", model + "," + filepath.Join(work, "none.bin"), good}, 1, "none.bin"},
		{"-out under a file", []string{"all", "-data", data, "-out", filepath.Join(good, "out")}, 1, "cannot create the output directory " + filepath.Join(good, "out")},
		{"verify an incomplete copy", []string{"verify", "-data", incomplete}, 1, "6 of 6 files"},
		{"download from nowhere", []string{"download", "-quiet", "-dir", filepath.Join(work, "dl"), "-url", "http://127.0.0.1:1/cifar-10-binary.tar.gz"}, 1, "127.0.0.1:1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runBinary(t, bin, work, tc.args...)
			if r.code != tc.wantCode {
				t.Errorf("exit code %d, want %d; stderr %q", r.code, tc.wantCode, r.stderr)
			}
			// The fake data set is not the official one, so a run that reads
			// it may first print the one-line warning that says so.
			var lines []string
			for _, l := range strings.Split(strings.TrimRight(r.stderr, "\n"), "\n") {
				if !strings.HasPrefix(l, "warning: the CIFAR-10 files in ") {
					lines = append(lines, l)
				}
			}
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "twolayer: ") {
				t.Errorf("stderr is not one line starting with \"twolayer: \" (beside the data warning): %q", r.stderr)
			}
			if !strings.Contains(r.stderr, tc.wantText) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tc.wantText)
			}
			if _, err := os.Stat(filepath.Join(work, "dl")); !os.IsNotExist(err) {
				t.Errorf("left %s behind", filepath.Join(work, "dl"))
			}
			for _, bad := range []string{"panic", "goroutine"} {
				if strings.Contains(r.stdout+r.stderr, bad) {
					t.Errorf("output contains %q:\n%s%s", bad, r.stdout, r.stderr)
				}
			}
		})
	}
}

// TestResumeCLI: a section run again with the same flags is kept and says
// so on stderr; -fresh computes it again; another seed too, saying why.
func TestResumeCLI(t *testing.T) {
	bin := buildBinary(t)
	data := writeFakeData(t)
	work := t.TempDir()
	args := []string{"one-cycle", "-data", data, "-out", filepath.Join(work, "out"), "-ns", "2", "-batch", "50"}
	steps := []struct {
		extra []string
		want  string // on stderr
	}{
		{nil, "step"},
		{nil, "one-cycle: kept from the run of"},
		{[]string{"-fresh"}, "one-cycle: recomputing: -fresh"},
		{[]string{"-seed", "2"}, "one-cycle: recomputing: the seed (1 then, 2 now) differs"},
	}
	for _, s := range steps {
		r := runBinary(t, bin, work, append(args, s.extra...)...)
		if r.code != 0 || !strings.Contains(r.stderr, s.want) {
			t.Errorf("one-cycle %q: exit %d, stderr %q lacks %q", s.extra, r.code, r.stderr, s.want)
		}
		if kept := strings.Contains(r.stderr, "kept"); kept == strings.Contains(r.stderr, "step") {
			t.Errorf("one-cycle %q: kept %v, and trained %v:\n%s", s.extra, kept, !kept, r.stderr)
		}
	}
}

func TestHelpListsCommands(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-h"}, &stdout, &stderr); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
	for _, c := range commands {
		n := 0
		for _, line := range strings.Split(stdout.String(), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), c.name+" ") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("-h lists %q on %d lines, want 1:\n%s", c.name, n, stdout.String())
		}
	}
	for _, c := range commands {
		stdout.Reset()
		if code := run(t.Context(), []string{c.name, "-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "usage: go run . "+c.name) {
			t.Errorf("%s -h: exit %d, output %q", c.name, code, stdout.String())
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("help wrote to stderr: %q", stderr.String())
	}
}

func TestExitCodeOneLine(t *testing.T) {
	var stderr bytes.Buffer
	code := exitCode(&stderr, "x", fmt.Errorf("first\nsecond"))
	if code != 1 || stderr.String() != "twolayer: x: first; second\n" {
		t.Errorf("exitCode = %d, %q", code, stderr.String())
	}
}

// lockedBuffer is a bytes.Buffer that one goroutine may write while another
// reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestInterruptLeavesNoPartialFiles(t *testing.T) {
	bin := buildBinary(t)
	data := writeFakeData(t)
	work := t.TempDir()
	out := filepath.Join(work, "out")
	cmd := exec.Command(bin, "one-cycle", "-data", data, "-out", out, "-ns", "100000")
	var stderr lockedBuffer // written by exec's copying goroutine while the test reads it
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// wait for training to start (its first progress line), then Ctrl-C
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), "step") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Errorf("exit after Ctrl-C: %v, want exit code 1", err)
	}
	last := strings.TrimSpace(stderr.String()[strings.LastIndex(strings.TrimSpace(stderr.String()), "\n")+1:])
	if !strings.HasPrefix(last, "twolayer: one-cycle: interrupted") {
		t.Errorf("last stderr line %q, want the interruption message", last)
	}
	if _, err := os.Stat(filepath.Join(out, "one-cycle")); !os.IsNotExist(err) {
		t.Errorf("the interrupted run left %s behind", filepath.Join(out, "one-cycle"))
	}
}

// serveURL waits for the line of stderr that gives the page's address and
// returns the address.
func serveURL(t *testing.T, stderr *lockedBuffer) string {
	t.Helper()
	re := regexp.MustCompile(`at (http://[^ ]+/)`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no address on stderr: %q", stderr.String())
	return ""
}

// getBody is a GET that must succeed.
func getBody(t *testing.T, url string) string {
	t.Helper()
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, r.StatusCode, b)
	}
	return string(b)
}

// The serve command serves the results folder and the test batch until
// Ctrl-C (exit code 0); an address it cannot serve on is one line, before
// anything else: a port in use is a failure (1), a malformed address a
// usage error (2), with serve and with a training command's -serve, which
// then trains nothing.
func TestServeCommand(t *testing.T) {
	data := writeFakeData(t)
	out := filepath.Join(t.TempDir(), "results")
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	inUse := taken.Addr().String()
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"serve", "-serve", inUse, "-out", out}, 1, "twolayer: serve: cannot serve on " + inUse + ": the port is already in use; choose another port"},
		{[]string{"serve", "-serve", "localhost:http-alt"}, 2, "twolayer: serve: -serve: cannot serve on \"localhost:http-alt\": the port must be a number"},
		{[]string{"one-cycle", "-serve", inUse, "-data", data, "-out", out, "-ns", "2", "-batch", "50"}, 1, "twolayer: one-cycle: cannot serve on " + inUse + ": the port is already in use"},
		{[]string{"train", "-serve", "what?", "-data", data, "-out", out}, 2, "twolayer: train: -serve: cannot serve on \"what?\""},
		{[]string{"serve", "extra"}, 2, "twolayer: serve: unexpected argument \"extra\""},
	} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), c.args, &stdout, &stderr)
		lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
		if code != c.code || len(lines) != 1 || !strings.HasPrefix(lines[0], c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d and one line starting %q", c.args, code, stderr.String(), c.code, c.msg)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a command that could not serve wrote %s", out)
	}

	// serving, until Ctrl-C
	ctx, cancel := context.WithCancel(t.Context())
	var stderr lockedBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "-serve", "127.0.0.1:0", "-out", out, "-data", data}, io.Discard, &stderr)
	}()
	url := serveURL(t, &stderr)
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.Contains(stderr.String(), "Ctrl-C stops") {
		t.Errorf("stderr %q", stderr.String())
	}
	if body := getBody(t, url+"api/test"); body != `{"count":100}` {
		t.Errorf("the test images: %s", body)
	}
	getBody(t, url+"api/test/99") // a PNG
	if body := getBody(t, url+"api/state"); !strings.Contains(body, `"runs":[]`) {
		t.Errorf("the state of a server with no training: %s", body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve after Ctrl-C: exit %d, stderr %q", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after Ctrl-C")
	}
	if _, err := http.Get(url); err == nil {
		t.Error("still serving after Ctrl-C")
	}
}

// A training command with -serve prints the page's address, trains as
// without it (the same summary on stdout), says that it goes on serving,
// serves the finished run, and stops at Ctrl-C with exit code 0.
func TestTrainServed(t *testing.T) {
	data := writeFakeData(t)
	out := filepath.Join(t.TempDir(), "results")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"train", "-serve", "127.0.0.1:0", "-data", data, "-out", out, "-ns", "2", "-batch", "50"}, &stdout, &stderr)
	}()
	url := serveURL(t, &stderr)
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(stderr.String(), "training finished; still serving at "+url+", Ctrl-C stops"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("stderr %q", stderr.String())
		}
	}
	if !strings.Contains(stdout.String(), "results in "+filepath.Join(out, "train")) {
		t.Errorf("stdout %q", stdout.String())
	}
	state := getBody(t, url+"api/state")
	if !strings.Contains(state, `"id":"train"`) || !strings.Contains(state, `"end":{"run":"train","final":{`) {
		t.Errorf("the finished run is not in the state: %s", state)
	}
	if list := getBody(t, url+"api/results"); !strings.Contains(list, `"train"`) {
		t.Errorf("the finished run is not among the results: %s", list)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after Ctrl-C, stderr %q", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop after Ctrl-C")
	}
}

// Ctrl-C during training with -serve stops training cleanly, as without
// it (exit code 1, the interruption's line, nothing half-written), then
// the server.
func TestInterruptServed(t *testing.T) {
	bin := buildBinary(t)
	data := writeFakeData(t)
	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(bin, "one-cycle", "-serve", "127.0.0.1:0", "-data", data, "-out", out, "-ns", "100000")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	url := serveURL(t, &stderr)
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(stderr.String(), "step") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	getBody(t, url+"api/state")
	start := time.Now()
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("exit after Ctrl-C: %v, want exit code 1", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to stop", d)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "twolayer: one-cycle: interrupted") {
		t.Errorf("last stderr line %q, want the interruption message", last)
	}
	if _, err := os.Stat(filepath.Join(out, "one-cycle")); !os.IsNotExist(err) {
		t.Errorf("the interrupted run left %s behind", filepath.Join(out, "one-cycle"))
	}
	if _, err := http.Get(url); err == nil {
		t.Error("still serving after Ctrl-C")
	}
}

// TestBadCPULimit: a $TWOLAYER_CPU the kernels do not take stops every
// command, before it runs, with one line naming the variable, exit 2.
func TestBadCPULimit(t *testing.T) {
	t.Setenv(cpu.LimitVar, "avx9")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"gradcheck", "-out", t.TempDir()}, &stdout, &stderr)
	if code != 2 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), cpu.LimitVar) || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 and one line naming $%s", code, stdout.String(), stderr.String(), cpu.LimitVar)
	}
}
