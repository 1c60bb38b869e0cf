package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"

	"twolayer/matrix"
)

// Model is a trained network with what is needed to use it on new images: the
// per-feature normalisation of the training set (Norm), the configuration it
// was trained with, and the class names (K of them, or none).
//
// # File format
//
// MarshalBinary writes version 1 of this format, or version 2 when the
// configuration uses dropout, augmentation or RecordTrain, which only version
// 2 records (the experiments package saves it to a file atomically);
// LoadModel and UnmarshalModel read both. All numbers are little-endian;
// floats are IEEE-754 float64, integers unsigned unless said otherwise.
//
//	offset  size    field
//	0       4       magic "2LNN"
//	4       4       version, uint32 = 1 or 2
//	8       4       d, uint32 (inputs)
//	12      4       m, uint32 (hidden units)
//	16      4       K, uint32 (classes)
//	20      8       Config.EtaMin, float64
//	28      8       Config.EtaMax, float64
//	36      8       Config.Lambda, float64
//	44      4       Config.StepSize, uint32
//	48      4       Config.Cycles, uint32
//	52      4       Config.BatchSize, uint32
//	56      4       Config.RecordsPerCycle, uint32
//	60      1       Config.Shuffle, 0 or 1
//	61      1       Config.RecordInitial, 0 or 1
//	62      8       Config.Seed, uint64
//	        version 2 only, 17 bytes:
//	        8       Config.KeepProb, float64
//	        1       Config.Augment.Flip, 0 or 1
//	        4       Config.Augment.Shift, uint32
//	        4       Config.RecordTrain, uint32
//	70 (87) 4       s, uint32: length of Norm.Mean and of Norm.Std, 0 or d
//	74 (91) 8s      Norm.Mean, s float64
//	        8s      Norm.Std, s float64
//	        8md     W1, m×d float64, row by row
//	        8m      b1
//	        8Km     W2, K×m float64, row by row
//	        8K      b2
//	        4       c, uint32: number of class names, 0 or K
//	        c×(4+len) each name: uint32 length in bytes, then its UTF-8 bytes
//	        4       CRC-32 (IEEE) of every byte before it
type Model struct {
	Params  *Params
	Norm    Normalization
	Config  Config
	Classes []string
}

// Normalization is the per-feature standardisation of a model's inputs,
// with the mean and standard deviation of its training set: each of
// length d, or both empty when the inputs are used as they are.
type Normalization struct {
	Mean []float64 // μ_j
	Std  []float64 // σ_j
}

// Apply normalises the n images of X (n×d) in place:
//
//	X_ij ← (X_ij − μ_j) / σ_j.
//
// It does nothing when the normalisation is empty, and panics if X does not
// have d columns.
func (z Normalization) Apply(X *matrix.Dense) {
	if len(z.Mean) == 0 {
		return
	}
	if X.Cols() != len(z.Mean) || len(z.Std) != len(z.Mean) {
		panic(fmt.Sprintf("network.Normalization.Apply: %d×%d matrix, statistics of %d features (%d std)", X.Rows(), X.Cols(), len(z.Mean), len(z.Std)))
	}
	mean, std := z.Mean, z.Std[:len(z.Mean)]
	for i := range X.Rows() {
		row := X.Row(i)[:len(mean)]
		for j := range row {
			row[j] = (row[j] - mean[j]) / std[j]
		}
	}
}

// Model file format constants (see Model).
const (
	modelMagic   = "2LNN"
	modelVersion = 2       // the newest version; MarshalBinary writes 1 when it can
	maxDim       = 1 << 24 // largest d, m or K a model file may declare
)

