// Package store is what a run of the experiments leaves on disk and how a
// rerun finds it again: every file is written atomically (WriteFileAtomic),
// and before a run starts CheckOutput makes sure that the results
// directory takes files and has room for them.
package store
