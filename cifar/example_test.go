package cifar_test

import (
	"fmt"
	"log"

	"twolayer/cifar"
)

// LoadBatch reads a batch file into Images: the pixel bytes and labels of
// its images. Their Matrix is the report's X, one image per row, each pixel
// byte v as v/255. This one is a three-image file in the binary format
// (testdata/tiny; the real files hold 10,000).
func ExampleLoadBatch() {
	b, err := cifar.LoadBatch("testdata/tiny/data_batch_1.bin")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d images of %d values, labels %v\n", b.Len(), b.Dim(), b.Labels())
	// feature j is byte j of the image: 1024 red, 1024 green, 1024 blue values
	x := b.Matrix()
	fmt.Printf("image 1: second red pixel %.4f (= %d/255), last blue %.4f (= %d/255)\n",
		x.At(1, 1), b.Pixels(1)[1], x.At(1, cifar.ImageSize-1), b.Pixels(1)[cifar.ImageSize-1])
	// Output:
	// 3 images of 3072 values, labels [0 7 4]
	// image 1: second red pixel 0.1412 (= 36/255), last blue 0.0627 (= 16/255)
}

// ComputeStats and WithStats normalise: every feature of the training set
// is centred on 0 and scaled to standard deviation 1 with the training
// set's own statistics, and the other sets are normalised with the same
// statistics (section 2.2 of the report). The bytes stay as they are; the
// values are normalised as they are read.
func ExampleImages_WithStats() {
	train, err := cifar.LoadBatch("testdata/tiny/data_batch_1.bin")
	if err != nil {
		log.Fatal(err)
	}
	test, err := cifar.LoadBatch("testdata/tiny/test_batch.bin")
	if err != nil {
		log.Fatal(err)
	}
	stats := train.ComputeStats()
	train, test = train.WithStats(stats), test.WithStats(stats)
	fmt.Printf("feature 1: mean %.4f, std %.4f\n", stats.Mean[1], stats.Std[1])
	col := func(s cifar.Images, j int) (c []float64) {
		x := s.Matrix()
		for i := range s.Len() {
			c = append(c, x.At(i, j))
		}
		return c
	}
	fmt.Printf("training set, feature 1: %.4f\n", col(train, 1))
	// feature 0 is the same byte in every image: its std, 0, is taken as 1
	fmt.Printf("feature 0: std %g, training values %.4f\n", stats.Std[0], col(train, 0))
	fmt.Printf("test set, feature 1: %.4f\n", col(test, 1))
	// Output:
	// feature 1: mean 0.1412, std 0.0929
	// training set, feature 1: [-1.2247 0.0000 1.2247]
	// feature 0: std 1, training values [0.0000 0.0000 0.0000]
	// test set, feature 1: [-0.8447 0.3801 1.6048 2.8296]
}
