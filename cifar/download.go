package cifar

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// DefaultURL is the official address of the binary archive, from the
// dataset's home page (https://www.cs.toronto.edu/~kriz/cifar.html).
const DefaultURL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"

// ArchiveMD5 is the official MD5 of cifar-10-binary.tar.gz.
const ArchiveMD5 = "c32a1d4ab5d03f1284b67883e8d87530"

// DefaultStallTimeout is how long a download may receive nothing (while
// connecting, waiting for the server's answer or reading the archive) before
// it gives up, when DownloadOptions.StallTimeout is zero.
const DefaultStallTimeout = time.Minute

// tempPrefix starts the name of Download's temporary directory in the
// parent directory; leftovers of an interrupted run are removed by the next.
const tempPrefix = ".cifar-10-download-"

// DownloadOptions configures Download. The zero value fetches the official
// archive silently with http.DefaultClient and checks the official MD5 sums.
type DownloadOptions struct {
	// URL of the archive; empty means DefaultURL.
	URL string
	// Progress receives progress reports: a bar redrawn in place when it is
	// a terminal (an *os.File that is a character device), a line per 10 %
	// otherwise; nil means silent.
	Progress io.Writer
	// Client makes the request; nil means http.DefaultClient.
	Client *http.Client
	// ArchiveMD5 is the expected MD5 (hex) of the archive; empty means the
	// official ArchiveMD5.
	ArchiveMD5 string
	// FileMD5 maps each of the six data files to its expected MD5 (hex);
	// nil means OfficialMD5(). Tests set both to those of a small archive.
	FileMD5 map[string]string
	// StallTimeout is how long the download may receive nothing before it
	// fails (an unreachable or silent server, a dead connection); zero means
	// DefaultStallTimeout. A slow but steady download never times out.
	StallTimeout time.Duration
}

// Download fetches the CIFAR-10 binary archive and unpacks its data files
// into dir/cifar-10-batches-bin: dir is the parent (e.g. ./data), created if
// needed. In order, it
//
//  1. streams the archive into a temporary directory beside the target
//     (dir/.cifar-10-download-*), hashing it on the way, and compares its
//     MD5 with the official one;
//  2. extracts from the archive's cifar-10-batches-bin/ folder only the six
//     data files and batches.meta.txt (any other entry, including one whose
//     name would escape the folder, is skipped) and checks each data file's
//     MD5;
//  3. renames the extracted folder into place.
//
// Every data file must have its official MD5. The archive's own MD5 need
// not: a mirror may have packed the same files again (another compression
// level, other dates in the tar headers), which changes the archive but not
// the data. Which of the two checks passed is said in opt.Progress.
//
// On any failure, including cancellation of ctx and a stall longer than
// opt.StallTimeout, it removes its temporary directory, and dir itself if
// Download created it, so that no partial dataset is left; it also removes the
// temporary directories that an interrupted earlier run may have left, so a
// re-run starts cleanly. If the target already exists and its data files
// have the expected MD5 sums, Download does nothing; if it exists otherwise,
// Download fails without touching it.
//
// Errors are one line naming what failed; errors.Is(err, ErrChecksum) holds
// for a checksum mismatch, errors.Is(err, context.Canceled) for a
// cancellation.
func Download(ctx context.Context, dir string, opt DownloadOptions) (err error) {
	opt = opt.withDefaults()
	target := filepath.Join(dir, DirName)
	if done, err := alreadyThere(target, opt); done || err != nil {
		if done {
			opt.say("CIFAR-10 already present and verified in %s\n", target)
		}
		return err
	}
	created := missingDirs(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cifar: %w", err)
	}
	defer func() {
		if err != nil {
			for _, d := range created {
				if os.Remove(d) != nil { // not empty, or gone
					break
				}
			}
		}
	}()
	removeStale(dir)
	tmp, err := os.MkdirTemp(dir, tempPrefix)
	if err != nil {
		return fmt.Errorf("cifar: %w", err)
	}
	defer os.RemoveAll(tmp)

	archive := filepath.Join(tmp, path.Base(opt.URL))
	sum, err := fetch(ctx, opt, archive)
	if err != nil {
		return err
	}
	archiveOK := sum == opt.ArchiveMD5
	if archiveOK {
		opt.say("MD5 of the archive ok; extracting\n")
	} else {
		opt.say("the archive's MD5 %s is not the official %s (packed again by the mirror?); extracting to check each data file\n", sum, opt.ArchiveMD5)
	}
	extracted := filepath.Join(tmp, DirName)
	if err := extract(ctx, archive, extracted, opt); err != nil {
		if !archiveOK && errors.Is(err, ErrChecksum) {
			return fmt.Errorf("%w; and the archive's own MD5 %s is not the official %s: not the official files", err, sum, opt.ArchiveMD5)
		}
		return err
	}
	if err := os.Rename(extracted, target); err != nil {
		return fmt.Errorf("cifar: %w", err)
	}
	if archiveOK {
		opt.say("CIFAR-10 ready in %s (the archive's MD5 is the official one, and so is each data file's)\n", target)
	} else {
		opt.say("CIFAR-10 ready in %s (each of the %d data files has its official MD5; the archive's own MD5 differs, which a re-packed archive explains)\n",
			target, len(opt.FileMD5))
	}
	return nil
}

