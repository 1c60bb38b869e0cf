package cifar

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tarEntry is one entry of a test archive.
type tarEntry struct {
	name string
	data []byte
	dir  bool
}

// makeArchive returns a tar.gz of entries.
func makeArchive(t *testing.T, entries []tarEntry) []byte {
	return packArchive(t, entries, gzip.DefaultCompression, time.Time{})
}

// packArchive returns a tar.gz of entries, compressed at level, with the
// modification time modTime in each header: the same files packed another
// way give another archive.
func packArchive(t *testing.T, entries []tarEntry, level int, modTime time.Time) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: tar.TypeReg, ModTime: modTime}
		if e.dir {
			hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeDir, 0o755, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// tinyArchive returns entries like the official archive's, holding the tiny
// test files, plus entries that Download must skip, and the MD5s of the
// data files.
func tinyArchive(t *testing.T) ([]tarEntry, map[string]string) {
	t.Helper()
	entries := []tarEntry{{name: DirName + "/", dir: true}}
	sums := map[string]string{}
	for _, name := range DataFiles() {
		data, err := os.ReadFile(filepath.Join("testdata", "tiny", name))
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, tarEntry{name: DirName + "/" + name, data: data})
		sums[name] = md5hex(data)
	}
	entries = append(entries,
		tarEntry{name: DirName + "/" + MetaFile, data: []byte(tinyMeta)},
		tarEntry{name: DirName + "/readme.html", data: []byte("<html></html>")},
		tarEntry{name: DirName + "/../../evil.bin", data: []byte("escaped")},
		tarEntry{name: "/" + DirName + "/data_batch_9.bin", data: []byte("absolute")},
		tarEntry{name: DirName + "/sub/data_batch_1.bin", data: []byte("nested")},
	)
	return entries, sums
}

// serve starts a test server answering path p with body[p], 404 otherwise.
func serve(t *testing.T, bodies map[string][]byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// listDir returns the names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestDownload(t *testing.T) {
	entries, sums := tinyArchive(t)
	archive := makeArchive(t, entries)
	srv := serve(t, map[string][]byte{"/cifar-10-binary.tar.gz": archive})
	root := t.TempDir()
	parent := filepath.Join(root, "data")
	// leftovers of an interrupted earlier run, to be cleaned away
	if err := os.MkdirAll(filepath.Join(parent, tempPrefix+"123", DirName), 0o755); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	opt := DownloadOptions{URL: srv.URL + "/cifar-10-binary.tar.gz", Client: srv.Client(),
		Progress: &log, ArchiveMD5: md5hex(archive), FileMD5: sums}
	if err := Download(context.Background(), parent, opt); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, root); len(got) != 1 || got[0] != "data" {
		t.Errorf("%s holds %v, want only data (an archive entry escaped?)", root, got)
	}
	if got := listDir(t, parent); len(got) != 1 || got[0] != DirName {
		t.Errorf("%s holds %v, want only %s", parent, got, DirName)
	}
	target := filepath.Join(parent, DirName)
	want := append(DataFiles(), MetaFile)
	if got := listDir(t, target); strings.Join(got, " ") != strings.Join(sorted(want), " ") {
		t.Errorf("%s holds %v, want %v", target, got, sorted(want))
	}
	checks, err := verify(target, sums)
	if err != nil {
		t.Fatal(err)
	}
	if w := CheckWarning(target, checks); w != "" {
		t.Errorf("downloaded files do not verify: %s", w)
	}
	if names := ClassNames(target); names[0] != "plane" {
		t.Errorf("ClassNames after download = %v, want the archive's batches.meta.txt", names)
	}
	if dir, err := FindDir(parent); err != nil || dir != target {
		t.Errorf("FindDir(%s) = %q, %v; want %s", parent, dir, err, target)
	}
	if !strings.Contains(log.String(), "100%") {
		t.Errorf("progress output %q lacks 100%%", log.String())
	}
	if !strings.Contains(log.String(), "(the archive's MD5 is the official one, and so is each data file's)") {
		t.Errorf("progress output %q does not say which check passed", log.String())
	}

	// a second run finds the verified copy and changes nothing
	if err := Download(context.Background(), parent, opt); err != nil {
		t.Errorf("second run: %v", err)
	}
	if got := listDir(t, parent); len(got) != 1 {
		t.Errorf("after a second run %s holds %v", parent, got)
	}
	// an existing copy that differs is an error, and is left alone
	if err := os.WriteFile(filepath.Join(target, TestFile), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = Download(context.Background(), parent, opt)
	if err == nil || !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), "test_batch.bin differs") {
		t.Errorf("run over a changed copy: error %v, want one naming test_batch.bin", err)
	}
	if data, _ := os.ReadFile(filepath.Join(target, TestFile)); string(data) != "changed" {
		t.Errorf("the existing copy was modified")
	}
}

