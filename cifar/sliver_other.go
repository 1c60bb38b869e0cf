//go:build !amd64 || purego

package cifar

// sliverKernel is the kernel of Images.Sliver: none in this build, so
// Sliver declines and products read the images with Image.
var sliverKernel func(dst []float64, w int, pix []byte, j, kc int, mean, std, recip []float64)