func (o DownloadOptions) withDefaults() DownloadOptions {
	if o.URL == "" {
		o.URL = DefaultURL
	}
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	if o.ArchiveMD5 == "" {
		o.ArchiveMD5 = ArchiveMD5
	}
	if o.FileMD5 == nil {
		o.FileMD5 = OfficialMD5()
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = DefaultStallTimeout
	}
	return o
}

// missingDirs returns dir and those of its parents that do not exist yet,
// deepest first: the directories that os.MkdirAll(dir) would create.
func missingDirs(dir string) []string {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			return missing
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			return missing
		}
	}
}

// errStalled cancels a download that received nothing for too long.
var errStalled = errors.New("download stalled")

// stallWatch is an io.Writer that, by being written to, postpones a timer
// that cancels the download.
type stallWatch struct {
	timer *time.Timer
	d     time.Duration
}

func (w stallWatch) Write(p []byte) (int, error) {
	w.timer.Reset(w.d)
	return len(p), nil
}

// say writes a progress message, if progress is wanted.
func (o DownloadOptions) say(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format, args...)
	}
}

// alreadyThere reports whether target exists and holds the expected files;
// an error if it exists but does not.
func alreadyThere(target string, opt DownloadOptions) (bool, error) {
	if _, err := os.Stat(target); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	checks, err := verify(target, opt.FileMD5)
	if err != nil {
		return false, err
	}
	var bad []string
	for _, c := range checks {
		if c.Status != StatusOK {
			bad = append(bad, c.Name+" "+c.Status.String())
		}
	}
	if len(bad) > 0 {
		return false, fmt.Errorf("cifar: %s already exists but is not a verified copy (%s): move it away or remove it, then re-run `go run . download`",
			target, strings.Join(bad, ", "))
	}
	return true, nil
}

// removeStale removes the temporary directories of earlier, interrupted
// downloads into dir.
func removeStale(dir string) {
	stale, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*"))
	for _, s := range stale {
		os.RemoveAll(s)
	}
}

