package dgemm

import (
	"fmt"
	"testing"
)

// TestPlan checks the invariants of plan that determinism and the edge
// handling rely on, and that the training step's big product uses two cores.
func TestPlan(t *testing.T) {
	for _, mk := range testKernels() {
		for _, sz := range [][3]int{{50, 100, 3072}, {50, 3072, 100}, {50, 10000, 3072}, {3072, 50, 10000}, {1024, 1024, 1024}, {10, 100, 50}, {7, 1, 100000}} {
			for _, tB := range []bool{false, true} {
				checkPlan(t, mk, tB, sz[0], sz[1], sz[2])
			}
		}
	}
}

// checkPlan checks the plans of one product for TestPlan.
func checkPlan(t *testing.T, mk microKernel, tB bool, m, n, k int) {
	t.Helper()
	p1 := plan(mk, false, tB, m, n, k, 1)
	for _, procs := range []int{1, 2, 4} {
		p := plan(mk, false, tB, m, n, k, procs)
		where := fmt.Sprintf("%s %dx%dx%d tB=%v procs=%d: %+v", mk.name, m, n, k, tB, procs, p)
		if p.kc != p1.kc || p.dot != p1.dot || p.directB != p1.directB {
			t.Errorf("%s: kc, dot or directB differ from one goroutine's %+v", where, p1)
		}
		mr, nr := mk.mr, mk.nr
		if p.dot {
			mr, nr = dotTile, dotTile
		}
		if p.tm%mr != 0 || p.tn%nr != 0 || p.mc%mr != 0 || p.nc%nr != 0 {
			t.Errorf("%s: tm, tn, mc, nc not multiples of the tile %d×%d", where, mr, nr)
		}
		if ceilDiv(m, p.tm) != p.gm || ceilDiv(n, p.tn) != p.gn {
			t.Errorf("%s: grid does not cover C exactly", where)
		}
		if p.procs > procs || p.procs > p.gm*p.gn {
			t.Errorf("%s: %d workers", where, p.procs)
		}
		if procs >= 2 && 2*m*n*k >= 1<<24 && p.procs < 2 {
			t.Errorf("%s: a product of %d flops runs on one goroutine", where, 2*m*n*k)
		}
	}
}
