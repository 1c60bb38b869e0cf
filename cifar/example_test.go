package cifar_test

import (
	"fmt"
	"log"

	"twolayer/cifar"
)

// LoadBatch reads a batch file into a Set: X holds one image per row, each
// pixel byte v as v/255, and Labels the classes. This one is a three-image
// file in the binary format (testdata/tiny; the real files hold 10,000).
func ExampleLoadBatch() {
	b, err := cifar.LoadBatch("testdata/tiny/data_batch_1.bin")
	if err != nil {
		log.Fatal(err)
	}
	n, d := b.X.Dims()
	fmt.Printf("%d images of %d values, labels %v\n", n, d, b.Labels)
	// feature j is byte j of the image: 1024 red, 1024 green, 1024 blue values
	fmt.Printf("image 1: second red pixel %.4f (= 36/255), last blue %.4f (= 16/255)\n", b.X.At(1, 1), b.X.At(1, cifar.ImageSize-1))
	// Output:
	// 3 images of 3072 values, labels [0 7 4]
	// image 1: second red pixel 0.1412 (= 36/255), last blue 0.0627 (= 16/255)
}

// Normalize centres every feature of the training set on 0 and scales it to
// standard deviation 1 with the training set's own statistics, then applies
// the same statistics to the other sets (section 2.2 of the report).
func ExampleNormalize() {
	train, err := cifar.LoadBatch("testdata/tiny/data_batch_1.bin")
	if err != nil {
		log.Fatal(err)
	}
	test, err := cifar.LoadBatch("testdata/tiny/test_batch.bin")
	if err != nil {
		log.Fatal(err)
	}
	stats := cifar.Normalize(train.X, test.X)
	fmt.Printf("feature 1: mean %.4f, std %.4f\n", stats.Mean[1], stats.Std[1])
	col := func(s *cifar.Set, j int) (c []float64) {
		for i := range s.Len() {
			c = append(c, s.X.At(i, j))
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