// MarshalBinary returns m in the model file format. It returns an error if
// the parameters, the statistics or the class names do not fit together.
func (m *Model) MarshalBinary() ([]byte, error) {
	net := m.Params
	if err := net.Check(); err != nil {
		return nil, err
	}
	d, h, k := net.Dims()
	if d > maxDim || h > maxDim || k > maxDim {
		return nil, fmt.Errorf("network: model too large (d=%d, m=%d, K=%d)", d, h, k)
	}
	mean, std := m.Norm.Mean, m.Norm.Std
	if len(mean) != len(std) || (len(mean) != 0 && len(mean) != d) {
		return nil, fmt.Errorf("network: normalisation has %d means and %d standard deviations (want both 0 or %d)", len(mean), len(std), d)
	}
	if len(m.Classes) != 0 && len(m.Classes) != k {
		return nil, fmt.Errorf("network: %d class names for %d classes", len(m.Classes), k)
	}
	c := m.Config
	for _, v := range []int{c.StepSize, c.Cycles, c.BatchSize, c.RecordsPerCycle, c.Augment.Shift, c.RecordTrain} {
		if v < 0 || v > math.MaxUint32 {
			return nil, fmt.Errorf("network: configuration value %d does not fit the model format", v)
		}
	}
	version := uint32(1)
	if c.KeepProb != 0 || c.Augment != (Augment{}) || c.RecordTrain != 0 {
		version = 2
	}
	le := binary.LittleEndian
	b := []byte(modelMagic)
	b = le.AppendUint32(b, version)
	for _, v := range []int{d, h, k} {
		b = le.AppendUint32(b, uint32(v))
	}
	for _, v := range []float64{c.EtaMin, c.EtaMax, c.Lambda} {
		b = le.AppendUint64(b, math.Float64bits(v))
	}
	for _, v := range []int{c.StepSize, c.Cycles, c.BatchSize, c.RecordsPerCycle} {
		b = le.AppendUint32(b, uint32(v))
	}
	b = append(b, boolByte(c.Shuffle), boolByte(c.RecordInitial))
	b = le.AppendUint64(b, c.Seed)
	if version == 2 {
		b = le.AppendUint64(b, math.Float64bits(c.KeepProb))
		b = append(b, boolByte(c.Augment.Flip))
		b = le.AppendUint32(b, uint32(c.Augment.Shift))
		b = le.AppendUint32(b, uint32(c.RecordTrain))
	}
	b = le.AppendUint32(b, uint32(len(mean)))
	appendFloats := func(v []float64) {
		for _, x := range v {
			b = le.AppendUint64(b, math.Float64bits(x))
		}
	}
	appendFloats(mean)
	appendFloats(std)
	net.each(func(_ string, rows [][]float64) {
		for _, r := range rows {
			appendFloats(r)
		}
	})
	b = le.AppendUint32(b, uint32(len(m.Classes)))
	for _, name := range m.Classes {
		if len(name) > math.MaxUint32 {
			return nil, errors.New("network: class name too long")
		}
		b = le.AppendUint32(b, uint32(len(name)))
		b = append(b, name...)
	}
	return le.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// LoadModel reads a model file (see Model for its format). It returns a one-line error
// naming the file if it cannot be read, is not a model file (wrong magic), has
// another version, is truncated, declares impossible dimensions or fails its
// checksum.
func LoadModel(path string) (*Model, error) { return loadFile(path, UnmarshalModel) }

// loadFile reads the file at path and decodes it with decode, naming the
// file in the error of either.
func loadFile[T any](path string, decode func([]byte) (T, error)) (T, error) {
	var zero T
	b, err := os.ReadFile(path)
	if err != nil {
		return zero, fmt.Errorf("loading the model: %w", err)
	}
	v, err := decode(b)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// UnmarshalModel decodes a model from the bytes of a model file; its errors
// are those of LoadModel, without the file name.
func UnmarshalModel(b []byte) (*Model, error) {
	if len(b) < 4 || string(b[:4]) != modelMagic {
		return nil, fmt.Errorf("not a model file (it does not start with %q); give a file written by the train command", modelMagic)
	}
	r := &reader{b: b, off: 4}
	version := r.u32()
	if r.err == nil && (version < 1 || version > modelVersion) {
		return nil, fmt.Errorf("model file version %d, but this program reads versions 1 to %d; retrain or use a matching program", version, modelVersion)
	}
	d, h, k := int(r.u32()), int(r.u32()), int(r.u32())
	if r.err != nil {
		return nil, r.err
	}
	if d < 1 || h < 1 || k < 1 || d > maxDim || h > maxDim || k > maxDim {
		return nil, fmt.Errorf("corrupt model file: impossible dimensions d=%d, m=%d, K=%d", d, h, k)
	}
	// Everything after the header has a size known from d, m, K except the
	// class names; refuse early rather than allocate for a short file.
	if need := 8 * (h*d + h + k*h + k); len(b)-r.off < need {
		return nil, errTruncated
	}
	m := &Model{}
	c := &m.Config
	c.EtaMin, c.EtaMax, c.Lambda = r.f64(), r.f64(), r.f64()
	c.StepSize, c.Cycles, c.BatchSize, c.RecordsPerCycle = int(r.u32()), int(r.u32()), int(r.u32()), int(r.u32())
	c.Shuffle, c.RecordInitial = r.bool(), r.bool()
	c.Seed = r.u64()
	if version == 2 {
		c.KeepProb = r.f64()
		c.Augment.Flip = r.bool()
		c.Augment.Shift, c.RecordTrain = int(r.u32()), int(r.u32())
	}
	s := int(r.u32())
	if r.err == nil && s != 0 && s != d {
		return nil, fmt.Errorf("corrupt model file: %d normalisation values for %d inputs", s, d)
	}
	m.Norm.Mean, m.Norm.Std = r.floats(s), r.floats(s)
	net := NewParams(d, h, k)
	net.each(func(_ string, rows [][]float64) {
		for _, row := range rows {
			r.readFloats(row)
		}
	})
	m.Params = net
	nc := int(r.u32())
	if r.err == nil && nc != 0 && nc != k {
		return nil, fmt.Errorf("corrupt model file: %d class names for %d classes", nc, k)
	}
	for i := 0; i < nc && r.err == nil; i++ {
		m.Classes = append(m.Classes, string(r.bytes(int(r.u32()))))
	}
	body := r.off
	sum := r.u32()
	if r.err != nil {
		return nil, r.err
	}
	if r.off != len(b) {
		return nil, fmt.Errorf("corrupt model file: %d unexpected bytes after the checksum", len(b)-r.off)
	}
	if crc32.ChecksumIEEE(b[:body]) != sum {
		return nil, errors.New("corrupt model file: checksum mismatch")
	}
	return m, nil
}

var errTruncated = errors.New("truncated model file (it ends too early); save the model again")

// reader decodes little-endian values from b; after the first short read it
// sets err to errTruncated and returns zeros.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || len(r.b)-r.off < n {
		r.err = errTruncated
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *reader) u32() uint32 {
	if v := r.bytes(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if v := r.bytes(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

func (r *reader) f64() float64 { return math.Float64frombits(r.u64()) }

func (r *reader) bool() bool {
	v := r.bytes(1)
	return v != nil && v[0] != 0
}

func (r *reader) readFloats(dst []float64) {
	for i := range dst {
		dst[i] = r.f64()
	}
}

func (r *reader) floats(n int) []float64 {
	if n == 0 || r.err != nil {
		return nil
	}
	if len(r.b)-r.off < 8*n {
		r.err = errTruncated
		return nil
	}
	v := make([]float64, n)
	r.readFloats(v)
	return v
}
