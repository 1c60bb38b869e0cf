package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"twolayer/cifar"
	"twolayer/experiments/store"
	"twolayer/network"
)

// withMemory makes m the memory this process may use until the test ends.
func withMemory(t *testing.T, m machineMemory) {
	t.Helper()
	saved := availableMemory
	availableMemory = func() machineMemory { return m }
	t.Cleanup(func() { availableMemory = saved })
}

// TestAvailableMemory reads the memory of made-up machines in
// testdata/memory: /proc/meminfo's MemAvailable (8,000,000 kB in each),
// and cgroup v2 and v1 limits, usage and inactive file pages, on the
// process's own group and on those above it.
func TestAvailableMemory(t *testing.T) {
	const memAvailable = 8_000_000 * 1024
	for _, c := range []struct {
		dir  string
		want machineMemory
	}{
		{"absent", machineMemory{bytes: memAvailable}},                                          // no cgroup files
		{"v2-max", machineMemory{bytes: memAvailable}},                                          // memory.max "max", here and above
		{"v2-limit", machineMemory{bytes: 2147483648 - (1073741824 - 268435456), cgroup: true}}, // limit − (usage − inactive files)
		{"v2-parent", machineMemory{bytes: 1000000000 - 600000000, cgroup: true}},               // the parent's limit
		{"v2-container", machineMemory{bytes: 536870912 - 36870912, cgroup: true}},              // "0::/", the group mounted at the root
		{"v2-loose", machineMemory{bytes: memAvailable}},                                        // a limit above MemAvailable
		{"v1-limit", machineMemory{bytes: 536870912 - (402653184 - 134217728), cgroup: true}},   // v1, total_inactive_file; its parent unlimited
		{"v1-unlimited", machineMemory{bytes: memAvailable}},                                    // v1's "no limit", about 2⁶³ (this machine's layout)
		{"v1-mountroot", machineMemory{bytes: 1000000000 - 250000000, cgroup: true}},            // the mount's root is the group's path
		{"no-meminfo", machineMemory{bytes: 300000000 - 100000000, cgroup: true}},               // the cgroup alone
		{"nothing", machineMemory{unknown: true}},
	} {
		if got := (memorySource{root: filepath.Join("testdata", "memory", c.dir)}).available(); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.dir, got, c.want)
		}
	}
	if runtime.GOOS == "linux" {
		if m := availableMemory(); m.unknown || m.bytes <= 0 {
			t.Errorf("this Linux machine: %+v, want a positive number of bytes", m)
		}
	}
	if got := unescapeMount(`/sys/fs/cgroup/my\040memory\134x`); got != `/sys/fs/cgroup/my memory\x` {
		t.Errorf("unescapeMount: %q", got)
	}
}

func TestFormatBytes(t *testing.T) {
	for _, c := range []struct {
		b    float64
		want string
	}{{0, "0 bytes"}, {999, "999 bytes"}, {1000, "1 kB"}, {184_380_000, "184 MB"}, {21.34e9, "21.3 GB"}, {49.16e12, "49.2 TB"}, {999.7e6, "1 GB"}, {3e21, "3 ZB"}} {
		if got := formatBytes(c.b); got != c.want {
			t.Errorf("formatBytes(%g) = %q, want %q", c.b, got, c.want)
		}
	}
}

// estimate returns what checkMemory compares with the memory available:
// the live bytes of n times gcFactor, and the program's own.
func estimate(n memoryNeed) float64 {
	return gcFactor()*n.live() + runtimeBytes(runtime.GOMAXPROCS(0))
}

// noData returns Options whose data cannot be found: a command that gets
// past its checks fails on it, without loading anything.
func noData(t *testing.T) Options {
	return Options{DataDir: filepath.Join(t.TempDir(), "none"), OutDir: filepath.Join(t.TempDir(), "out"), Offline: true, Quiet: true, Seed: 1}
}

// isMemoryError reports whether err is the memory check's usage error.
func isMemoryError(err error) bool {
	return errors.Is(err, ErrUsage) && strings.Contains(err.Error(), "of memory")
}

