package store

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeHook, when set (by tests), wraps the writer of every file that
// WriteFileAtomic writes, with the file's final path: a test injects a
// writer that fails as a full disk would.
var writeHook func(path string, w io.Writer) io.Writer

// WriteFileAtomic writes the file at path through write: the content goes to
// a temporary file in the same directory, which is synced, closed and then
// renamed over path. A reader therefore sees either the old file or the
// complete new one, never a half-written file, even when the program is
// interrupted; on any error the temporary file is removed and path is left
// as it was. The directory is created if needed. When the disk is full, the
// error says so in words.
func WriteFileAtomic(path string, write func(w io.Writer) error) (err error) {
	defer func() {
		if err != nil && isDiskFull(err) {
			err = fmt.Errorf("the disk is full: %s could not be written (%w); nothing was half-written: free some space and run again", path, cause(err))
		}
	}()
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create directory for %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var w io.Writer = tmp
	if writeHook != nil {
		w = writeHook(path, tmp)
	}
	if err := write(w); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// WriteBytesAtomic writes data to path atomically (see WriteFileAtomic).
func WriteBytesAtomic(path string, data []byte) error {
	return WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
