package network

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"twolayer/matrix"
)

// maskedForward runs the training-time forward pass with the dropout mask M
// (m×n) on s and returns the workspace holding H ⊙ M and P, and the loss.
func maskedForward(p *Params, s Set, M *matrix.Dense) (*workspace, float64) {
	w := newWorkspace(p, s.Len(), true)
	w.M = M
	w.forward(p, s.X)
	return w, w.cols.crossEntropySum(w.S, s.Labels) / float64(s.Len())
}

// maskedCost is J = (1/n) Σ −log P[y_i][i] + λ(‖W1‖² + ‖W2‖²) with
// P = softmax(W2·(max(0, W1·Xᵀ + b1·1ᵀ) ⊙ M) + b2·1ᵀ), the mask fixed,
// written out here loop by loop from EvaluateClassifier's H (which has no
// mask), so that it does not share the workspace's dropout code it checks.
func maskedCost(p *Params, s Set, lambda float64, M *matrix.Dense) float64 {
	_, H := EvaluateClassifier(p, s.X)
	_, m, k := p.Dims()
	loss := 0.0
	for i := range s.Len() {
		scores := make([]float64, k)
		for c := range k {
			scores[c] = p.B2[c]
			for u := range m {
				scores[c] += p.W2.At(c, u) * H.At(u, i) * M.At(u, i)
			}
		}
		mx := slices.Max(scores)
		sum := 0.0
		for _, v := range scores {
			sum += math.Exp(v - mx)
		}
		loss += math.Log(sum) - (scores[s.Labels[i]] - mx)
	}
	return loss/float64(s.Len()) + lambda*p.l2()
}

// TestDropoutGradients checks the analytic gradients of the training step
// with a fixed dropout mask (the trainer's backward pass with the mask)
// against the centered difference of maskedCost, on the reduced problem
// (d = 20, n = 3) with p = 0.5 and 0.8, λ = 0 and 0.01.
func TestDropoutGradients(t *testing.T) {
	data, src := cifarOrRandom(t, 100, 11)
	t.Logf("data: %s", src)
	for _, keep := range []float64{0.5, 0.8} {
		for _, lambda := range []float64{0, 0.01} {
			t.Run(fmt.Sprintf("p=%g/λ=%g", keep, lambda), func(t *testing.T) {
				p, s := reduced(InitializeWeights(3072, 50, 10, InitSqrt, 7), data, 20, 3)
				M := matrix.New(50, 3)
				drawDropoutMask(M, keep, rand.New(rand.NewPCG(5, 6)))
				dropped := 0
				for i := range M.Rows() {
					for _, v := range M.Row(i) {
						if v == 0 {
							dropped++
						} else if v != 1/keep {
							t.Fatalf("mask entry %g: want 0 or 1/p = %g", v, 1/keep)
						}
					}
				}
				if dropped == 0 || dropped == 150 {
					t.Fatalf("the mask drops %d of 150 units: the test needs some of each", dropped)
				}
				d, m, k := p.Dims()
				ga := NewGrads(d, m, k)
				w, loss := maskedForward(p, s, M)
				if want := maskedCost(p, s, 0, M); math.Abs(loss-want) > 1e-12 {
					t.Fatalf("training forward pass with the mask: loss %.15g, want %.15g", loss, want)
				}
				if plain := maskedCost(p, s, 0, onesLike(M)); math.Abs(plain-loss) < 1e-6 {
					t.Fatalf("the mask changes the loss by %g only: the test cannot see it", plain-loss)
				}
				w.backward(ga, p, s.Labels, lambda)
				firstLinearWeights(ga, p, w.GH, s.X, lambda)

				gn := NewGrads(d, m, k)
				h := DefaultH
				fill := func(dst, params [][]float64) {
					for i, row := range params {
						for j := range row {
							old := row[j]
							row[j] = old + h
							c2 := maskedCost(p, s, lambda, M)
							row[j] = old - h
							c1 := maskedCost(p, s, lambda, M)
							row[j] = old
							dst[i][j] = (c2 - c1) / (2 * h)
						}
					}
				}
				fill(rowsOf(gn.W1), rowsOf(p.W1))
				fill([][]float64{gn.B1}, [][]float64{p.B1})
				fill(rowsOf(gn.W2), rowsOf(p.W2))
				fill([][]float64{gn.B2}, [][]float64{p.B2})
				checkGrads(t, ga, gn, centeredAbs, centeredRel)
			})
		}
	}
}

// TestDropoutMask checks that the fraction of kept units is near p and that
// the kept ones are scaled by 1/p, so that E[M] = 1.
func TestDropoutMask(t *testing.T) {
	const keep = 0.7
	M := matrix.New(200, 500)
	drawDropoutMask(M, keep, rand.New(rand.NewPCG(1, 2)))
	kept, sum := 0, 0.0
	for i := range M.Rows() {
		for _, v := range M.Row(i) {
			if v != 0 {
				kept++
			}
			sum += v
		}
	}
	n := float64(M.Rows() * M.Cols())
	// the kept count is Binomial(1e5, 0.7): standard deviation 145, so 6σ is 0.0087 of n
	if f := float64(kept) / n; !(f > keep-0.0087 && f < keep+0.0087) {
		t.Errorf("kept fraction %g, want %g", f, keep)
	}
	if mean := sum / n; !(mean > 1-0.0125 && mean < 1+0.0125) {
		t.Errorf("mean of the mask %g, want 1", mean)
	}
}

// onesLike returns a matrix of M's shape filled with ones (no dropout).
func onesLike(M *matrix.Dense) *matrix.Dense {
	O := matrix.New(M.Rows(), M.Cols())
	for i := range O.Rows() {
		for j := range O.Row(i) {
			O.Row(i)[j] = 1
		}
	}
	return O
}

// TestDropoutMaskEveryStep: every training step draws a new mask and
// applies it: after each step the hidden activations of its forward pass
// are 0 wherever that step's mask is, and no two steps' masks are equal.
func TestDropoutMaskEveryStep(t *testing.T) {
	s := randomSet(40, 30, 10, 4)
	p := InitializeWeights(30, 20, 10, InitSqrt, 1)
	cfg := Config{EtaMin: 0.01, EtaMax: 0.01, StepSize: 10, Cycles: 1, BatchSize: 10, RecordsPerCycle: 1, Seed: 3, KeepProb: 0.5}
	tr, err := NewTrainer(p, s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var masks []*matrix.Dense
	for step := range 4 {
		tr.Step()
		M, H := tr.w.M, tr.w.H
		for i := range M.Rows() {
			for j, m := range M.Row(i) {
				if m == 0 && H.At(i, j) != 0 {
					t.Fatalf("step %d: unit %d of image %d is dropped by the step's mask but H = %g", step, i, j, H.At(i, j))
				}
			}
		}
		for k, old := range masks {
			if sameBits(rowsFlat(old), rowsFlat(M)) {
				t.Errorf("steps %d and %d used the same dropout mask", k, step)
			}
		}
		masks = append(masks, M.Clone())
	}
}

// rowsFlat returns the entries of a row by row.
func rowsFlat(a *matrix.Dense) []float64 {
	var v []float64
	for i := range a.Rows() {
		v = append(v, a.Row(i)...)
	}
	return v
}
