// Package experiments reruns every section of the report: one exported
// function per section (GradCheck for 2.9, OneCycle and ThreeCycles for
// 3.1, Coarse for 3.2, Fine for 3.3, Final for 3.4), Train for any
// configuration, and All, which runs them in order and writes a report.
//
// Each function takes a context (cancelling it stops training at the next
// update step), an Options value (where the data is, where results go, the
// seed, ...) and returns a *Result, which is also written, with the curves
// and plots of the run, under Options.OutDir/<experiment>/:
//
//	summary.json   the Result: parameters, final metrics, timings, search runs
//	curves.csv     step, η, training and validation cost, loss and accuracy
//	cost.svg, loss.svg, accuracy.svg, eta.svg   the plots, drawn by package plot
//
// Final also draws what the trained network learned and where it goes wrong
// (AddPictures: Inspect, then WritePictures with package picture):
//
//	weights.png, templates.png   the rows of W1 and of W2·W1 as 32×32 colour images
//	confusion.png, mistakes.png  the confusion matrix on the test set, the most confident mistakes
//
// and Show does the same for any saved model. predict's ReadImage reads PNG
// and JPEG images of any size (picture.ToCIFAR scales them to 32×32).
//
// A search (Coarse, Fine) writes each λ run as soon as it finishes, as a
// unit of its own (summary.json, curves.csv, history.json) under
// Options.OutDir/<search>/runs/<i>-lambda-<λ>/.
//
// Every file is written atomically (store.WriteFileAtomic), so an interrupted run
// leaves complete files or none, and summary.json last. A rerun keeps what
// is already computed: a section, or a search's λ run, whose summary.json
// records the same Inputs (every hyperparameter, the seed, the data's
// identity) is kept rather than computed again, unless Options.Fresh; a
// run with other inputs is computed again, never mixed with them. Before
// training, store.CheckOutput makes sure the output directory takes files and
// has room for them.
package experiments
