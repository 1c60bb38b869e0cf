package cifar

import (
	"os"
	"path/filepath"
	"testing"
)

// identity returns Identity of the copy in dir.
func identity(t *testing.T, dir string) string {
	t.Helper()
	checks, err := Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	return Identity(dir, checks)
}

// TestIdentity: the same images, labels and class names have one identity
// in every version and place; one changed label or class name, another.
func TestIdentity(t *testing.T) {
	bin := identity(t, filepath.Join("testdata", "tiny"))
	if len(bin) != 16 {
		t.Fatalf("identity %q, want 16 hex digits", bin)
	}
	for _, dir := range []string{"tiny-py", "tiny-mat"} {
		if got := identity(t, filepath.Join("testdata", dir)); got != bin {
			t.Errorf("%s: identity %s, the binary version's is %s", dir, got, bin)
		}
	}
	moved := copyDir(t, "tiny")
	if got := identity(t, moved); got != bin {
		t.Errorf("a copy elsewhere: identity %s, want %s", got, bin)
	}
	f := filepath.Join(moved, "test_batch.bin")
	data, _ := os.ReadFile(f)
	data[0] ^= 1 // the first label
	os.WriteFile(f, data, 0o644)
	if got := identity(t, moved); got == bin {
		t.Error("a copy with one label changed has the same identity")
	}
	renamed := copyDir(t, "tiny")
	os.WriteFile(filepath.Join(renamed, "batches.meta.txt"), []byte("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"), 0o644)
	if got := identity(t, renamed); got == bin {
		t.Error("other class names, the same identity")
	}
}
