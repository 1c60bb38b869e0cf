//go:build amd64 && !purego

package dgemm

// spinPause tells the CPU that the caller is waiting in a loop (the PAUSE
// instruction): it saves power and leaves the core to a hyper-thread
// sibling. Assembly, in spin_amd64.s.
//
//go:noescape
func spinPause()
