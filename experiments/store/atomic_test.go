package store

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "a.txt")
	if err := WriteBytesAtomic(path, []byte("first")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "first" {
		t.Fatalf("content = %q, want %q", got, "first")
	}
	// a failing writer leaves the old content and no temporary file behind
	boom := errors.New("boom")
	err := WriteFileAtomic(path, func(f io.Writer) error {
		io.WriteString(f, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error = %v, want it to wrap the writer's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "first" {
		t.Errorf("content after a failed write = %q, want the old %q", got, "first")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only a.txt", names)
	}
}

// TestWriteFileAtomicDiskFull: a disk that fills while a file is written
// leaves the old file, no temporary file, and an error that says so in one
// line.
func TestWriteFileAtomicDiskFull(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	if err := WriteBytesAtomic(path, []byte("first")); err != nil {
		t.Fatal(err)
	}
	failWrites(t, "a.txt")
	err := WriteBytesAtomic(path, []byte("second"))
	checkOneLine(t, err, "the disk is full: "+path+" could not be written (no space left on device); nothing was half-written")
	if got, _ := os.ReadFile(path); string(got) != "first" {
		t.Errorf("content after a full disk = %q, want the old %q", got, "first")
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("left %q behind", l)
	}
}
