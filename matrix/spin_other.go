//go:build !amd64 || purego

package matrix

// spinPause is where a waiting loop pauses; without assembly it does
// nothing.
func spinPause() {}
