// Package network is the two-layer fully connected network of the report
// (DD2424 assignment 2): its forward pass, cost, analytic and numeric
// gradients, and mini-batch gradient descent with a cyclical learning rate.
//
// # Shapes
//
// n images of d values are an n×d matrix X with one image per row, and
// their labels y_i in 0..K−1. The parameters W1, b1, W2, b2 are a *Params,
// called net in the code. The activations follow the report, one image per
// column:
//
//	S1 = W1·Xᵀ + b1·1ᵀ   m×n   (W1 is m×d, b1 has m entries)
//	H  = max(0, S1)      m×n
//	S  = W2·H + b2·1ᵀ    K×n   (W2 is K×m, b2 has K entries)
//	P  = softmax(S)      K×n   (column-wise)
//
// The cost of n labelled images is
//
//	J = (1/n) Σ_i −log P[y_i][i] + λ(‖W1‖² + ‖W2‖²),
//
// and the loss is J without the λ term. The backward pass carries the
// gradient G from P − Y (K×n) down to the first layer (m×n), as the
// report's ComputeGradients does (section 2.9).
//
// The report's functions take matrices and labels. Training and evaluation
// read their images through Data, one image at a time into memory they own
// (a mini-batch, a chunk of an evaluation): the network holds no data set
// and knows no file format. Set is Data held as a matrix; package cifar
// provides CIFAR-10 as Data.
//
// # Files
//
// In the order a reader meets them; each layer's forward pass is followed
// by its backward pass:
//
//	params.go      initialize_weights → InitializeWeights; Params
//	data.go        Data, what training reads; Set; the loading of images into a batch
//	classifier.go  EvaluateClassifier: the forward pass through the layers (workspace.forward)
//	layer1.go      first layer: S1 = W1·Xᵀ + b1·1ᵀ and ReLu → ReLU, forward and backward
//	layer2.go      second layer: S = W2·H + b2·1ᵀ, forward and backward
//	softmax.go     Softmax and the cross-entropy, forward and backward (G = P − Y)
//	gradients.go   ComputeGradients: the backward pass through the layers (workspace.backward)
//	cost.go        ComputeCost, ComputeAccuracy, and Evaluate (both, in chunks)
//	train.go       a training step: forward, loss, backward, update (Trainer.Step, update)
//	minibatchgd.go MiniBatchGD, and Training (MiniBatchGD in parts) with its recordings
//	schedule.go    CyclicEta: the triangular cyclical learning rate
//	config.go      the training configuration and its validation
//	numgrad.go     ComputeGradsNum (forward difference), ComputeGradsNumSlow (centered)
//	compare.go     the comparison of analytic and numeric gradients (report 2.9)
//	predict.go     Predict
//	model.go       a trained model and its binary file format
//
// Beyond the report, the assignment's optional exercises:
//
//	dropout.go     inverted dropout on the hidden layer (training only), applied in the first layer's passes
//	augment.go     random flips and shifts of the training images (TransformImage)
//	ensemble.go    PredictEnsemble: the mean of several networks' softmax outputs; ensemble files
//	lrrange.go     Smith's learning-rate range test (RangeTest, SuggestEtas)
package network
