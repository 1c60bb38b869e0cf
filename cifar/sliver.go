package cifar

import "fmt"

// Sliver writes values j, j+1, …, j+kc−1 of the w images i0, …, i0+w−1,
// normalised as Image writes them, bit for bit, into dst transposed:
//
//	dst[p·w + r] = value j+p of image i0+r      (p < kc, r < w)
//
// That is the order in which a matrix product packs a sliver w wide of its
// second operand when the images are its rows (matrix.SliverReader): a
// product that reads the images through Sliver gets each block of them
// normalised straight into its packed buffer, in L1, instead of normalised
// into rows and then packed from there.
//
// It reports false, writing nothing, where this build has no kernel for it
// (it needs AVX-512, see sliver_amd64.go) or w is not a multiple of 8: the
// product then reads the images with Image and packs them itself. It panics
// unless the images and values exist and dst holds kc·w values.
func (m Images) Sliver(dst []float64, w, i0, j, kc int) bool {
	if sliverKernel == nil || w%8 != 0 {
		return false
	}
	if w < 0 || i0 < 0 || i0+w > m.Len() || j < 0 || kc < 0 || j+kc > ImageSize || len(dst) < kc*w {
		panic(fmt.Sprintf("cifar: Images.Sliver of %d images from %d, values %d..%d, into %d values; the set has %d images of %d values",
			w, i0, j, j+kc, len(dst), m.Len(), ImageSize))
	}
	if kc == 0 {
		return true
	}
	z := m.norm
	if z == nil {
		z = rawNormalizer()
	}
	pix := m.pix[i0*ImageSize : (i0+w)*ImageSize]
	mean, std, recip := z.mean[j:j+kc], z.std[j:j+kc], z.recip[j:j+kc]
	for g := 0; g < w; g += 8 {
		sliverKernel(dst[g:kc*w], w, pix[g*ImageSize:], j, kc, mean, std, recip)
	}
	// The features where the kernel's formula is not exact (none, for real
	// statistics), by the division, as apply does.
	for _, f := range z.inexact(j, j+kc) {
		for r := range w {
			dst[(f-j)*w+r] = pixelNorm(pix[r*ImageSize+f], z.mean[f], z.std[f])
		}
	}
	return true
}
