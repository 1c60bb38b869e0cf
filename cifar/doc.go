// Package cifar reads, checks, normalises and fetches the CIFAR-10 dataset,
// in any of its three official versions: binary (cifar-10-binary.tar.gz,
// folder cifar-10-batches-bin), Python (cifar-10-batches-py, pickled dicts)
// and MATLAB (cifar-10-batches-mat, MAT-files). The pickles and MAT-files
// are read with the standard library only, and never run anything; each
// batch is turned into the records of the binary version (layout.go).
//
// The binary format, from the dataset's home page: each of the six files
// (data_batch_1.bin … data_batch_5.bin, test_batch.bin) holds 10,000
// records of RecordSize = 3,073 bytes: one label byte (0..9) followed by the
// 1,024 red, 1,024 green and 1,024 blue bytes of a 32×32 image, each plane
// row-major.
//
// The images are held as these bytes, 1 byte per value rather than the 8 of
// a float64: Images is a labelled set of them (images.go), and writes each
// image's values when it is read, pixel byte v as v/255, normalised with a
// training set's statistics when the set carries them (x_j = (v_j/255 −
// μ_j)/σ_j, pixels.go; on amd64 in AVX-512 or AVX2 assembly). The network
// reads its images that way, one at a time, through network.Data, which
// Images satisfies; a matrix product that reads many (an evaluation's)
// takes them a block of 16 at a time, normalised straight into its packed
// buffer (Images.Sliver, sliver.go). LoadBatch, the report's function, reads one file;
// LoadDataset reads the six files once into one buffer, and the report's
// splits (Split) are views of it.
//
// Everything that can go wrong with files on disk is returned as an error
// whose message is one line naming the file, what is wrong and, where there
// is one, the fix; nothing in this package panics on bad input. Callers that
// need to tell cases apart use errors.Is with ErrNotFound, ErrMalformed and
// ErrChecksum.
//
// Where the data lives (FindDir): the -data flag, then $CIFAR10_DIR, then
// ./data/cifar-10-batches-bin; a directory may hold any of the three
// versions. Download fetches and checks the official binary archive and
// unpacks it atomically.
package cifar

import "errors"

// Sizes of the CIFAR-10 binary format.
const (
	// ImageSize is the number of features of an image: 3 colour planes of
	// 32×32 pixels.
	ImageSize = 3 * 32 * 32
	// NumClasses is the number of classes (labels 0..9).
	NumClasses = 10
	// RecordSize is the size in bytes of one record: a label byte and the
	// image's ImageSize pixel bytes.
	RecordSize = 1 + ImageSize
)

// DirName is the name of the folder the official archive unpacks to.
const DirName = "cifar-10-batches-bin"

// Names of the files of the binary distribution.
const (
	// TestFile is the test batch.
	TestFile = "test_batch.bin"
	// MetaFile holds the class names, one per line, in label order.
	MetaFile = "batches.meta.txt"
)

// trainFiles are the five training batches, in dataset order.
var trainFiles = [...]string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}

// TrainFiles returns the names of the five training batches, in dataset
// order.
func TrainFiles() []string { return append([]string(nil), trainFiles[:]...) }

// DataFiles returns the names of the six data files: the five training
// batches, then the test batch.
func DataFiles() []string { return append(TrainFiles(), TestFile) }

// Sentinel errors, for errors.Is.
var (
	// ErrNotFound: a directory does not hold the six data files (see
	// FindDir, LoadDataset).
	ErrNotFound = errors.New("CIFAR-10 files not found")
	// ErrMalformed: a file is not a well-formed CIFAR-10 batch.
	ErrMalformed = errors.New("malformed CIFAR-10 batch file")
	// ErrChecksum: a downloaded archive or file does not have the expected
	// MD5.
	ErrChecksum = errors.New("MD5 checksum mismatch")
)
