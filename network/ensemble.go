package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"twolayer/matrix"
)

// PredictEnsemble classifies the n images of X (n×d, one per row) with
// several networks at once: probs (n×K) holds, row by row, the mean of their
// softmax outputs,
//
//	P = (1/E) Σ_e P_e,  P_e = softmax(W2_e·max(0, W1_e·Xᵀ + b1_e·1ᵀ) + b2_e·1ᵀ)  (K×n, transposed),
//
// and labels[i] is the class of the largest mean probability (the first class
// on ties). With one network it is Predict. It panics if ps is empty or a
// network does not take X's d inputs or gives another number of classes.
func PredictEnsemble(ps []*Params, X *matrix.Dense) (labels []int, probs *matrix.Dense) {
	if len(ps) == 0 {
		panic("network.PredictEnsemble: no networks")
	}
	_, probs = Predict(ps[0], X)
	for _, p := range ps[1:] {
		_, pe := Predict(p, X)
		if pe.Cols() != probs.Cols() {
			panic(fmt.Sprintf("network.PredictEnsemble: networks with %d and %d classes", probs.Cols(), pe.Cols()))
		}
		matrix.AddScaled(probs, probs, 1, pe)
	}
	labels = make([]int, X.Rows())
	for i := range labels {
		row := probs.Row(i)
		for k := range row {
			row[k] /= float64(len(ps))
		}
		for k, v := range row {
			if v > row[labels[i]] {
				labels[i] = k
			}
		}
	}
	return labels, probs
}

// EnsembleAccuracy returns the fraction of the images of data that
// PredictEnsemble classifies as their label, EvalChunk images at a time:
// each chunk is read into a buffer once and multiplied by every network's
// W1 from there (an evaluation of one network reads its images inside the
// product instead, see evaluator). It panics as PredictEnsemble does, or if
// data does not fit the networks.
func EnsembleAccuracy(ps []*Params, data Data) float64 {
	n := data.Len()
	if n == 0 {
		return 0
	}
	if err := checkData(ps[0], data, "evaluated"); err != nil {
		panic("network.EnsembleAccuracy: " + err.Error())
	}
	chunk := min(n, EvalChunk)
	X, y, load := matrix.New(chunk, data.Dim()), make([]int, chunk), newLoader(chunk)
	correct := 0
	for i0 := 0; i0 < n; i0 += chunk {
		c := min(chunk, n-i0)
		Xc := X
		if c < chunk {
			Xc = X.RowRange(0, c)
		}
		load.load(data, Xc, y[:c], i0)
		labels, _ := PredictEnsemble(ps, Xc)
		for i, l := range labels {
			if l == y[i] {
				correct++
			}
		}
	}
	return float64(correct) / float64(n)
}

// An ensemble file holds several models that classify together (their
// softmax outputs averaged, PredictEnsemble). Its format, little-endian:
//
//	offset  size    field
//	0       4       magic "2LNE"
//	4       4       version, uint32 = 1
//	8       4       E, uint32: the number of models, at least 1
//	12      …       E times: L, uint64, then L bytes: a model file (see Model), with its own checksum
//	        4       CRC-32 (IEEE) of every byte before it
//
// The models must all take the same d inputs and give the same K classes.
const (
	ensembleMagic   = "2LNE"
	ensembleVersion = 1
	maxMembers      = 1 << 16 // most models an ensemble file may declare
)

// MarshalEnsemble returns the models in the ensemble file format. It returns
// an error if there are none, if one cannot be marshalled, or if they do not
// all have the same d and K.
func MarshalEnsemble(models []*Model) ([]byte, error) {
	if len(models) == 0 || len(models) > maxMembers {
		return nil, fmt.Errorf("network: an ensemble holds 1 to %d models, not %d", maxMembers, len(models))
	}
	if err := sameShapes(models); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	b := []byte(ensembleMagic)
	b = le.AppendUint32(b, ensembleVersion)
	b = le.AppendUint32(b, uint32(len(models)))
	for _, m := range models {
		mb, err := m.MarshalBinary()
		if err != nil {
			return nil, err
		}
		b = le.AppendUint64(b, uint64(len(mb)))
		b = append(b, mb...)
	}
	return le.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// sameShapes returns an error unless every model takes the first one's d
// inputs and gives its K classes.
func sameShapes(models []*Model) error {
	if err := models[0].Params.Check(); err != nil {
		return err
	}
	d, _, k := models[0].Params.Dims()
	for i, m := range models[1:] {
		if err := m.Params.Check(); err != nil {
			return err
		}
		if d2, _, k2 := m.Params.Dims(); d2 != d || k2 != k {
			return fmt.Errorf("network: ensemble member %d takes %d inputs to %d classes, member 1 %d to %d", i+2, d2, k2, d, k)
		}
	}
	return nil
}

// UnmarshalModels decodes a model file (one model) or an ensemble file (its
// models); its errors are those of LoadModels, without the file name.
func UnmarshalModels(b []byte) ([]*Model, error) {
	if len(b) < 4 || string(b[:4]) != ensembleMagic {
		m, err := UnmarshalModel(b)
		if err != nil {
			if len(b) < 4 || string(b[:4]) != modelMagic {
				return nil, fmt.Errorf("not a model or ensemble file (it starts with neither %q nor %q); give a file written by train, final or bonus", modelMagic, ensembleMagic)
			}
			return nil, err
		}
		return []*Model{m}, nil
	}
	if len(b) < 16 {
		return nil, errTruncated
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errors.New("corrupt ensemble file: checksum mismatch (or truncated)")
	}
	r := &reader{b: body, off: 4}
	if v := r.u32(); v != ensembleVersion {
		return nil, fmt.Errorf("ensemble file version %d, but this program reads version %d", v, ensembleVersion)
	}
	n := int(r.u32())
	if n < 1 || n > maxMembers {
		return nil, fmt.Errorf("corrupt ensemble file: %d models", n)
	}
	models := make([]*Model, 0, min(n, 64))
	for i := range n {
		size := r.u64()
		if r.err != nil || size > uint64(len(body)-r.off) {
			return nil, errTruncated
		}
		m, err := UnmarshalModel(r.bytes(int(size)))
		if err != nil {
			return nil, fmt.Errorf("ensemble member %d: %w", i+1, err)
		}
		models = append(models, m)
	}
	if r.off != len(body) {
		return nil, fmt.Errorf("corrupt ensemble file: %d unexpected bytes after the last model", len(body)-r.off)
	}
	if err := sameShapes(models); err != nil {
		return nil, fmt.Errorf("corrupt ensemble file: %w", err)
	}
	return models, nil
}

// LoadModels reads a model file or an ensemble file and returns its models
// (one for a model file). It returns a one-line error naming the file if it
// cannot be read or is neither kind of file, or is corrupt.
func LoadModels(path string) ([]*Model, error) { return loadFile(path, UnmarshalModels) }
