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
	// The data, loaded once (one copy of the images for every section and
	// run), and the splits made of it so far, by key (see loadSplit): a
	// split is a view of the data with its own statistics.
	data   *cifar.Dataset
	splits map[string]*cifar.Split
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

// loadSplit returns a data split, "batch1" or "all" with nVal validation
// images (a split the caller has checked): the first call loads the data
// (cifar.LoadDataset: the six files, once, as bytes), and each split is
// made once (its statistics computed) and kept for the rest of the run.
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
	if s, ok := o.shared.splits[key]; ok {
		return s, nil
	}
	if o.shared.data == nil {
		if o.shared.data, err = cifar.LoadDataset(dir); err != nil {
			return nil, err
		}
	}
	s := o.shared.data.SplitBatch1()
	if split == "all" {
		if s, err = o.shared.data.SplitAll(nVal); err != nil {
			return nil, err
		}
	}
	if o.shared.splits == nil {
		o.shared.splits = map[string]*cifar.Split{}
	}
	o.shared.splits[key] = s
	return s, nil
}

// checkBatch is the one check of a run's settings that needs the data: a
// batch of the training set cannot hold more images than it has.
func checkBatch(batch int, train cifar.Images) error {
	if n := train.Len(); batch > n {
		return Usagef("the batch size (%d) is larger than the training set (%d images)", batch, n)
	}
	return nil
}