// TestMemoryCheckedFirst: every exported function that runs checks its
// memory before it looks for the data: on a machine with 1 MB available
// each stops with the memory check's usage error, in one line.
func TestMemoryCheckedFirst(t *testing.T) {
	withMemory(t, machineMemory{bytes: 1 << 20})
	model := filepath.Join(t.TempDir(), "model.bin")
	m := &network.Model{Params: network.InitializeWeights(cifar.ImageSize, 5, cifar.NumClasses, network.InitSmall, 1)}
	if err := store.SaveModel(model, m); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	o := noData(t)
	free := Setup{Name: "free", Split: "batch1", Hidden: 50, Config: reportConfig(o, 0.01, 500, 1, 100)}
	for name, run := range map[string]func() error{
		"GradCheck":   func() error { _, err := GradCheck(ctx, o); return err },
		"OneCycle":    func() error { _, err := OneCycle(ctx, o); return err },
		"ThreeCycles": func() error { _, err := ThreeCycles(ctx, o); return err },
		"Coarse":      func() error { _, err := Coarse(ctx, o); return err },
		"Fine":        func() error { _, err := Fine(ctx, o); return err },
		"Final":       func() error { _, err := Final(ctx, o); return err },
		"All":         func() error { _, err := All(ctx, o); return err },
		"Bonus":       func() error { _, err := Bonus(ctx, o); return err },
		"LRRange":     func() error { _, err := LRRange(ctx, o, DefaultRangeSetup()); return err },
		"Train":       func() error { _, err := Train(ctx, o, free); return err },
		"Show":        func() error { _, err := Show(ctx, o, model); return err },
		"predict":     func() error { return CheckPredictMemory([]string{model}, "", 3) },
	} {
		err := run()
		if !isMemoryError(err) {
			t.Errorf("%s: %v, want the memory check's usage error", name, err)
			continue
		}
		checkOneLine(t, err, "needs about ", "; this machine has 1.05 MB available: ")
	}
	if _, err := os.Stat(o.OutDir); err == nil {
		t.Errorf("%s was created: a command ran past its memory check", o.OutDir)
	}
}

