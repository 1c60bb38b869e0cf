// Package experiments reruns every section of the report: one exported
// function per section (GradCheck for 2.9, OneCycle and ThreeCycles for
// 3.1, Coarse for 3.2, Fine for 3.3, Final for 3.4), Train for any
// configuration, and All, which runs them in order and writes the report
// (package report). Beyond the report: Bonus (the optional exercises as an
// ablation), LRRange (a learning-rate range test), Show (the pictures of any
// saved model) and the predictions of a saved model (PredictImages,
// PredictBatch).
//
// Each function takes a context (cancelling it stops training at the next
// update step) and an Options value (where the data is, where results go,
// the seed, ...), checks the settings of its runs before anything runs
// (usage errors, ErrUsage), and returns its summary, which package store
// writes, with the curves and plots of the run, under
// Options.OutDir/<experiment>/:
//
//	summary.json   the summary: parameters, final metrics, timings, search runs
//	curves.csv     step, η, training and validation cost, loss and accuracy
//	cost.svg, loss.svg, accuracy.svg, eta.svg   the plots, drawn by package plot
//
// Final also draws what the trained network learned and where it goes wrong
// (Inspect, then WritePictures with package picture):
//
//	weights.png, templates.png   the rows of W1 and of W2·W1 as 32×32 colour images
//	confusion.png, mistakes.png  the confusion matrix on the test set, the most confident mistakes
//
// and Show does the same for any saved model. ReadImage reads PNG and JPEG
// images of any size for predict (picture.ToCIFAR scales them to 32×32).
//
// A search (Coarse, Fine) writes each λ run as soon as it finishes, as a
// unit of its own (summary.json, curves.csv, history.json) under
// Options.OutDir/<search>/runs/<i>-lambda-<λ>/.
//
// Every file is written atomically (store.WriteFileAtomic), so an
// interrupted run leaves complete files or none, and summary.json last. A
// rerun keeps what is already computed: a section, or a search's λ run,
// whose summary.json records the same Inputs (every hyperparameter, the
// seed, the data's identity) is kept rather than computed again, unless
// Options.Fresh (store.Kept); a run with other inputs is computed again,
// never mixed with them. Before training, store.CheckOutput makes sure the
// output directory takes files and has room for them. Earlier still, with
// the settings and before the data is looked for, each exported function
// estimates the memory its command needs and compares it with what this
// process may use (memory_need.go): too much is a usage error naming the
// setting to lower, never the runtime's out-of-memory crash.
//
// The files, section by section:
//
//	options.go      Options, their check, usage errors
//	data.go         finding and loading the data, and its cache
//	setup.go        Setup (one training run), its check and its Inputs
//	train.go        Train, and the training and writing of a run
//	gradcheck.go    2.9
//	cycles.go       3.1(a) and (b)
//	search.go       3.2 and 3.3, each λ a unit (unit.go)
//	final.go        3.4
//	inspect.go      what a trained network does on the test set
//	pictures.go     its pictures
//	all.go          All: the sections in order, the report
//	side.go         independent runs side by side
//	live.go         every training run published to the live page (Options.Hub, package serve)
//	charts.go       the plots of a training run
//	estimate.go     the bytes a run writes, for the check of free space
//	memory.go       the memory this process may use (MemAvailable, cgroup limits)
//	memory_need.go  the memory a command needs, checked before anything is allocated
//	bonus.go        the ablation's plan and rows (bonus_train.go: its training; bonus_files.go: its files)
//	lrrange.go      the learning-rate range test
//	show.go         the show command
//	predict.go      predict: a saved model on images
package experiments
