package cifar

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CIFAR-10 is published in three versions holding the same images: binary
// (cifar-10-batches-bin, read by LoadBatch), Python (cifar-10-batches-py:
// pickled dicts, read by pickle.go) and MATLAB (cifar-10-batches-mat: MAT-file
// v5, read by mat.go). Whatever the version, a batch file is turned into the
// records of the binary version, one label byte and 3,072 pixel bytes per
// image (readRecords), so that everything downstream — decoding into a
// matrix, the MD5 check against the official binary files — is the same.

// format is how a batch file is encoded.
type format int

const (
	formatBinary format = iota // records of 3,073 bytes
	formatPickle               // a pickled dict (Python version)
	formatMat                  // a MAT-file v5 (MATLAB version)
)

// layout is one version of CIFAR-10 on disk: the folder it unpacks to, how
// its batch files and its class-name file are named, and their format.
type layout struct {
	version string // "binary", "Python" or "MATLAB"
	dir     string // the folder the official archive unpacks to
	ext     string // the batch files' extension
	meta    string // the file of class names
	format  format
}

// The folders the Python and MATLAB versions unpack to (DirName is the
// binary version's).
const (
	pyDirName  = "cifar-10-batches-py"
	matDirName = "cifar-10-batches-mat"
)

// layouts are the three versions, in the order they are looked for.
var layouts = [...]layout{
	{"binary", DirName, ".bin", MetaFile, formatBinary},
	{"Python", pyDirName, "", "batches.meta", formatPickle},
	{"MATLAB", matDirName, ".mat", "batches.meta.mat", formatMat},
}

// file returns the name in layout l of the batch file called name in the
// binary version: data_batch_1.bin is data_batch_1 in the Python version and
// data_batch_1.mat in the MATLAB version.
func (l layout) file(name string) string { return strings.TrimSuffix(name, ".bin") + l.ext }

// files returns the names in layout l of the six batch files.
func (l layout) files() []string {
	names := DataFiles()
	for i, name := range names {
		names[i] = l.file(name)
	}
	return names
}

// layoutOf returns the layout of the batch files in dir, the version of
// which dir holds the most of the six files (the binary one on a tie), and
// how many of them it holds.
func layoutOf(dir string) (layout, int) {
	best, most := layouts[0], 0
	for _, l := range layouts {
		n := 0
		for _, name := range l.files() {
			if st, err := os.Stat(filepath.Join(dir, name)); err == nil && st.Mode().IsRegular() {
				n++
			}
		}
		if n > most {
			best, most = l, n
		}
	}
	return best, most
}

// BatchPath returns the path in dir of the batch file called name in the
// binary version (TestFile, say), as the version of CIFAR-10 in dir names it:
// dir/test_batch.bin, dir/test_batch (Python) or dir/test_batch.mat
// (MATLAB).
func BatchPath(dir, name string) string {
	l, _ := layoutOf(dir)
	return filepath.Join(dir, l.file(name))
}

// Version returns which version of CIFAR-10 dir holds: "binary", "Python"
// or "MATLAB" (the one of which it holds the most batch files; "binary" when
// it holds none).
func Version(dir string) string {
	l, _ := layoutOf(dir)
	return l.version
}

// sniff returns the format of a batch file from its first bytes: a pickle
// starts with the PROTO opcode 0x80, a MAT-file with "MATLAB"; anything else
// is taken for binary records (whose first byte is a label, 0..9).
func sniff(data []byte) format {
	switch {
	case len(data) > 0 && data[0] == opPROTO:
		return formatPickle
	case strings.HasPrefix(string(data[:min(len(data), 6)]), "MATLAB"):
		return formatMat
	}
	return formatBinary
}

// readRecords reads the batch file at path, whose format is f, and returns
// its records in the binary format. A binary file is returned as read (into
// buf, grown if needed); the others are decoded into a new buffer. The error
// names the file.
func readRecords(path string, f format, buf []byte) ([]byte, error) {
	data, err := readWhole(path, buf)
	if err != nil {
		return nil, err
	}
	return toRecords(path, data, f)
}

// toRecords returns the records in the binary format of data, the bytes of
// the batch file called name (for messages) in format f. Problems are
// ErrMalformed errors naming the file.
func toRecords(name string, data []byte, f format) ([]byte, error) {
	var rec []byte
	var err error
	switch f {
	case formatBinary:
		return data, nil
	case formatPickle:
		rec, err = pickleRecords(data)
	case formatMat:
		rec, err = matRecords(data)
	}
	if err != nil {
		return nil, &FormatError{File: name, Problem: err.Error()}
	}
	return rec, nil
}

// metaClassNames returns the class names held by the file of class names
// data of layout l, or nil when it holds none.
func (l layout) metaClassNames(data []byte) []string {
	var names []string
	switch l.format {
	case formatBinary:
		names = parseClassNames(string(data))
	case formatPickle:
		names, _ = pickleClassNames(data)
	case formatMat:
		names, _ = matClassNames(data)
	}
	return names
}

// makeRecords returns the records in the binary format of n = len(labels)
// images: record i is labels[i] followed by row i of pixels, an n×ImageSize
// matrix of bytes stored row-major, or column-major when columnMajor.
func makeRecords(labels, pixels []byte, columnMajor bool) []byte {
	n := len(labels)
	rec := make([]byte, n*RecordSize)
	for i, l := range labels {
		rec[i*RecordSize] = l
	}
	if !columnMajor {
		for i := range n {
			copy(rec[i*RecordSize+1:(i+1)*RecordSize], pixels[i*ImageSize:(i+1)*ImageSize])
		}
		return rec
	}
	// Pixel (i, j) is pixels[j·n + i]. Going down a column for 64 images at
	// a time reads whole cache lines and writes to 64 records that stay in
	// cache across the 3,072 columns.
	const block = 64
	for i0 := 0; i0 < n; i0 += block {
		i1 := min(i0+block, n)
		for j := range ImageSize {
			out := rec[i0*RecordSize+1+j:]
			for k, v := range pixels[j*n+i0 : j*n+i1] {
				out[k*RecordSize] = v
			}
		}
	}
	return rec
}

// product returns size·d₁·d₂·… for the dimensions dims when it is at most
// limit, else false. It cannot overflow.
func product(dims []int, size, limit int) (int, bool) {
	for _, d := range dims {
		if d == 0 {
			return 0, true
		}
	}
	p := size
	for _, d := range dims {
		if d < 0 || p > limit/d {
			return 0, false
		}
		p *= d
	}
	return p, true
}

// sizeMismatch says that an array of need bytes (more than have when !ok)
// does not fit the have bytes of its data, for messages.
func sizeMismatch(need int, ok bool, have int) string {
	if !ok {
		return fmt.Sprintf("needs more than the %d bytes of data it has", have)
	}
	return fmt.Sprintf("needs %d bytes of data, has %d", need, have)
}

// recordsMD5 returns the MD5 (hex) of the records in the binary format of
// the batch file at path, in layout l: of the file itself for the binary
// version, of its decoded records for the others (a malformed file is an
// ErrMalformed error).
func (l layout) recordsMD5(path string) (string, error) {
	if l.format == formatBinary {
		return fileMD5(path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	rec, err := toRecords(path, data, l.format)
	if err != nil {
		return "", err
	}
	sum := md5.Sum(rec)
	return hex.EncodeToString(sum[:]), nil
}