// TestMemoryCheckCounts: the check counts what a run needs: the data
// (one copy for the whole command), every run side by side, the weights'
// snapshots of the ablation, the history of every step; and names what to
// lower. Each case sets the memory available between what the command
// needs with and without one of them, so that forgetting it lets the
// command through.
func TestMemoryCheckCounts(t *testing.T) {
	ctx := context.Background()
	t.Run("data", func(t *testing.T) {
		o := noData(t)
		s := Setup{Name: "free", Split: "batch1", Hidden: 1, Config: reportConfig(o, 0.01, 10, 1, 1)}
		run := trainNeed(s, trainFlags(s))
		if d := float64(datasetBytes); run.live() < d || run.live() > d+60e6 {
			t.Fatalf("a run of one hidden unit and batches of one image: %.0f live bytes, want the data's %.0f and at most 60 MB more (the evaluations' chunks of 1,000 images)", run.live(), d)
		}
		withMemory(t, machineMemory{bytes: int64(gcFactor()*datasetBytes + runtimeBytes(runtime.GOMAXPROCS(0)))})
		_, err := Train(ctx, o, s)
		if !isMemoryError(err) {
			t.Fatalf("with memory for the data alone: %v, want the memory check's error", err)
		}
		checkOneLine(t, err, "this run needs about", "the CIFAR-10 images alone are 184 MB", ": free some memory")
	})
	t.Run("side by side", func(t *testing.T) {
		o := noData(t)
		o.Hidden, o.BatchSize = 4000, 1000 // 98 MB of weights and 25 MB of images a run
		one, two, eight := o, o, o
		one.SideBySide, two.SideBySide, eight.SideBySide = 1, 2, 8
		n1, n2 := searchNeed(one.withDefaults(), coarse.setup(one.withDefaults()), coarseCount), searchNeed(two.withDefaults(), coarse.setup(two.withDefaults()), coarseCount)
		n8 := searchNeed(eight.withDefaults(), coarse.setup(eight.withDefaults()), coarseCount)
		if !(n2.live() > n1.live()+200e6 && n8.live() > n1.live()+7*200e6) {
			t.Fatalf("live bytes %.4g one at a time, %.4g two, %.4g eight: want each run's 200 MB more", n1.live(), n2.live(), n8.live())
		}
		withMemory(t, machineMemory{bytes: int64((estimate(n1) + estimate(n2)) / 2)})
		if _, err := Coarse(ctx, one); isMemoryError(err) {
			t.Errorf("one run at a time: %v, want it past the memory check", err)
		}
		_, err := Coarse(ctx, two)
		if !isMemoryError(err) {
			t.Fatalf("two runs side by side: %v, want the memory check's error", err)
		}
		checkOneLine(t, err, "-side-by-side 2 needs about", "for 2 runs side by side", "lower -side-by-side (one run at a time needs about "+formatBytes(estimate(n1))+")")
		// All's searches go side by side too
		a1, a2 := allNeed(one.withDefaults()), allNeed(two.withDefaults())
		withMemory(t, machineMemory{bytes: int64((estimate(a1) + estimate(a2)) / 2)})
		if _, err := All(ctx, two); !isMemoryError(err) {
			t.Errorf("All with two λ runs side by side: %v, want the memory check's error", err)
		}
		if _, err := All(ctx, one); isMemoryError(err) {
			t.Errorf("All one run at a time: %v, want it past the memory check", err)
		}
	})
	t.Run("snapshots", func(t *testing.T) {
		o := noData(t)
		o.WideHidden = 20000 // weights of 493 MB
		n := bonusNeed(o.withDefaults())
		w := network.WeightsBytes(cifar.ImageSize, 20000, cifar.NumClasses)
		var snapshots float64
		for _, p := range n.parts {
			if p.what == "the snapshots of the weights" {
				snapshots = p.bytes
			}
		}
		// the dropout row trains two wide candidates of 3 cycles: the
		// winner's 3 cycle ends and the other's first are kept, and the row
		// above's 3 (flips) and the best row's (the widening: 3)
		if snapshots < 10*w {
			t.Errorf("the ablation's snapshots: %.4g bytes, want at least 10 networks of %.4g", snapshots, w)
		}
		withMemory(t, machineMemory{bytes: int64(estimate(n) - gcFactor()*snapshots/2)})
		_, err := Bonus(ctx, o)
		if !isMemoryError(err) {
			t.Fatalf("without room for half the snapshots: %v, want the memory check's error", err)
		}
		checkOneLine(t, err, "-hidden 20000 needs about", "lower -hidden")
	})
	t.Run("history", func(t *testing.T) {
		withMemory(t, machineMemory{bytes: 16e9})
		o := noData(t)
		o.StepSize = 10_000_000 // 3.1(b): 60,000,000 steps, 480 MB of η and 5.8 GB for their plot
		if _, err := ThreeCycles(ctx, o); isMemoryError(err) {
			t.Errorf("n_s = 10,000,000: %v, want it past the memory check", err)
		}
		o.StepSize = 300_000_000 // 1.8e9 steps: 14.4 GB of η, and their plot
		_, err := ThreeCycles(ctx, o)
		checkOneLine(t, err, "-ns 300000000 needs about", "the learning rates of every step alone are "+formatBytes(1.8e9*(8+writeStepBytes)), "lower -ns")
		s := Setup{Name: "free", Split: "batch1", Hidden: 50, Config: reportConfig(Options{}, 0.01, 10_000_000, 1, 100)}
		s.Config.RecordsPerCycle = 2_000_000_000 // a record at each of 20,000,000 steps: 14 GB with their files
		_, err = Train(ctx, o, s)
		checkOneLine(t, err, "-records 2000000000 -ns 10000000 -cycles 1 needs about", "the records of the metrics alone are 14.1 GB", "lower -records or -ns or -cycles")
	})
	t.Run("unknown", func(t *testing.T) {
		withMemory(t, machineMemory{unknown: true})
		o := noData(t)
		s := Setup{Name: "free", Split: "batch1", Hidden: 20_000_000_000, Config: reportConfig(o, 0.01, 500, 1, 100)}
		_, err := Train(ctx, o, s)
		checkOneLine(t, err, "-hidden 20000000000 needs about", "the weights alone are 493 TB", "more than a process can address (281 TB): lower -hidden")
		s.Hidden = 2_000_000 // 49 GB of weights: the system would have to say whether it has them
		if _, err := Train(ctx, o, s); isMemoryError(err) {
			t.Errorf("m = 2,000,000 where the memory is unknown: %v, want it past the memory check", err)
		}
	})
	t.Run("cgroup", func(t *testing.T) {
		withMemory(t, machineMemory{bytes: 100 << 20, cgroup: true})
		_, err := GradCheck(ctx, noData(t))
		checkOneLine(t, err, "this process's memory limit leaves it 105 MB: free some memory")
	})
}