// TestDownloadRepacked serves the same files packed again (another
// compression level, other dates): the archive's MD5 is not the official one,
// but every data file's is, so the download is accepted, saying so.
func TestDownloadRepacked(t *testing.T) {
	entries, sums := tinyArchive(t)
	official := makeArchive(t, entries)
	slices.Reverse(entries[1:])
	repacked := packArchive(t, entries, gzip.BestCompression, time.Unix(1e9, 0))
	if md5hex(repacked) == md5hex(official) {
		t.Fatal("the re-packed archive has the official MD5")
	}
	srv := serve(t, map[string][]byte{"/mirror/cifar-10-binary.tar.gz": repacked})
	parent := filepath.Join(t.TempDir(), "data")
	var log bytes.Buffer
	opt := DownloadOptions{URL: srv.URL + "/mirror/cifar-10-binary.tar.gz", Client: srv.Client(),
		Progress: &log, ArchiveMD5: md5hex(official), FileMD5: sums}
	if err := Download(context.Background(), parent, opt); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{
		"the archive's MD5 " + md5hex(repacked) + " is not the official " + md5hex(official),
		"(each of the 6 data files has its official MD5; the archive's own MD5 differs",
	} {
		if !strings.Contains(log.String(), part) {
			t.Errorf("progress output %q lacks %q", log.String(), part)
		}
	}
	checks, err := verify(filepath.Join(parent, DirName), sums)
	if err != nil {
		t.Fatal(err)
	}
	if w := CheckWarning(parent, checks); w != "" {
		t.Error(w)
	}
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestDownloadFailures(t *testing.T) {
	entries, sums := tinyArchive(t)
	good := makeArchive(t, entries)
	corrupt := append([]byte(nil), good...)
	corrupt = corrupt[:len(corrupt)/2] // a truncated gzip stream
	notGzip := []byte("<html>this is not the archive</html>")
	lacking := makeArchive(t, entries[:4]) // without data_batch_4, _5, test_batch
	// a re-packed archive (another MD5) whose test_batch.bin differs
	changed := slices.Clone(entries)
	var changedTest []byte // the changed test_batch.bin
	for i, e := range changed {
		if e.name == DirName+"/"+TestFile {
			changedTest = append(slices.Clone(e.data[:len(e.data)-1]), e.data[len(e.data)-1]^1)
			changed[i].data = changedTest
		}
	}
	repackedBad := packArchive(t, changed, gzip.BestCompression, time.Unix(1e9, 0))
	wrongSums := map[string]string{}
	for k, v := range sums {
		wrongSums[k] = v
	}
	wrongSums[TestFile] = strings.Repeat("0", 32)

	// /hang sends half of the archive, then cancels the client's context
	// and waits for it to go away.
	hangCtx, hangCancel := context.WithCancel(context.Background())
	defer hangCancel()
	bodies := map[string][]byte{"/good": good, "/corrupt": corrupt, "/notgzip": notGzip, "/lacking": lacking, "/repacked-bad": repackedBad}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			w.Write(good[:len(good)/2])
			w.(http.Flusher).Flush()
			hangCancel()
			<-r.Context().Done()
			return
		}
		body, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name       string
		ctx        context.Context
		path       string
		archiveMD5 string
		fileMD5    map[string]string
		is         error
		parts      []string
	}{
		{"404", context.Background(), "/nothere", md5hex(good), sums, nil,
			[]string{"/nothere", "HTTP 404", "check the URL"}},
		{"re-packed archive, a file differs", context.Background(), "/repacked-bad", md5hex(good), sums, ErrChecksum,
			[]string{"test_batch.bin has " + md5hex(changedTest) + ", want " + sums[TestFile],
				"the archive's own MD5 " + md5hex(repackedBad) + " is not the official " + md5hex(good)}},
		{"re-packed archive, truncated", context.Background(), "/corrupt", md5hex(good), sums, nil,
			[]string{"/corrupt", "corrupted download?"}},
		{"truncated archive", context.Background(), "/corrupt", md5hex(corrupt), sums, nil,
			[]string{"from the archive from", "/corrupt", "corrupted download?"}},
		{"not gzip", context.Background(), "/notgzip", md5hex(notGzip), sums, nil,
			[]string{"not a gzip file"}},
		{"file checksum", context.Background(), "/good", md5hex(good), wrongSums, ErrChecksum,
			[]string{"test_batch.bin has " + sums[TestFile], "want 0000"}},
		{"files lacking", context.Background(), "/lacking", md5hex(lacking), sums, nil,
			[]string{"lacks", "data_batch_4.bin, data_batch_5.bin, test_batch.bin"}},
		{"cancelled before", cancelled, "/good", md5hex(good), sums, context.Canceled,
			[]string{"/good", "context canceled"}},
		{"cancelled during", hangCtx, "/hang", md5hex(good), sums, context.Canceled,
			[]string{"/hang", "context canceled"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			opt := DownloadOptions{URL: srv.URL + tc.path, Client: srv.Client(), ArchiveMD5: tc.archiveMD5, FileMD5: tc.fileMD5}
			err := Download(tc.ctx, parent, opt)
			if err == nil {
				t.Fatal("no error")
			}
			checkError(t, err, tc.is, tc.parts...)
			if left := listDir(t, parent); len(left) != 0 {
				t.Errorf("failed download left %v in %s", left, parent)
			}
		})
	}
}

