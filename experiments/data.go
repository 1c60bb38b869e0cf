package experiments

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"twolayer/cifar"
)

// shared is the state that the experiments of one All run share.
type shared struct {
	mu     sync.Mutex
	dir    string // the data directory, once found
	dataID string // the identity of its content (cifar.Identity), "" if unknown
	warned bool
	// The splits loaded, most recently used last: at most splitSlots of
	// them (0 means 1), so that one run after the other keeps one split in
	// memory and runs side by side on different splits keep theirs.
	splits     []cachedSplit
	splitSlots int
}

// setSplitSlots sets how many splits loadSplit keeps (n runs side by side
// on different splits keep theirs) and returns the previous setting.
func (sh *shared) setSplitSlots(n int) int {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	prev := sh.splitSlots
	sh.splitSlots = n
	return prev
}

// cachedSplit is a loaded data split and its key (see loadSplit).
type cachedSplit struct {
	key   string
	split *cifar.Split
}

// FindData returns the CIFAR-10 directory: cifar.FindDir's answer, or,
// when no copy is found and nothing names one (-data and $CIFAR10_DIR are
// empty) and Offline is not set, a fresh download into ./data, announced in
// one line. If the download fails too, the error says so and names both
// fixes. It checks the files once (cifar.Verify): when they differ from the
// official ones it warns, and it records the identity of their content for
// the Inputs of the runs (cifar.Identity).
func FindData(ctx context.Context, o Options) (string, error) {
	o = o.withDefaults()
	o.shared.mu.Lock()
	defer o.shared.mu.Unlock()
	if o.shared.dir != "" {
		return o.shared.dir, nil
	}
	dir, err := cifar.FindDir(o.DataDir)
	if err != nil {
		if !errors.Is(err, cifar.ErrNotFound) || o.Offline || o.DataDir != "" || os.Getenv(cifar.EnvVar) != "" {
			return "", err
		}
		target := filepath.Dir(cifar.DefaultDir)
		o.logf("CIFAR-10 not found: downloading it into ./%s (-offline turns this off)", target)
		var progress io.Writer
		if !o.Quiet {
			progress = o.Progress
		}
		if derr := cifar.Download(ctx, target, cifar.DownloadOptions{Progress: progress}); derr != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", fmt.Errorf("downloading CIFAR-10 failed (%v); %v", derr, err)
		}
		if dir, err = cifar.FindDir(""); err != nil {
			return "", err
		}
	}
	checks, err := cifar.Verify(dir)
	warning := ""
	if err != nil {
		warning = fmt.Sprintf("warning: could not verify the CIFAR-10 files in %s: %v", dir, err)
	} else {
		warning = cifar.CheckWarning(dir, checks)
		o.shared.dataID = cifar.Identity(dir, checks)
	}
	if !o.shared.warned && warning != "" {
		o.shared.warned = true
		fmt.Fprintln(o.Log, warning) // a warning, not progress: -quiet does not silence it
	}
	o.shared.dir = dir
	return dir, nil
}

// loadSplit loads (or takes from the cache) a data split: "batch1", or
// "all" with nVal validation images (a split the caller has checked).
func loadSplit(ctx context.Context, o Options, split string, nVal int) (*cifar.Split, error) {
	dir, err := FindData(ctx, o)
	if err != nil {
		return nil, err
	}
	key := split
	if split == "all" {
		key = fmt.Sprintf("all-%d", nVal)
	}
	o.shared.mu.Lock()
	defer o.shared.mu.Unlock()
	for i, c := range o.shared.splits {
		if c.key == key {
			o.shared.splits = append(append(o.shared.splits[:i:i], o.shared.splits[i+1:]...), c)
			return c.split, nil
		}
	}
	if n := len(o.shared.splits) - max(o.shared.splitSlots, 1) + 1; n > 0 {
		clear(o.shared.splits[:n]) // let the old ones be collected first
		o.shared.splits = o.shared.splits[n:]
	}
	var s *cifar.Split
	if split == "all" {
		s, err = cifar.LoadSplitAll(dir, nVal)
	} else {
		s, err = cifar.LoadSplitBatch1(dir)
	}
	if err != nil {
		return nil, err
	}
	o.shared.splits = append(o.shared.splits, cachedSplit{key, s})
	return s, nil
}

// checkBatch is the one check of a run's settings that needs the data: a
// batch of the training set cannot hold more images than it has.
func checkBatch(batch int, train cifar.Set) error {
	if n := train.Len(); batch > n {
		return Usagef("the batch size (%d) is larger than the training set (%d images)", batch, n)
	}
	return nil
}
