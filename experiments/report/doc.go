// Package report writes the report of the experiments, report.md and the
// self-contained report.html, from the summaries the runs left (package
// store): for each section of the DD2424 report our numbers beside the
// report's and the assignment's reference values (References), the
// differences and their explanations, the plots and the pictures of the
// trained network, and the machine and the times. It also writes the page
// of the show command (ShowPage) and the few lines a command prints when
// it is done (Brief).
//
// It reads results only through store and runs nothing: a report can be
// made again from the files of any earlier run (Rebuild).
//
//	report.go      Write and Rebuild: the sections in order, the machine and the timings
//	sections.go    sections 2.9 and 3.1–3.4
//	bonus.go       beyond the report: the ablation and the range test
//	pictures.go    what a trained network learned and where it goes wrong
//	references.go  the published numbers and the explanations of the differences
//	document.go    the document and its Markdown
//	html.go        its HTML: inline plots and pictures, a table of contents
//	show.go        the show command's page
//	brief.go       the lines a command prints
package report