// fetch downloads opt.URL into the new file dst and returns its MD5 (hex).
// It fails when nothing arrives for opt.StallTimeout.
func fetch(parent context.Context, opt DownloadOptions, dst string) (string, error) {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	watch := stallWatch{time.AfterFunc(opt.StallTimeout, func() { cancel(errStalled) }), opt.StallTimeout}
	defer watch.timer.Stop()
	stalled := func() error {
		return fmt.Errorf("cifar: downloading %s: nothing received for %v; check the network connection, or fetch cifar-10-binary.tar.gz by other means and point -data at its unpacked %s folder",
			opt.URL, opt.StallTimeout, DirName)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, opt.URL, nil)
	if err != nil {
		return "", fmt.Errorf("cifar: download URL %q: %w", opt.URL, err)
	}
	resp, err := opt.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is named below
		}
		if context.Cause(ctx) == errStalled {
			return "", stalled()
		}
		if ctx.Err() != nil {
			return "", fmt.Errorf("cifar: downloading %s: %w", opt.URL, err)
		}
		return "", fmt.Errorf("cifar: downloading %s: %w; check the network connection, or fetch cifar-10-binary.tar.gz by other means and point -data at its unpacked %s folder",
			opt.URL, err, DirName)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("cifar: downloading %s: HTTP %s; check the URL, or fetch cifar-10-binary.tar.gz by other means and point -data at its unpacked %s folder",
			opt.URL, resp.Status, DirName)
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return "", fmt.Errorf("cifar: %w", err)
	}
	defer f.Close()
	h := md5.New()
	w := io.Writer(io.MultiWriter(f, h, watch))
	if opt.Progress != nil {
		opt.say("downloading %s\n", opt.URL)
		p := newProgress(opt.Progress, resp.ContentLength)
		defer p.finish()
		w = io.MultiWriter(w, p)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		if context.Cause(ctx) == errStalled {
			return "", stalled()
		}
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return "", fmt.Errorf("cifar: downloading %s: %w", opt.URL, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("cifar: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// extract writes the data files and batches.meta.txt of the archive's
// cifar-10-batches-bin/ folder into the new directory dst and checks the
// data files' MD5 sums against opt.FileMD5.
func extract(ctx context.Context, archive, dst string, opt DownloadOptions) error {
	f, err := os.Open(archive)
	if err != nil {
		return fmt.Errorf("cifar: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("cifar: the archive from %s is not a gzip file (%v): not the CIFAR-10 binary archive?", opt.URL, err)
	}
	if err := os.Mkdir(dst, 0o755); err != nil {
		return fmt.Errorf("cifar: %w", err)
	}
	wanted := map[string]bool{MetaFile: true}
	for _, name := range DataFiles() {
		wanted[name] = true
	}
	sums := map[string]string{}
	tr := tar.NewReader(zr)
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("cifar: extracting the archive: %w", err)
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("cifar: reading the archive from %s: %v (corrupted download?); re-run `go run . download`", opt.URL, err)
		}
		name, ok := memberName(hdr)
		if !ok || !wanted[name] {
			continue
		}
		if _, dup := sums[name]; dup {
			return fmt.Errorf("cifar: the archive from %s holds %s/%s twice", opt.URL, DirName, name)
		}
		sum, err := writeMember(filepath.Join(dst, name), tr)
		if err != nil {
			return fmt.Errorf("cifar: extracting %s from the archive from %s: %v (corrupted download?); re-run `go run . download`", name, opt.URL, err)
		}
		sums[name] = sum
	}
	var missing, differ []string
	for _, name := range DataFiles() {
		switch sum, ok := sums[name]; {
		case !ok:
			missing = append(missing, name)
		case sum != opt.FileMD5[name]:
			differ = append(differ, fmt.Sprintf("%s has %s, want %s", name, sum, opt.FileMD5[name]))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("cifar: the archive from %s lacks %s/ %s: not the CIFAR-10 binary archive?",
			opt.URL, DirName, strings.Join(missing, ", "))
	}
	if len(differ) > 0 {
		sort.Strings(differ)
		return fmt.Errorf("cifar: %w in the archive from %s: %s", ErrChecksum, opt.URL, strings.Join(differ, "; "))
	}
	return nil
}

// memberName returns the file name of a regular-file entry directly inside
// the archive's cifar-10-batches-bin/ folder, and false for any other entry
// (directories, links, other folders, names with "..").
func memberName(hdr *tar.Header) (string, bool) {
	if hdr.Typeflag != tar.TypeReg {
		return "", false
	}
	name := path.Clean(strings.TrimPrefix(hdr.Name, "./"))
	folder, base := path.Split(name)
	if folder != DirName+"/" || base == "" || base == "." || base == ".." {
		return "", false
	}
	return base, true
}

// writeMember copies r into the new file at dst and returns its MD5 (hex).
func writeMember(dst string, r io.Reader) (string, error) {
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return "", err
	}
	h := md5.New()
	if _, err := io.Copy(io.MultiWriter(f, h), r); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
