// Package serve shows training in a browser, and what it left behind: a
// small web server, standard library only, whose page (three hand-written
// files built into the program) has three tabs.
//
//   - Live training: the curves of cost, loss and accuracy (training and
//     validation) and η against the update step, growing at each
//     recording; the step, the epoch, the speed and the time left; the
//     hidden units' weights and the class templates W2·W1 as pictures, and
//     the confusion matrix of the validation set, redrawn as training goes
//     on; for a search, one line per run and the table of runs filling in.
//   - Finished runs: the runs of the results folder (summary.json,
//     curves.csv, plots and pictures, a search's λ runs) and the report.
//   - Try it: a saved model (a model or ensemble file of the results
//     folder) on a dropped, pasted or chosen PNG or JPEG image of any size,
//     or on a test image: the 32×32 image the network sees, the ten class
//     probabilities, and the hidden units the image excites most.
//
// Training reaches the page through a Hub: the training goroutine
// announces a run (Hub.Start) and publishes its recordings, ticks and end
// (Run.Record, Run.Tick, Run.Finish; Progress does it for
// network.MiniBatchGD's callback). Publishing never waits for a browser: it
// copies a few numbers into a ring under a lock held for microseconds, and
// everything slow (JSON, PNG, the network) happens on the server's
// goroutines, once per event however many pages watch. Training computes
// exactly the same numbers, bit for bit, with or without a page open.
// Serve starts the server; it listens on 127.0.0.1 unless told otherwise.
//
// Training reaches the package through its own plain types (RunStart,
// Recording, Snapshot, RunEnd, TestImages), which package experiments fills
// in (experiments/live.go); network.go turns network.MiniBatchGD's progress
// into them. The try-it panel computes nothing of its own: it reads model
// files and classifies with package network (model.go), the one
// implementation of the network's arithmetic; package picture draws the
// weights.
//
// Files:
//
//	event.go     the events training publishes: RunStart, Recording, Snapshot, RunEnd
//	hub.go       Hub and Run: publishing without blocking, the ring, the pages' cursors, the state
//	wire.go      the events and the state in JSON, each event encoded once
//	frames.go    the pictures of a run's latest snapshot, drawn once, at most every DrawInterval
//	server.go    Serve, Options, the addresses it listens on, its timeouts and limits
//	listen_*.go  a port in use, told apart on Unix and Windows (errno) and on Plan 9 (text)
//	site.go      the routes, the guard every request passes, the errors' form
//	live.go      the event stream (server-sent events: why, there) and the live pictures
//	results.go   the results folder: listing its runs, serving its files, never outside it
//	models.go    the model files of the results folder, listed and loaded (cached)
//	model.go     the try-it panel's classification: package network on one image, p and h
//	predict.go   try it: uploads checked and decoded, test images, the answer
//	static.go    the page's files (static/), embedded
//	network.go   SnapshotOf and Progress: training's progress as events
package serve