// TestWriteBytes: what making a run's files adds to the heap, per update
// step and per record of its history, is within what the estimate allows
// for it (writeStepBytes and writeRecordBytes, times gcFactor), and not
// far below it.
func TestWriteBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("makes the files of runs of 1,000,000 steps and 200,000 records")
	}
	for _, c := range []struct {
		steps, records int
		each           float64
		what           string
	}{{1_000_000, 20, writeStepBytes, "step"}, {20, 200_000, writeRecordBytes, "record"}} {
		h := &network.History{Eta: make([]float64, c.steps)}
		for i := range h.Eta {
			h.Eta[i] = 1e-5 + float64(i%1000)*1e-4
		}
		for i := range c.records {
			m := network.Metrics{Cost: 1.23456789, Loss: 1.1234567, Accuracy: 0.45678}
			h.Records = append(h.Records, network.Record{Step: 3 * i, Eta: 0.0123456, Train: m, Val: m})
		}
		grew := heapGrowth(func() {
			files := runFiles("title", h)
			hist, err := json.Marshal(h)
			if err != nil {
				t.Fatal(err)
			}
			runtime.KeepAlive(files)
			runtime.KeepAlive(hist)
		})
		n := float64(c.steps)
		if c.what == "record" {
			n = float64(c.records)
		}
		t.Logf("the heap grew by %.0f bytes a %s; the estimate allows %.0f", grew/n, c.what, gcFactor()*c.each)
		if grew/n > gcFactor()*c.each || grew/n < c.each/2 {
			t.Errorf("the heap grew by %.0f bytes a %s, want it between %.0f and %.0f", grew/n, c.what, c.each/2, gcFactor()*c.each)
		}
	}
}

// heapGrowth runs f and returns by how much the heap (runtime.MemStats'
// HeapAlloc, the garbage not yet collected included) grew above where it
// was, at its highest, sampled every 100 µs.
func heapGrowth(f func()) float64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	base, top := m.HeapAlloc, m.HeapAlloc
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var s runtime.MemStats
		for {
			runtime.ReadMemStats(&s)
			top = max(top, s.HeapAlloc)
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	return float64(top - base)
}

// TestMemoryEstimateRealData runs sections on the real CIFAR-10 files and
// compares what the heap reached with the estimate: near or above the
// live bytes counted (the estimate counts nothing that is not there), and
// below gcFactor times them (the heap never grows beyond what the check
// allows). 3.1(a) on all five batches, and the coarse search two λ at a
// time.
func TestMemoryEstimateRealData(t *testing.T) {
	dir := os.Getenv(cifar.EnvVar)
	if dir == "" {
		t.Skip("CIFAR10_DIR is not set: skipping the measurement on the real CIFAR-10 files")
	}
	if testing.Short() {
		t.Skip("trains on the real data for about 20 s; skipped in -short")
	}
	// the heap as the collector grows it by itself (GOGC), without the
	// limit the commands set (boundHeap)
	t.Setenv("GOMEMLIMIT", "off")
	saved := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetMemoryLimit(saved) })
	ctx := context.Background()
	o := Options{DataDir: dir, OutDir: t.TempDir(), Seed: 1, Quiet: true, Offline: true, Split: "all", StepSize: 20, RecordsPerCycle: 1}
	coarseOptions := o
	coarseOptions.SideBySide, coarseOptions.Cycles = 2, 1
	for _, c := range []struct {
		name string
		need memoryNeed
		run  func() error
	}{
		{"one-cycle -split all", trainNeed(oneCycleSetup(o.withDefaults()), setupFlags(o.withDefaults(), oneCycleSetup(o.withDefaults()))),
			func() error { _, err := OneCycle(ctx, o); return err }},
		{"coarse, two λ side by side", searchNeed(coarseOptions.withDefaults(), coarse.setup(coarseOptions.withDefaults()), coarseCount),
			func() error { _, err := Coarse(ctx, coarseOptions); return err }},
	} {
		var err error
		grew := heapGrowth(func() { err = c.run() })
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		live := c.need.live()
		t.Logf("%s: the heap grew by %s; live bytes estimated %s, times gcFactor %s", c.name, formatBytes(grew), formatBytes(live), formatBytes(gcFactor()*live))
		if grew < 0.8*live || grew > gcFactor()*live {
			t.Errorf("%s: the heap grew by %s, want it between the live bytes estimated (%s, less 20%%) and %.3g times them", c.name, formatBytes(grew), formatBytes(live), gcFactor())
		}
	}
}

