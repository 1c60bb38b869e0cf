package store

// Insight is what a trained network does with a test set: how it sorts
// the images (the confusion matrix), how well it does on each class, and
// the images it gets most confidently wrong. It is written into
// summary.json (final, bonus) or show.json (show), beside the pictures
// listed in Files.
type Insight struct {
	Classes  []string `json:"classes"`  // the K class names, in label order
	N        int      `json:"n"`        // test images
	Accuracy float64  `json:"accuracy"` // Σ_k Confusion[k][k] / N
	// Confusion[i][j] is the number of test images of class i that the
	// network put in class j (K×K; rows sum to the images of each class,
	// the whole matrix to N).
	Confusion [][]int `json:"confusion"`
	// ClassAccuracy[i] = Confusion[i][i] / Σ_j Confusion[i][j]: the share
	// of class i's images that the network gets right (its recall).
	ClassAccuracy []float64 `json:"class_accuracy"`
	// Mistakes are the misclassified test images with the highest
	// probability of the wrong class, most confident first.
	Mistakes []Mistake `json:"mistakes"`
	Units    int       `json:"units"`           // hidden units m (WeightsPNG shows the first WeightsShown)
	Files    []string  `json:"files,omitempty"` // the pictures, relative to the directory of the run
}

// Mistake is a test image that the network classifies wrongly.
type Mistake struct {
	Index           int     `json:"index"`     // row of the test set (= index in test_batch.bin)
	True            int     `json:"true"`      // its label
	Predicted       int     `json:"predicted"` // the network's class, ≠ True
	Probability     float64 `json:"probability"`
	TrueProbability float64 `json:"true_probability"` // the probability the network gave the right class
}
