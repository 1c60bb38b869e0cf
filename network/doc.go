// Package network is the two-layer fully connected network of the report
// (DD2424 assignment 2): its forward pass, cost, analytic and numeric
// gradients, and mini-batch gradient descent with a cyclical learning rate.
//
// # Layout
//
// A labelled set of n images is a cifar.Set: an n×d matrix X with one image
// per row, so that a mini-batch is a row view (X.RowRange) and nothing is
// copied, and the n labels. The parameters W1, b1, W2, b2 are a *Params,
// called net in the code. The activations follow the report, one image per
// column:
//
//	S1 = W1·Xᵀ + b1·1ᵀ   m×n   (W1 is m×d, b1 has m entries)
//	H  = max(0, S1)      m×n
//	S  = W2·H + b2·1ᵀ    K×n   (W2 is K×m, b2 has K entries)
//	P  = softmax(S)      K×n   (column-wise)
//
// The cost of n labelled images (labels y_i in 0..K−1) is
//
//	J = (1/n) Σ_i −log P[y_i][i] + λ(‖W1‖² + ‖W2‖²),
//
// and the loss is J without the λ term. The backward pass carries the
// gradient G from P − Y (K×n) down to the first layer (m×n), as the
// report's ComputeGradients does (section 2.9).
//
// The README's reading tour follows a training step through these files,
// from the data file to the multiply-add.
//
// # Files
//
// Each file holds one part of the report's section 2, with the report's
// function names beside the Go ones. The layers come in forward order, each
// forward pass beside the backward pass that inverts it:
//
//	params.go      initialize_weights → InitializeWeights; Params
//	classifier.go  EvaluateClassifier: the forward pass through the layers, on a reusable workspace
//	layer1.go      first layer: S1 = W1·Xᵀ + b1·1ᵀ and ReLu → ReLU, forward and backward;
//	               the training step's fused update of W1
//	passes.go      the element-wise work between the products, on every core
//	layer2.go      second layer: S = W2·H + b2·1ᵀ, forward and backward
//	softmax.go     Softmax and the cross-entropy, forward and backward (G = P − Y)
//	gradients.go   ComputeGradients: the backward pass through the layers; the update of b1, W2, b2
//	cost.go        ComputeCost, ComputeAccuracy, Evaluate (in chunks)
//	numgrad.go     ComputeGradsNum (forward difference), ComputeGradsNumSlow (centered)
//	compare.go     the comparison of analytic and numeric gradients (report 2.9)
//	schedule.go    the triangular cyclical learning rate
//	config.go      the training configuration and its validation
//	train.go       MiniBatchGD, Training (MiniBatchGD in parts) and the allocation-free Trainer
//	model.go       a trained model's binary file format
//	predict.go     Predict
//
// Beyond the report, the assignment's optional exercises:
//
//	dropout.go     inverted dropout on the hidden layer (training only): the mask, applied in the first layer's passes
//	augment.go     random flips and shifts of the training images (TransformImage)
//	ensemble.go    PredictEnsemble: the mean of several networks' softmax outputs
//	lrrange.go     Smith's learning-rate range test (RangeTest, SuggestEtas)
package network