// TestCheckMemoryBoundsHeap: a command whose need fits sets the runtime's
// soft memory limit to its live bytes and the program's own; one that does
// not fit, or a user's GOMEMLIMIT, leaves the limit as it was.
func TestCheckMemoryBoundsHeap(t *testing.T) {
	saved := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(saved) })
	o := Options{}.withDefaults()
	need := trainNeed(oneCycleSetup(o), setupFlags(o, oneCycleSetup(o)))
	want := int64(need.live() + runtimeBytes(runtime.GOMAXPROCS(0)))

	withMemory(t, machineMemory{bytes: 1 << 20})
	debug.SetMemoryLimit(math.MaxInt64)
	if err := checkMemory(need); err == nil {
		t.Fatal("the need fits in 1 MiB")
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("a need that does not fit set the memory limit to %d", got)
	}

	withMemory(t, machineMemory{bytes: 1 << 40})
	if err := checkMemory(need); err != nil {
		t.Fatal(err)
	}
	if got := debug.SetMemoryLimit(-1); got != want {
		t.Errorf("memory limit %d after the check, want the live bytes and the program's own, %d", got, want)
	}

	t.Setenv("GOMEMLIMIT", "off")
	debug.SetMemoryLimit(math.MaxInt64)
	if err := checkMemory(need); err != nil {
		t.Fatal(err)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set, the check set the memory limit to %d", got)
	}
}

// TestAbsurdSizesNeverAllocate: settings that would need more memory than
// any machine has end in the memory check's usage error before anything
// is allocated (the weights of 2,000,000,000 hidden units would take 49
// TB), whatever the command; and no estimate overflows.
func TestAbsurdSizesNeverAllocate(t *testing.T) {
	withMemory(t, machineMemory{bytes: 64e9})
	ctx := context.Background()
	o := noData(t)
	huge := o
	huge.Hidden = math.MaxInt
	for name, run := range map[string]func() error{
		"All -hidden MaxInt":    func() error { _, err := All(ctx, huge); return err },
		"Final -hidden MaxInt":  func() error { _, err := Final(ctx, huge); return err },
		"GradCheck -hidden 2e9": func() error { o := o; o.Hidden = 2e9; _, err := GradCheck(ctx, o); return err },
		"Bonus -hidden 2e9":     func() error { o := o; o.WideHidden = 2e9; _, err := Bonus(ctx, o); return err },
		"Bonus -batch 2e9":      func() error { o := o; o.BatchSize = 2e9; _, err := Bonus(ctx, o); return err },
		"Fine -batch 1e9":       func() error { o := o; o.BatchSize = 1e9; _, err := Fine(ctx, o); return err },
		"LRRange -hidden 2e9":   func() error { _, err := LRRange(ctx, o, RangeSetup{Hidden: 2e9}); return err },
		"LRRange -batch 1e9":    func() error { _, err := LRRange(ctx, o, RangeSetup{BatchSize: 1e9}); return err },
		"OneCycle -cycles 2e6":  func() error { o := o; o.Cycles = 2e6; _, err := OneCycle(ctx, o); return err },
		"Train -hidden MaxInt64": func() error {
			_, err := Train(ctx, o, Setup{Name: "x", Split: "batch1", Hidden: math.MaxInt64, Config: reportConfig(o, 0.01, 500, 1, 100)})
			return err
		},
	} {
		if err := run(); !isMemoryError(err) {
			t.Errorf("%s: %v, want the memory check's usage error", name, err)
		}
	}
}

// TestDefaultEstimates logs the estimate of every command with its own
// settings (docs/performance.md, "Memory", compares them with the peak
// resident memory measured) and checks that each has under 750 MB live,
// 1.5 GB with the collector's headroom: the commands run on small
// machines.
func TestDefaultEstimates(t *testing.T) {
	o := Options{}.withDefaults()
	quick := o
	quick.Quick = true
	free := Setup{Name: "train", Split: "batch1", Hidden: 50, Config: reportConfig(o, 0.01, 500, 1, 100)}
	for _, c := range []struct {
		name string
		need memoryNeed
	}{
		{"gradcheck", gradCheckNeed(o)},
		{"one-cycle", trainNeed(oneCycleSetup(o), setupFlags(o, oneCycleSetup(o)))},
		{"train", trainNeed(free, trainFlags(free))},
		{"coarse", searchNeed(o, coarse.setup(o), coarseCount)},
		{"final", finalNeed(o, finalSetup(o, 0))},
		{"all", allNeed(o)},
		{"bonus", bonusNeed(o)},
		{"bonus -quick", bonusNeed(quick)},
		{"lr-range", rangeNeed(DefaultRangeSetup(), bonusNVal)},
	} {
		t.Logf("%-12s live %s, estimate %s (GOMAXPROCS %d)", c.name, formatBytes(c.need.live()), formatBytes(estimate(c.need)), runtime.GOMAXPROCS(0))
		if live := c.need.live(); live > 750e6 {
			t.Errorf("%s: %s live, want under 750 MB", c.name, formatBytes(live))
		}
	}
}
