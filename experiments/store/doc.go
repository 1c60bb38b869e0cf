// Package store is what a run of the experiments leaves on disk and how a
// rerun finds it again.
//
// Each run writes its files into a directory of its own under the results
// root (OUT/<experiment>/), summary.json last: its summary, one type per
// kind of result (Run, Search, GradCheck, Final, Bonus, LRRange), each
// beginning with a Header (what ran, its hyperparameters, its final
// metrics, when) and ending with a Trailer (the files written and the
// Inputs the result was computed from). A rerun keeps a result whose
// Inputs are its own and whose files are all there (Kept), and computes
// any other again. Every file is written atomically (WriteFileAtomic),
// and before a run starts CheckOutput makes sure that the results root
// takes files and has room for them.
//
// Package store runs nothing: the runners (package experiments) write
// through it, and the report (package report) reads through it.
//
//	summary.go    Summary, Header, Trailer; the kinds of a training run, a search, the gradient check, the final training
//	bonus.go      the kinds of the ablation and the range test
//	insight.go    what a trained network does on the test set
//	all.go        what All did (OUT/summary.json)
//	files.go      the names of the files the report reads
//	inputs.go     Inputs, and how two of them differ
//	kept.go       Kept: what a rerun keeps
//	write.go      Write: a run's files, summary.json last; curves.csv; models
//	atomic.go     WriteFileAtomic
//	preflight.go  CheckOutput: writable, disk space
//	machine.go    the machine the runs ran on
package store
