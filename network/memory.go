package network

import "math"

// TrainingBytes estimates the memory, in bytes, that training a network of
// d inputs, m hidden units and k classes with cfg on nTrain training and
// nVal validation images takes: the parameters (InitializeWeights) and
// everything NewTraining allocates (the batch and its transformations, the
// activations and gradients of a step, the dropout mask, the permutation,
// the evaluation's chunk and its activations, the history), but not the
// images themselves, which the Data holds. A caller checks it against the
// memory the machine has before allocating, so that an absurd size is an
// error rather than the runtime's out-of-memory crash; it is computed in
// floating point, so that no size overflows it (it saturates at
// math.MaxInt64).
func TrainingBytes(d, m, k, nTrain, nVal int, cfg Config) int64 {
	D, M, K, B := float64(d), float64(m), float64(k), float64(max(cfg.BatchSize, 1))
	params := D*M + M + K*M + K // W1, b1, W2, b2
	step := B*D + 2*B +         // the batch, its labels and rows
		2*M*B + 2*K*B + 3*B + // H and GH, S and P, the column statistics
		M + K*M + K // the gradients of b1, W2, b2
	if cfg.Shuffle {
		step += float64(nTrain)
	}
	if cfg.Augment.On() {
		step += B*D + 3*B
	}
	if cfg.Dropout() {
		step += M * B
	}
	recorded := nTrain
	if cfg.RecordTrain > 0 {
		recorded = min(recorded, cfg.RecordTrain)
	}
	c := float64(min(max(recorded, nVal), EvalChunk))
	eval := c*D + 2*c + M*c + 2*K*c + 3*c + float64(nVal) // and the validation images' predicted classes
	steps := 2 * float64(cfg.Cycles) * float64(cfg.StepSize)
	history := steps + 8*(steps/float64(max(cfg.RecordEvery(), 1))+1) // η_t, and the records
	bytes := 8 * (params + step + eval + history)
	if bytes >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(bytes)
}