func TestProgress(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, 1000)
	for range 100 {
		p.Write(make([]byte, 10))
	}
	p.finish()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 11 || !strings.HasPrefix(lines[0], "  1%") || !strings.HasPrefix(lines[5], " 50%") || !strings.HasPrefix(lines[10], "100%") {
		t.Errorf("plain progress = %q, want 11 lines: 1%%, then every 10%% to 100%%", out.String())
	}
	out.Reset()
	p = newProgress(&out, -1) // length unknown: a line every 16 MB
	for range 40 {
		p.Write(make([]byte, 1<<20))
	}
	if got, want := out.String(), "1.0 MB\n16.0 MB\n32.0 MB\n"; got != want {
		t.Errorf("progress of unknown length = %q, want %q", got, want)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) || isTerminal(&out) {
		t.Error("isTerminal is true for a regular file or a buffer")
	}
	if dev, err := os.OpenFile("/dev/null", os.O_WRONLY, 0); err == nil {
		defer dev.Close()
		if !isTerminal(dev) {
			t.Error("isTerminal(/dev/null) is false; it is a character device")
		}
	}
}

func TestDownloadNoServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/cifar-10-binary.tar.gz"
	srv.Close() // nothing listens there any more
	parent := t.TempDir()
	err := Download(context.Background(), parent, DownloadOptions{URL: url})
	if err == nil {
		t.Fatal("no error")
	}
	for _, p := range []string{url, "check the network connection", "point -data at"} {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
	if left := listDir(t, parent); len(left) != 0 {
		t.Errorf("failed download left %v", left)
	}
}

func TestDownloadStalls(t *testing.T) {
	tests := []struct {
		name     string
		firstLen int // bytes sent before the server goes silent; -1: no answer at all
	}{
		{"no answer", -1},
		{"silent after a few bytes", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.firstLen >= 0 {
					w.Header().Set("Content-Length", "1000000")
					w.Write(make([]byte, tt.firstLen))
					w.(http.Flusher).Flush()
				}
				select {
				case <-release:
				case <-r.Context().Done():
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) }) // runs first: frees the handler
			root := t.TempDir()
			parent := filepath.Join(root, "data", "sub") // Download creates both
			start := time.Now()
			err := Download(context.Background(), parent, DownloadOptions{
				URL: srv.URL + "/cifar-10-binary.tar.gz", StallTimeout: 200 * time.Millisecond})
			if err == nil {
				t.Fatal("no error")
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v to give up on a silent server", d)
			}
			for _, p := range []string{"nothing received for 200ms", "check the network connection"} {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not contain %q", err, p)
				}
			}
			if errors.Is(err, context.Canceled) {
				t.Errorf("a stall reads as a cancellation: %v", err)
			}
			if left := listDir(t, root); len(left) != 0 {
				t.Errorf("failed download left %v in %s", left, root)
			}
		})
	}
}

func TestDownloadKeepsExistingParent(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	parent := t.TempDir()
	if err := os.WriteFile(filepath.Join(parent, "mine"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Download(context.Background(), parent, DownloadOptions{URL: srv.URL + "/x.tar.gz"}); err == nil {
		t.Fatal("no error for a 404")
	}
	if left := listDir(t, parent); len(left) != 1 || left[0] != "mine" {
		t.Errorf("%s holds %v after a failed download, want only the file that was there", parent, left)
	}
}
