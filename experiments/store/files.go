package store

// The names of the files a run leaves in its directory that more than the
// code writing them needs to know: the report shows the plots and pictures
// by these names, in these orders, and a rerun looks for the summary.
const (
	SummaryFile = "summary.json"
	CurvesFile  = "curves.csv"   // the recordings of a training run (CurvesCSV)
	HistoryFile = "history.json" // a search's unit: the history exactly (WriteUnit)
	SearchChart = "search.svg"   // a search: the accuracies against λ
)

// RunCharts are the plots of a training run: cost, loss and accuracy
// against the update step, and the learning rate η.
var RunCharts = []string{"cost.svg", "loss.svg", "accuracy.svg", "eta.svg"}

// BonusCharts are the plots of the ablation: the accuracies of every row,
// and the validation and training accuracy of every run at each cycle's end.
var BonusCharts = []string{"ablation.svg", "bonus-validation.svg", "bonus-train.svg"}

// RangeCharts are the plots of the range test: validation accuracy and
// loss against η.
var RangeCharts = []string{"range-accuracy.svg", "range-loss.svg"}

// The pictures of a trained network (Insight.Files lists those drawn).
const (
	WeightsPNG   = "weights.png"   // the rows of W1, the first WeightsShown of them
	TemplatesPNG = "templates.png" // the rows of W2·W1, one per class
	ConfusionPNG = "confusion.png" // the confusion matrix on the test set
	MistakesPNG  = "mistakes.png"  // the most confident mistakes
)

// WeightsShown is the largest number of hidden units WeightsPNG shows.
const WeightsShown = 100
