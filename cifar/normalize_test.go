package cifar

import (
	"math"
	"runtime"
	"slices"
	"testing"

	"twolayer/matrix"
)

// The tests of the float path's reference implementations
// (reference_test.go), on which the bitwise comparisons of the byte path
// rest: normalizeFloat, floatStats and applyFloat must be the statistics
// and normalisation of the report.

func TestNormalizeFloat(t *testing.T) {
	// columns: 1..4 (μ 2.5, σ² 1.25), constant 7 (σ 0), −2, 2, −2, 2 (μ 0, σ 2)
	train := denseOf(4, 3, []float64{
		1, 7, -2,
		2, 7, 2,
		3, 7, -2,
		4, 7, 2,
	})
	other := denseOf(2, 3, []float64{
		2.5, 8, 4,
		0, 7, 0,
	})
	stats := normalizeFloat(train, other)
	s := math.Sqrt(1.25)
	wantMean, wantStd := []float64{2.5, 7, 0}, []float64{s, 1, 2}
	for j := range 3 {
		if !(math.Abs(stats.Mean[j]-wantMean[j]) <= 1e-15) || !(math.Abs(stats.Std[j]-wantStd[j]) <= 1e-15) {
			t.Errorf("feature %d: mean %v std %v, want %v %v", j, stats.Mean[j], stats.Std[j], wantMean[j], wantStd[j])
		}
	}
	wantTrain := []float64{
		-1.5 / s, 0, -1,
		-0.5 / s, 0, 1,
		0.5 / s, 0, -1,
		1.5 / s, 0, 1,
	}
	wantOther := []float64{
		0, 1, 2, // the zero-std feature is shifted, not scaled
		-2.5 / s, 0, 0,
	}
	checkAll(t, "train", train, wantTrain)
	checkAll(t, "other", other, wantOther)

	// the normalised training set has mean 0 and std 1 (0 for the constant feature)
	again := floatStats(train)
	for j, want := range []float64{1, 1, 1} {
		if !(math.Abs(again.Mean[j]) <= 1e-15) || !(math.Abs(again.Std[j]-want) <= 1e-15) {
			t.Errorf("normalised feature %d: mean %v std %v", j, again.Mean[j], again.Std[j])
		}
	}

	// applyFloat on a later set gives what normalizeFloat gave
	later := denseOf(2, 3, []float64{2.5, 8, 4, 0, 7, 0})
	applyFloat(stats, later)
	if !sameMatrix(later, other) {
		t.Error("applyFloat differs from normalizeFloat on the same data")
	}
}

func checkAll(t *testing.T, name string, m *matrix.Dense, want []float64) {
	t.Helper()
	r, c := m.Dims()
	for i := range r {
		for j := range c {
			if got := m.At(i, j); !(math.Abs(got-want[i*c+j]) <= 1e-14) {
				t.Errorf("%s(%d, %d) = %v, want %v", name, i, j, got, want[i*c+j])
			}
		}
	}
}

// TestNormalizeFloatViews checks that normalizeFloat works on row views with a stride
// larger than their width and leaves the columns outside them alone.
func TestNormalizeFloatViews(t *testing.T) {
	big := denseOf(3, 3, []float64{1, 2, 100, 3, 4, 100, 5, 6, 100})
	view := big.Slice(0, 3, 0, 2)
	st := normalizeFloat(view)
	if st.Mean[0] != 3 || st.Mean[1] != 4 || big.At(1, 0) != 0 || big.At(1, 2) != 100 {
		t.Errorf("view normalised to %v, stats %+v", big, st)
	}
}

func TestNormalizeFloatDeterministic(t *testing.T) {
	x := matrix.New(37, 5)
	for i := range 37 {
		for j := range 5 {
			x.Set(i, j, math.Sin(float64(i*5+j))*1e3+float64(j))
		}
	}
	a, b := x.Clone(), x.Clone()
	sa, sb := normalizeFloat(a), normalizeFloat(b)
	if !sameMatrix(a, b) {
		t.Error("two runs of normalizeFloat on the same data differ")
	}
	for j := range sa.Mean {
		if sa.Mean[j] != sb.Mean[j] || sa.Std[j] != sb.Std[j] {
			t.Errorf("feature %d: statistics differ between runs", j)
		}
	}
}

func TestNormalizeFloatPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"empty training set", func() { normalizeFloat(matrix.New(0, 3)) }},
		{"other width", func() { normalizeFloat(matrix.New(2, 3), matrix.New(2, 4)) }},
		{"apply width", func() { applyFloat(Stats{Mean: []float64{0}, Std: []float64{1}}, matrix.New(1, 2)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.f()
		})
	}
}

// TestNormalizeFloatGOMAXPROCS checks that the statistics and the normalised
// data are bitwise identical whatever the number of goroutines.
func TestNormalizeFloatGOMAXPROCS(t *testing.T) {
	x := matrix.New(101, 67)
	for i := range x.Rows() {
		for j := range x.Cols() {
			x.Set(i, j, math.Cos(float64(3*i+7*j))*float64(j+1))
		}
	}
	var results []*matrix.Dense
	var stats []Stats
	for _, procs := range []int{1, 2, 3, 8} {
		old := runtime.GOMAXPROCS(procs)
		y := x.Clone()
		stats = append(stats, normalizeFloat(y))
		results = append(results, y)
		runtime.GOMAXPROCS(old)
	}
	for k := 1; k < len(results); k++ {
		if !sameMatrix(results[0], results[k]) || !slices.Equal(stats[0].Mean, stats[k].Mean) || !slices.Equal(stats[0].Std, stats[k].Std) {
			t.Errorf("run %d differs from the run at GOMAXPROCS 1", k)
		}
	}
}
