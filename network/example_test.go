package network_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"twolayer/matrix"
	"twolayer/network"
)

// smallNetwork returns a network of d = 2 inputs, m = 3 hidden units and
// K = 2 classes with weights set by hand, and two images X (2×2, one per row).
func smallNetwork() (*network.Params, *matrix.Dense) {
	net := network.NewParams(2, 3, 2)
	copy(net.W1.Row(0), []float64{1, 0}) // hidden unit 0 sees x_0
	copy(net.W1.Row(1), []float64{0, 1}) // unit 1 sees x_1
	copy(net.W1.Row(2), []float64{-1, -1})
	copy(net.B1, []float64{0, 0, 0.5})
	copy(net.W2.Row(0), []float64{1, -1, 0}) // class 0: x_0 > x_1
	copy(net.W2.Row(1), []float64{-1, 1, 0})
	X := matrix.New(2, 2)
	copy(X.Row(0), []float64{2, 1})  // image 0
	copy(X.Row(1), []float64{-1, 3}) // image 1
	return net, X
}

// EvaluateClassifier runs the forward pass: H = max(0, W1·Xᵀ + b1·1ᵀ) and
// P = softmax(W2·H + b2·1ᵀ), one column per image.
func ExampleEvaluateClassifier() {
	net, X := smallNetwork()
	P, H := network.EvaluateClassifier(net, X)
	for i := range X.Rows() {
		fmt.Printf("image %d: H[:, %d] = [%g %g %g], P[:, %d] = [%.4f %.4f]\n",
			i, i, H.At(0, i), H.At(1, i), H.At(2, i), i, P.At(0, i), P.At(1, i))
	}
	// Output:
	// image 0: H[:, 0] = [2 1 0], P[:, 0] = [0.8808 0.1192]
	// image 1: H[:, 1] = [0 3 0], P[:, 1] = [0.0025 0.9975]
}

// ComputeCost returns the cost J (cross-entropy plus λ(‖W1‖² + ‖W2‖²)) and
// the loss (the cross-entropy alone) of a labelled set.
func ExampleComputeCost() {
	net, X := smallNetwork()
	y := []int{0, 0} // image 1 is labelled against the network's choice
	cost, loss := network.ComputeCost(net, X, y, 0.01)
	fmt.Printf("loss = (−log P[0][0] − log P[0][1])/2 = (0.1269 + 6.0025)/2 = %.4f\n", loss)
	fmt.Printf("cost = loss + 0.01·(4 + 4) = %.4f\n", cost)
	fmt.Printf("accuracy %.1f\n", network.ComputeAccuracy(net, X, y))
	// Output:
	// loss = (−log P[0][0] − log P[0][1])/2 = (0.1269 + 6.0025)/2 = 3.0647
	// cost = loss + 0.01·(4 + 4) = 3.1447
	// accuracy 0.5
}

// ComputeGradients gives the analytic gradients; the numeric ones of
// ComputeGradsNumSlow check them entry by entry, as in section 2.9 of the
// report.
func ExampleComputeGradients() {
	const d, n, k = 5, 4, 3
	net := network.InitializeWeights(d, 6, k, network.InitSqrt, 1)
	r := rand.New(rand.NewPCG(1, 2))
	X, y := matrix.New(n, d), make([]int, n)
	for i := range n {
		for j := range d {
			X.Set(i, j, r.NormFloat64())
		}
		y[i] = r.IntN(k)
	}
	const lambda = 0.01
	analytic := network.ComputeGradients(net, X, y, lambda)
	numeric := network.ComputeGradsNumSlow(net, X, y, lambda, network.DefaultH)
	for _, c := range network.CompareGradients(analytic, numeric, network.DefaultEps) {
		fmt.Printf("%s: %2d entries, %d off by more than 1e-6, largest difference below 1e-9: %v\n",
			c.Param, c.Entries, c.AbsErrors, c.MaxAbs < 1e-9)
	}
	// Output:
	// W1: 30 entries, 0 off by more than 1e-6, largest difference below 1e-9: true
	// b1:  6 entries, 0 off by more than 1e-6, largest difference below 1e-9: true
	// W2: 18 entries, 0 off by more than 1e-6, largest difference below 1e-9: true
	// b2:  3 entries, 0 off by more than 1e-6, largest difference below 1e-9: true
}

// MiniBatchGD trains a network with a cyclical learning rate and records the
// cost and accuracy on the training and validation sets. Here: 3 classes of
// 2-dimensional points around (2, 0), (−1, 2) and (−1, −2).
func ExampleMiniBatchGD() {
	points := func(n int, seed uint64) network.Set {
		r := rand.New(rand.NewPCG(seed, 3))
		centre := [][]float64{{2, 0}, {-1, 2}, {-1, -2}}
		s := network.Set{X: matrix.New(n, 2), Labels: make([]int, n)}
		for i := range n {
			c := r.IntN(3)
			s.Labels[i] = c
			s.X.Set(i, 0, centre[c][0]+r.NormFloat64())
			s.X.Set(i, 1, centre[c][1]+r.NormFloat64())
		}
		return s
	}
	train, val := points(300, 1), points(100, 2)
	net := network.InitializeWeights(2, 10, 3, network.InitSqrt, 1)
	cfg := network.Config{
		EtaMin: 1e-3, EtaMax: 0.1, StepSize: 30, Cycles: 2, BatchSize: 20, Lambda: 0.001,
		RecordsPerCycle: 2, RecordInitial: true, Shuffle: true, Seed: 1,
	}
	h, err := network.MiniBatchGD(context.Background(), net, train, val, cfg, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range h.Records {
		fmt.Printf("step %3d (η = %.3f): training cost %.2f, accuracy %.2f; validation accuracy %.2f\n",
			r.Step, r.Eta, r.Train.Cost, r.Train.Accuracy, r.Val.Accuracy)
	}
	// Output:
	// step   0 (η = 0.001): training cost 1.01, accuracy 0.57; validation accuracy 0.54
	// step  30 (η = 0.097): training cost 0.33, accuracy 0.94; validation accuracy 0.93
	// step  60 (η = 0.004): training cost 0.24, accuracy 0.94; validation accuracy 0.93
	// step  90 (η = 0.097): training cost 0.21, accuracy 0.95; validation accuracy 0.94
	// step 120 (η = 0.004): training cost 0.19, accuracy 0.95; validation accuracy 0.94
}
