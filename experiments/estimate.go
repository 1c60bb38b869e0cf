package experiments

// Estimates of the bytes the runs write, upper bounds from the sizes of
// their files: an SVG plot takes about 12 bytes per point (two coordinates
// with two decimals) plus some 6 kB of axes and labels; a row of curves.csv
// about 150 bytes; an η of history.json about 25 bytes and a recording 250;
// a saved model 8 bytes per weight and per statistic; a summary.json less
// than 16 kB (the final training's, with the confusion matrix, the largest).
const (
	svgBase       = 8 << 10
	svgPerPoint   = 16
	summaryBytes  = 16 << 10
	csvRowBytes   = 160
	etaBytes      = 25
	recordBytes   = 250
	picturesBytes = 2 << 20 // the four PNGs of the final training, at most
	maxTrain      = 50000   // CIFAR-10's training images: n_s = 2⌊n / n_batch⌋ is at most 2⌊50,000 / n_batch⌋
)

// steps returns an upper bound of the update steps of s and of its
// recordings.
func (s Setup) steps() (steps, records int64) {
	c := s.Config
	ns := int64(c.StepSize)
	if s.StepSizeFromData {
		ns = 2 * maxTrain / int64(max(c.BatchSize, 1))
	}
	steps = 2 * int64(c.Cycles) * ns
	return steps, int64(c.Cycles*c.RecordsPerCycle) + 2
}

// runBytes estimates the bytes the files of a training run of s take:
// summary.json, curves.csv and the four plots (cost, loss and accuracy with
// two series of one point per recording, η with one point per step).
func runBytes(s Setup) int64 {
	steps, records := s.steps()
	return summaryBytes + csvRowBytes*records + 3*(svgBase+2*svgPerPoint*records) + svgBase + svgPerPoint*steps
}

// unitBytes estimates the bytes of a search's unit: summary.json,
// curves.csv and history.json.
func unitBytes(s Setup) int64 {
	steps, records := s.steps()
	return summaryBytes + csvRowBytes*records + etaBytes*steps + recordBytes*records
}

// searchBytes estimates the bytes a search of n λ on s writes: its units,
// its own files (a run's, plus search.csv and search.svg).
func searchBytes(s Setup, n int) int64 {
	return int64(n)*unitBytes(s) + runBytes(s) + int64(n)*csvRowBytes + svgBase + 3*svgPerPoint*int64(n)
}

// modelBytes estimates the bytes of a saved model with m hidden units:
// W1, b1, W2, b2 and the statistics (mean, std) as float64, plus a header.
func modelBytes(m int) int64 {
	const d, k = 3072, 10
	return 8*int64(m*d+m+k*m+k+2*d) + 4<<10
}
