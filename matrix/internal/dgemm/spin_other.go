//go:build !amd64 || purego

package dgemm

// spinPause is where a waiting loop pauses; without assembly it does
// nothing.
func spinPause() {}
