package cifar

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindDir(t *testing.T) {
	tiny, err := filepath.Abs(filepath.Join("testdata", "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	// a parent holding cifar-10-batches-bin, like Download's
	parent := t.TempDir()
	nested := filepath.Join(parent, DirName)
	if err := os.CopyFS(nested, os.DirFS(tiny)); err != nil {
		t.Fatal(err)
	}
	partial := copyDir(t, "tiny", "data_batch_3.bin", TestFile)
	empty := t.TempDir()
	withDefault := t.TempDir() // a working directory holding ./data/cifar-10-batches-bin
	if err := os.CopyFS(filepath.Join(withDefault, "data", DirName), os.DirFS(tiny)); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		flag, env string
		cwd       string // working directory; empty: an empty one
		want      string // the directory found, or "" for an error
		parts     []string
	}{
		{name: "flag", flag: tiny, env: empty, want: tiny},
		{name: "flag names the parent", flag: parent, want: nested},
		{name: "env", env: tiny, want: tiny},
		{name: "env names the parent", env: parent, want: nested},
		{name: "default", cwd: withDefault, want: filepath.Join("data", DirName)},
		{name: "flag wins over a good env", flag: empty, env: tiny,
			parts: []string{empty, "(from -data)", "holds none of the CIFAR-10 batch files", "data_batch_1", ".bin files, Python pickles or .mat files",
				"go run . download", "-data or $CIFAR10_DIR", "cifar-10-batches-bin, cifar-10-batches-py or cifar-10-batches-mat"}},
		{name: "flag wins over the default", flag: partial, cwd: withDefault,
			parts: []string{partial, "lacks 2 of the CIFAR-10 binary files", "(data_batch_3.bin, test_batch.bin)", "go run . download"}},
		{name: "env without files", env: filepath.Join(empty, "nothere"),
			parts: []string{"nothere (from $CIFAR10_DIR) does not exist", "go run . download", "-data or $CIFAR10_DIR"}},
		{name: "nothing anywhere",
			parts: []string{"data/cifar-10-batches-bin (from the default location; -data not given, $CIFAR10_DIR not set) does not exist", "go run . download"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvVar, tc.env)
			if tc.cwd == "" {
				tc.cwd = t.TempDir()
			}
			t.Chdir(tc.cwd)
			got, err := FindDir(tc.flag)
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Fatalf("FindDir(%q) = %q, %v; want %q", tc.flag, got, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("FindDir(%q) = %q, want an error", tc.flag, got)
			}
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("error %q is not ErrNotFound", err)
			}
			for _, p := range tc.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not contain %q", err, p)
				}
			}
		})
	}
}
