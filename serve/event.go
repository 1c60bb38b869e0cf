package serve

// The events below are what a training command tells the page. They are
// plain data, defined here rather than borrowed from the network or
// experiments packages, so that this package depends on training only
// through them: whoever trains fills them in and hands them to a Hub (see
// Hub.Start and Run). Each is handed over once and never changed
// afterwards, by either side.

// RunStart announces a training run: one network trained from its first
// update step to its last. A search is several runs of one Group.
type RunStart struct {
	// ID names the run within the process, e.g. "coarse-3". The hub keeps
	// it if it is made of letters, digits, '.', '_' and '-' and is not
	// taken yet; otherwise it makes one of its own (see Run.ID).
	ID string
	// Group is what the run belongs to, as the page shows it: the section
	// or command, e.g. "3.2 coarse search". The runs of a search, or of
	// the bonus ablation, share it; `all` starts one group per section.
	Group string
	// Title says what the run is, e.g. "λ = 2.39e-05".
	Title string
	// TotalSteps is the number of update steps the run will take, and
	// StepsPerEpoch those of one pass over the training set (⌊n/B⌋), from
	// which the page tells the epoch.
	TotalSteps, StepsPerEpoch int
	// Params are the hyperparameters, in the order they are shown.
	Params []Param
	// Classes are the class names in label order (the confusion matrix's
	// rows and columns, the class templates' captions).
	Classes []string
}

// Param is one hyperparameter, or any other named value, as text:
// {"λ", "0.01"}, {"batch", "100"}.
type Param struct {
	Key, Value string
}

// Metrics are cost (loss plus the L2 term), loss (mean cross-entropy) and
// accuracy (a fraction in [0, 1]) on one set of images.
type Metrics struct {
	Cost, Loss, Accuracy float64
}

// Recording is one recording of the metrics during training, after Step
// update steps (0: before the first), with the learning rate η of the last
// step. Snapshot, when not nil, is the network at that moment, for the
// pictures and the confusion matrix.
type Recording struct {
	Step       int
	Eta        float64
	Train, Val Metrics
	Snapshot   *Snapshot
}

// Snapshot is the network at a recording, copied by the training side so
// that training can go on changing its own weights: the hub keeps the copy
// and draws from it on the server's goroutines, never on training's.
//
// W1 is m×d and W2 is K×m, both row-major (row i of W1 is
// W1[i*d : (i+1)*d], the weights of hidden unit i). Mean and Std, of
// length d or both empty, are the normalisation of the inputs x ← (x −
// Mean)/Std; the pictures of the units do not need them, the try-it panel
// does. ValPredicted and ValTrue are the predicted and the true labels of
// the validation images, for the confusion matrix; ValTrue does not change
// between recordings, so the same slice may be handed over every time (the
// hub only reads it). Any of the slices may be empty when not known.
type Snapshot struct {
	Inputs, Hidden, Classes int // d, m, K

	W1, B1, W2, B2 []float64
	Mean, Std      []float64

	ValPredicted, ValTrue []int
}

// RunEnd is the end of a run: its final metrics (Final nil if it stopped
// before the end), the seconds it took, an error if it failed or was
// stopped, and any further values to show in its row of the group's table
// (e.g. {"chosen", "λ = 0.003"} for a row of the ablation).
type RunEnd struct {
	Final   *Final
	Seconds float64
	Err     error
	Extra   []Param
}

// Final are the metrics at the end of training; Test is nil when the run
// has no test set.
type Final struct {
	Train, Val Metrics
	Test       *Metrics
}
