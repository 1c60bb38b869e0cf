package network

import "math"

// TrainingMemory is the memory, in bytes, that training a network takes,
// part by part (see TrainingBytes). The parts are float64, so that no size
// overflows them; a caller that checks an estimate against the machine's
// memory names the largest part, and the setting that sizes it.
type TrainingMemory struct {
	Weights     float64 // W1, b1, W2, b2 (InitializeWeights): ∝ m·d
	Batch       float64 // the batch's images (and, with augmentation, their untransformed copy), labels and rows: ∝ B·d
	Activations float64 // a step's activations and gradients: H and GH (and dropout's mask) m×B, S and P K×B, the column statistics, ∂J/∂b1, ∂J/∂W2, ∂J/∂b2: ∝ m·B
	Permutation float64 // with shuffling, the order of the training images
	Evaluation  float64 // the recordings' chunk of images and its forward pass, and the validation images' predicted classes
	History     float64 // η_t of every update step: ∝ the steps
	Records     float64 // the records of the metrics, one every Config.RecordEvery() steps (at most one a step)
}

// Total returns the sum of the parts.
func (t TrainingMemory) Total() float64 {
	return t.Weights + t.Batch + t.Activations + t.Permutation + t.Evaluation + t.History + t.Records
}

// TrainingMemoryOf estimates the memory that training a network of d
// inputs, m hidden units and k classes with cfg on nTrain training and nVal
// validation images takes, part by part: the parameters (InitializeWeights)
// and everything NewTraining allocates (the batch and its transformations,
// the activations and gradients of a step, the dropout mask, the
// permutation, the evaluation's chunk and its activations, the history),
// but not the images themselves, which the Data holds.
func TrainingMemoryOf(d, m, k, nTrain, nVal int, cfg Config) TrainingMemory {
	D, M, K, B := float64(d), float64(m), float64(k), float64(max(cfg.BatchSize, 1))
	t := TrainingMemory{Weights: WeightsBytes(d, m, k)}
	t.Batch = 8 * (B*D + 2*B) // the batch, its labels and rows
	if cfg.Augment.On() {
		t.Batch += 8 * (B*D + 3*B) // the untransformed batch and the moves
	}
	t.Activations = 8 * (2*M*B + 2*K*B + 3*B + // H and GH, S and P, the column statistics
		M + K*M + K) // the gradients of b1, W2, b2
	if cfg.Dropout() {
		t.Activations += 8 * M * B
	}
	if cfg.Shuffle {
		t.Permutation = 8 * float64(nTrain)
	}
	recorded := nTrain
	if cfg.RecordTrain > 0 {
		recorded = min(recorded, cfg.RecordTrain)
	}
	t.Evaluation = chunkBytes(D, M, K, float64(min(max(recorded, nVal), EvalChunk))) + 8*float64(nVal)
	t.History, t.Records = HistoryBytes(cfg)
	return t
}

// HistoryBytes estimates the memory of the History of a training run with
// cfg: η_t of each of its cfg.Steps() update steps, and a Record (8 words)
// every cfg.RecordEvery() steps.
func HistoryBytes(cfg Config) (etas, records float64) {
	steps := 2 * float64(cfg.Cycles) * float64(cfg.StepSize)
	return 8 * steps, 64 * (steps/float64(max(cfg.RecordEvery(), 1)) + 1)
}

// chunkBytes is the memory of an evaluator of c images (newEvaluator):
// their labels, H m×c, S and P k×c, the column statistics. The images are
// not stored: the product reads them from the Data (see evaluator).
func chunkBytes(D, M, K, c float64) float64 {
	return 8 * (c + M*c + 2*K*c + 3*c)
}

// EvaluationBytes estimates the memory that classifying n images with a
// network of d inputs, m hidden units and k classes takes (PredictData,
// Evaluate): the chunk of at most EvalChunk images and its forward pass,
// and the result, n classes and n×k probabilities.
func EvaluationBytes(d, m, k, n int) float64 {
	return chunkBytes(float64(d), float64(m), float64(k), float64(min(n, EvalChunk))) + 8*float64(n)*float64(k+1)
}

// WeightsBytes is the memory of the parameters of a network of d inputs,
// m hidden units and k classes: W1, b1, W2, b2 as float64.
func WeightsBytes(d, m, k int) float64 {
	D, M, K := float64(d), float64(m), float64(k)
	return 8 * (D*M + M + K*M + K)
}

// TrainingBytes estimates the memory, in bytes, that training a network of
// d inputs, m hidden units and k classes with cfg on nTrain training and
// nVal validation images takes: the total of TrainingMemoryOf. A caller
// checks it against the memory the machine has before allocating, so that
// an absurd size is an error rather than the runtime's out-of-memory crash;
// it is computed in floating point, so that no size overflows it (it
// saturates at math.MaxInt64).
func TrainingBytes(d, m, k, nTrain, nVal int, cfg Config) int64 {
	return saturate(TrainingMemoryOf(d, m, k, nTrain, nVal, cfg).Total())
}

// saturate returns b as an int64, math.MaxInt64 when it is that large or
// larger.
func saturate(b float64) int64 {
	if b >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(b)
}
