package cifar

import (
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinySums returns the MD5 sums of the tiny data files, computed here.
func tinySums(t *testing.T) map[string]string {
	t.Helper()
	sums := map[string]string{}
	for _, name := range DataFiles() {
		data, err := os.ReadFile(filepath.Join("testdata", "tiny", name))
		if err != nil {
			t.Fatal(err)
		}
		s := md5.Sum(data)
		sums[name] = hex.EncodeToString(s[:])
	}
	return sums
}

func TestVerify(t *testing.T) {
	sums := tinySums(t)
	dir := copyDir(t, "tiny", "data_batch_2.bin")
	if err := os.WriteFile(filepath.Join(dir, "data_batch_4.bin"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	checks, err := verify(dir, sums)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Status{"data_batch_2.bin": StatusMissing, "data_batch_4.bin": StatusDiffers}
	if len(checks) != 6 {
		t.Fatalf("%d checks, want 6", len(checks))
	}
	for k, c := range checks {
		if c.Name != DataFiles()[k] {
			t.Errorf("check %d is of %s, want %s", k, c.Name, DataFiles()[k])
		}
		if c.Status != want[c.Name] { // StatusOK is the zero value
			t.Errorf("%s: %v, want %v", c.Name, c.Status, want[c.Name])
		}
		if c.Want != sums[c.Name] || (c.Status == StatusOK) != (c.Got == c.Want) || (c.Status == StatusMissing) != (c.Got == "") {
			t.Errorf("%s: got %q want %q with status %v", c.Name, c.Got, c.Want, c.Status)
		}
	}
	w := CheckWarning(dir, checks)
	for _, p := range []string{"warning:", dir, "not the official ones", "differ: data_batch_4.bin", "missing: data_batch_2.bin", "go run . download"} {
		if !strings.Contains(w, p) {
			t.Errorf("warning %q does not contain %q", w, p)
		}
	}
	// against the official sums, every tiny file differs
	checks, err = Verify(filepath.Join("testdata", "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if c.Status != StatusDiffers || c.Want != OfficialMD5()[c.Name] {
			t.Errorf("Verify(tiny): %+v, want differs from the official MD5", c)
		}
	}
	if w := CheckFiles(filepath.Join("testdata", "tiny")); !strings.Contains(w, "data_batch_1.bin, data_batch_2.bin") || strings.Contains(w, "\n") {
		t.Errorf("CheckFiles(tiny) = %q, want one line naming the files", w)
	}
	if w := CheckWarning(dir, nil); w != "" {
		t.Errorf("no checks: warning %q, want none", w)
	}
}

func TestStatusString(t *testing.T) {
	for s, want := range map[Status]string{StatusOK: "ok", StatusDiffers: "differs", StatusMissing: "missing", 7: "Status(7)"} {
		if s.String() != want {
			t.Errorf("Status(%d).String() = %q, want %q", int(s), s.String(), want)
		}
	}
}
