package experiments

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"twolayer/cifar"
	"twolayer/experiments/store"
	"twolayer/network"
)

// The memory a command needs, estimated from its settings before it
// allocates anything (before the data is loaded and the weights are
// drawn), and checked against what this process may use (availableMemory):
// a command that would not fit stops at once with one line naming the
// setting to lower, rather than in the runtime's out-of-memory crash.
//
// The estimate adds up what is alive at once at the command's peak, its
// live bytes: the data (the CIFAR-10 images as bytes, one copy for the
// whole command), each run alive at that moment (network.TrainingMemoryOf:
// the weights, a batch with its activations and gradients, the evaluation's
// chunk, the history; times the runs side by side), and what the command
// keeps besides (the histories of finished runs, the ablation's snapshots
// of the weights, a model being saved, the evaluation of the test set, the
// files being written). A command that goes through stages (all, the
// ablation's rows) needs what its largest stage needs.
//
// The memory the process takes is more than its live bytes, because the Go
// runtime collects garbage only from time to time: with GOGC=100 (the
// default) a collection starts when the heap has grown to twice what was
// live after the last one, so the heap may reach twice the live bytes
// before garbage (a finished run's buffers, the evaluations' chunks, the
// files' text) is freed. So the estimate checked is gcFactor() = 1 +
// GOGC/100 times the live bytes, plus runtimeBytes for the program itself.
// Once the check passes, the command sets the runtime's soft memory limit
// to the live bytes and the program's own (boundHeap), so that the heap
// stays near what the command was estimated to keep rather than twice it;
// the check still allows for twice, since a soft limit may be passed.
// docs/performance.md, "Memory", has the peaks measured both ways.

// Sizes of the official CIFAR-10, which the estimates assume (a smaller
// copy only needs less): 50,000 training and 10,000 test images.
const (
	datasetImages = maxTrain + testImages
	testImages    = 10000
	// datasetBytes is cifar.LoadDataset's one copy of the images: 3,072
	// pixel bytes and a label each, 184.4 MB.
	datasetBytes = datasetImages * (cifar.ImageSize + 1)
	// testBatchBytes is what cifar.LoadBatch of the test batch takes: the
	// file read whole, then its pixel bytes and labels.
	testBatchBytes = 2 * testImages * (cifar.ImageSize + 1)
)

// What writing a run's files (runFiles, and a search unit's history.json)
// keeps alive per update step and per record of its history: the files'
// text (about 14 bytes a step in eta.svg and 12 in history.json; 150 bytes
// a record in curves.csv, 155 in history.json, some in the three other
// plots), the plots' x and y values, and the buffers as they grow.
// Measured (TestWriteBytes): with the garbage not yet collected, the heap
// grew by 120 bytes a step while the files of a run of 1,000,000 steps
// were made, and by 640 to 1,070 bytes a record for 200,000 records; these
// constants, times gcFactor, are above that.
const (
	writeStepBytes   = 96
	writeRecordBytes = 640
)

// runtimeBytes is the memory of the program itself, whatever it computes:
// its code, the runtime's structures and goroutine stacks (8 MB of
// resident memory for `verify`, which allocates almost nothing), and per
// core the matrix products' packing buffers (1.2 MB).
func runtimeBytes(cores int) float64 { return 32e6 + 2e6*float64(cores) }

// gcFactor returns how many times its live bytes the heap may grow to
// between two collections: 1 + GOGC/100 (2 for the default GOGC=100, and
// for GOGC=off, which no estimate can bound).
func gcFactor() float64 {
	if v, err := strconv.Atoi(os.Getenv("GOGC")); err == nil && v >= 0 {
		return 1 + float64(v)/100
	}
	return 2
}

// setting is a flag with the value a command uses, as the message of the
// check names it; set says that the flag was given (a section's own value
// is not).
type setting struct {
	flag  string
	value int
	set   bool
}

func (s setting) String() string { return fmt.Sprintf("%s %d", s.flag, s.value) }

// memoryPart is one thing a command keeps at its peak: what it is (a
// plural: "the weights"), its bytes, and the settings that size it (none
// for the data).
type memoryPart struct {
	what     string
	bytes    float64
	settings []setting
	perRun   bool // it is the sum over the runs side by side
	// subject and fix, when set, are what the message says needs the
	// memory and what to do, for a part that no number sizes (a file)
	subject, fix string
}

// memoryNeed is the estimate of a command at its peak: the parts alive at
// once. side is the number of runs side by side there (with its flag), and
// sideExtra the bytes of all those runs but the largest: the runs one at a
// time would need sideExtra less.
type memoryNeed struct {
	parts     []memoryPart
	side      setting
	sideExtra float64
}

// add adds bytes to the part what (created with the settings if new).
func (n *memoryNeed) add(what string, bytes float64, settings ...setting) {
	n.addPart(memoryPart{what: what, bytes: bytes, settings: settings})
}

// addPart adds p to the part of the same name, with the settings of both
// (the weights of the ablation's narrow rows have none, its wide rows'
// -hidden), or as a new part.
func (n *memoryNeed) addPart(p memoryPart) {
	if p.bytes <= 0 {
		return
	}
	for i := range n.parts {
		q := &n.parts[i]
		if q.what != p.what {
			continue
		}
		q.bytes += p.bytes
		q.perRun = q.perRun || p.perRun
		for _, s := range p.settings {
			if s.flag != "" && !slices.ContainsFunc(q.settings, func(t setting) bool { return t.flag == s.flag }) {
				q.settings = append(slices.Clip(q.settings), s)
			}
		}
		return
	}
	n.parts = append(n.parts, p)
}

// live returns the sum of the parts: the live bytes.
func (n memoryNeed) live() float64 {
	s := 0.0
	for _, p := range n.parts {
		s += p.bytes
	}
	return s
}

// alone returns the live bytes with the runs one at a time.
func (n memoryNeed) alone() float64 { return n.live() - n.sideExtra }

// plus returns n with every part of m added (and m's runs side by side).
func (n memoryNeed) plus(m memoryNeed) memoryNeed {
	out := memoryNeed{side: n.side, sideExtra: n.sideExtra + m.sideExtra}
	if m.side.value > out.side.value {
		out.side = m.side
	}
	for _, p := range append(append([]memoryPart(nil), n.parts...), m.parts...) {
		out.addPart(p)
	}
	return out
}

// together returns n with the k largest of runs (the jobs of inParallel,
// k = side.value at a time) added, side by side.
func (n memoryNeed) together(side setting, runs []memoryNeed) memoryNeed {
	largest := append([]memoryNeed(nil), runs...)
	slices.SortStableFunc(largest, func(a, b memoryNeed) int { return cmp.Compare(b.live(), a.live()) })
	largest = largest[:min(side.value, len(largest))]
	out := n
	if len(largest) > 1 {
		out.side = side
	}
	for i, r := range largest {
		r.parts = append([]memoryPart(nil), r.parts...)
		for j := range r.parts {
			r.parts[j].perRun = len(largest) > 1
		}
		out = out.plus(r)
		if i > 0 {
			out.sideExtra += r.live()
		}
	}
	return out
}

// peak returns, of the needs of a command's stages, the one with the most
// live bytes, with the runs one at a time needing what the largest stage
// would need then.
func peak(stages ...memoryNeed) memoryNeed {
	best, alone := stages[0], 0.0
	for _, s := range stages {
		if s.live() > best.live() {
			best = s
		}
		alone = max(alone, s.alone())
	}
	best.sideExtra = best.live() - alone
	return best
}

// dataNeed is the need of a command that holds the data set (loadSplit).
func dataNeed() memoryNeed {
	var n memoryNeed
	n.add("the CIFAR-10 images", datasetBytes)
	return n
}

// runFlags are the settings that size a training run, as the command
// takes them.
type runFlags struct {
	hidden, batch, ns, cycles, records setting
}

// setupFlags returns the settings of the run s of a section, whose
// overrides come from o: a flag counts as given when its override is.
func setupFlags(o Options, s Setup) runFlags {
	c := s.Config
	return runFlags{
		hidden:  setting{"-hidden", s.Hidden, o.Hidden != 50},
		batch:   setting{"-batch", c.BatchSize, o.BatchSize != 0},
		ns:      setting{"-ns", c.StepSize, o.StepSize != 0},
		cycles:  setting{"-cycles", c.Cycles, o.Cycles != 0},
		records: setting{"-records", c.RecordsPerCycle, o.RecordsPerCycle != 0},
	}
}

// trainFlags returns the settings of the run s of train, all given by its
// flags.
func trainFlags(s Setup) runFlags {
	f := setupFlags(Options{}, s)
	for _, p := range []*setting{&f.hidden, &f.batch, &f.ns, &f.cycles, &f.records} {
		p.set = true
	}
	return f
}

// resolved returns the configuration of the run s on the official data:
// with n_s = 2⌊n / n_batch⌋ when s takes it from the data, as train does,
// and the training and validation images of its split.
func (s Setup) resolved() (c network.Config, nTrain, nVal int) {
	nTrain, nVal = 10000, 10000 // data_batch_1, data_batch_2
	if s.Split == "all" {
		nTrain, nVal = maxTrain-s.NVal, s.NVal
	}
	c = s.Config
	if s.StepSizeFromData {
		c.StepSize = 2 * (nTrain / max(c.BatchSize, 1))
	}
	return c, nTrain, nVal
}

// trainingNeed returns the parts of one training run of a network of m
// hidden units with cfg on nTrain / nVal images (network.TrainingMemoryOf),
// and the writing of its files, sized by the settings f.
func trainingNeed(m, nTrain, nVal int, cfg network.Config, f runFlags) memoryNeed {
	t := network.TrainingMemoryOf(cifar.ImageSize, m, cifar.NumClasses, nTrain, nVal, cfg)
	var n memoryNeed
	n.add("the weights", t.Weights, f.hidden)
	n.add("a batch's images", t.Batch, f.batch)
	n.add("a batch's activations", t.Activations, f.hidden, f.batch)
	n.add("the shuffled indices", t.Permutation)
	n.add("the evaluations' buffers", t.Evaluation, f.hidden)
	return n.plus(historyNeed(cfg, f))
}

// historyNeed returns the history of a run with cfg (η at every step, the
// records), and what writing its files takes.
func historyNeed(cfg network.Config, f runFlags) memoryNeed {
	etas, records := network.HistoryBytes(cfg)
	steps := float64(cfg.Cycles) * 2 * float64(cfg.StepSize)
	var n memoryNeed
	n.add("the learning rates of every step", etas+writeStepBytes*steps, f.ns, f.cycles)
	n.add("the records of the metrics", records+writeRecordBytes*(steps/float64(cfg.RecordEvery())+1), f.records, f.ns, f.cycles)
	return n
}

// runNeed returns the parts of the training run s of train or a section:
// the training, its final evaluations, the model when it is saved, its
// files; sized by the settings f.
func runNeed(s Setup, f runFlags) memoryNeed {
	c, nTrain, nVal := s.resolved()
	n := trainingNeed(s.Hidden, nTrain, nVal, c, f)
	n.add("the evaluations' buffers", network.EvaluationBytes(cifar.ImageSize, s.Hidden, cifar.NumClasses, network.EvalChunk), f.hidden)
	if s.Save != "" {
		n.add("the weights", modelFileBytes(s.Hidden), f.hidden) // the model file's bytes
	}
	return n
}

// modelFileBytes is the size of a model file of a network with m hidden
// units (as modelBytes, in floating point for any m).
func modelFileBytes(m int) float64 {
	return network.WeightsBytes(cifar.ImageSize, m, cifar.NumClasses) + 8*2*cifar.ImageSize + 4<<10
}

// sideSetting returns the -side-by-side setting of n jobs that go side by
// side with coresPerRun cores each (see Options.sideBySide).
func (o Options) sideSetting(n, coresPerRun int) setting {
	return setting{"-side-by-side", o.sideBySide(n, coresPerRun), o.SideBySide != 0}
}

// trainNeed is the need of Train (f: train's flags) and of the sections
// of 3.1 (f: their overrides): the data and the run.
func trainNeed(s Setup, f runFlags) memoryNeed { return dataNeed().plus(runNeed(s, f)) }

// searchNeed is the need of a search of nλ runs of s, side by side as o
// says: the data, the runs alive at once, and the histories of those
// finished, which the search keeps until its end.
func searchNeed(o Options, s Setup, nλ int) memoryNeed {
	f := setupFlags(o, s)
	side := o.sideSetting(nλ, searchCoresPerRun)
	runs := make([]memoryNeed, nλ)
	for i := range runs {
		runs[i] = runNeed(s, f)
	}
	base := dataNeed()
	c, _, _ := s.resolved()
	for range nλ - side.value {
		base = base.plus(historyNeed(c, f))
	}
	return base.together(side, runs)
}

// finalNeed is the need of the final training s: the run, its saved model
// and the pictures' evaluation of the test set.
func finalNeed(o Options, s Setup) memoryNeed {
	f := setupFlags(o, s)
	n := trainNeed(s, f)
	n.add("the weights", modelFileBytes(s.Hidden), f.hidden)
	n.add("the evaluations' buffers", network.EvaluationBytes(cifar.ImageSize, s.Hidden, cifar.NumClasses, testImages), f.hidden)
	return n
}

// gradCheckNeed is the need of the gradient check: the data, and the
// weights of a full-size network with their copy (network.ReducedProblem
// clones them before it cuts W1 down).
func gradCheckNeed(o Options) memoryNeed {
	n := dataNeed()
	n.add("the weights", 2*network.WeightsBytes(cifar.ImageSize, o.Hidden, cifar.NumClasses), setting{"-hidden", o.Hidden, o.Hidden != 50})
	return n
}

// allNeed is the need of All: its largest stage (see allStages), each
// with the data and the histories of every section, which All keeps for
// the report; and the report, whose plots hold every η.
func allNeed(o Options) memoryNeed {
	cycles, search, final := allSetups(o)
	runs := append(cycles, search, search, final)
	kept, report := memoryNeed{}, memoryNeed{}
	for _, s := range runs {
		c, _, _ := s.resolved()
		f := setupFlags(o, s)
		kept = kept.plus(historyNeed(c, f))
		report.add("the report's plots of the learning rates", writeStepBytes*float64(c.Steps()), f.ns, f.cycles)
	}
	base := dataNeed().plus(kept)
	var seqs []memoryNeed // the two data setups of 3.1, one run at a time in each
	for i := 0; i+1 < len(cycles); i += 2 {
		seqs = append(seqs, peak(runNeed(cycles[i], setupFlags(o, cycles[i])), runNeed(cycles[i+1], setupFlags(o, cycles[i+1]))))
	}
	stages := []memoryNeed{
		kept.plus(gradCheckNeed(o)),
		base.together(o.sideSetting(len(seqs), setupCoresPerRun), seqs),
		kept.plus(searchNeed(o, search, coarseCount)),
		kept.plus(searchNeed(o, search, len(FineLambdas()))),
		kept.plus(finalNeed(o, final)),
		base.plus(report),
	}
	if o.WithBonus {
		stages = append(stages, kept.plus(bonusNeed(o)))
	}
	return peak(stages...)
}

// bonusNeed is the need of the ablation (see bonusPlan and bonus): the
// data and its largest row: every candidate of the row training at once
// (bonusTrain sets them all up before it trains), each with the weights at
// every cycle's end (any of them may win), the snapshots of the row above
// and of the best row so far, the histories of the rows above, the
// ensembles' evaluation; or its end, the best row's ensemble written as a
// file.
func bonusNeed(o Options) memoryNeed {
	nVal := pick(o.NVal, bonusNVal)
	nTrain := maxTrain - nVal
	start, steps := bonusPlan(o)
	flagsOf := func(s store.BonusSetting) runFlags {
		f := runFlags{
			batch:   setting{"-batch", s.BatchSize, o.BatchSize != 0},
			ns:      setting{"-ns", s.StepSize, o.StepSize != 0},
			cycles:  setting{"-cycles", s.Cycles, o.Cycles != 0},
			records: setting{"-records", 2, false},
		}
		if s.Hidden != start.Hidden { // the wide rows' m
			f.hidden = setting{"-hidden", s.Hidden, o.WideHidden != 0}
		}
		return f
	}
	snapshots := func(s store.BonusSetting) memoryNeed {
		var n memoryNeed
		f := flagsOf(s)
		n.add("the snapshots of the weights", float64(s.Cycles)*network.WeightsBytes(cifar.ImageSize, s.Hidden, cifar.NumClasses), f.hidden, f.cycles)
		return n
	}
	var rows []memoryNeed
	kept := dataNeed() // and the histories of the rows above
	var best, prev memoryNeed
	var prevSetting *store.BonusSetting
	setting := start
	for _, st := range steps {
		cands := st.candidates(setting)
		var settings []store.BonusSetting
		for _, c := range cands {
			if t := training(c); !containsSetting(settings, t) {
				settings = append(settings, t)
			}
		}
		row := kept.plus(best).plus(prev)
		if !(len(settings) == 1 && prevSetting != nil && *prevSetting == settings[0]) { // else the row above's run is reused
			for _, s := range settings {
				row = row.plus(trainingNeed(s.Hidden, nTrain, nVal, bonusConfig(s, o.Seed), flagsOf(s))).plus(snapshots(s))
			}
		}
		chosen := training(cands[0]) // as large as any other candidate's
		row.add("the evaluations' buffers", 2*network.EvaluationBytes(cifar.ImageSize, chosen.Hidden, cifar.NumClasses, network.EvalChunk), flagsOf(chosen).hidden)
		rows = append(rows, row)
		kept = kept.plus(historyNeed(bonusConfig(chosen, o.Seed), flagsOf(chosen)))
		prev = snapshots(chosen)
		if prev.live() > best.live() {
			best = prev
		}
		prevSetting, setting = &chosen, cands[0]
	}
	end := kept.plus(best).plus(best) // the ensemble, and its file
	end.add("the evaluations' buffers", network.EvaluationBytes(cifar.ImageSize, setting.Hidden, cifar.NumClasses, testImages), flagsOf(setting).hidden)
	return peak(append(rows, end)...)
}

// rangeNeed is the need of the range test s with nVal validation images:
// the data, and a training run without a history (the test keeps about
// rangePoints points), evaluating the first rangeEvalImages validation
// images.
func rangeNeed(s RangeSetup, nVal int) memoryNeed {
	cfg := network.Config{BatchSize: s.BatchSize, Shuffle: true, Augment: network.Augment{Flip: s.Flip}}
	t := network.TrainingMemoryOf(cifar.ImageSize, s.Hidden, cifar.NumClasses, maxTrain-nVal, min(nVal, rangeEvalImages), cfg)
	hidden, batch := setting{"-hidden", s.Hidden, true}, setting{"-batch", s.BatchSize, true}
	n := dataNeed()
	n.add("the weights", t.Weights, hidden)
	n.add("a batch's images", t.Batch, batch)
	n.add("a batch's activations", t.Activations, hidden, batch)
	n.add("the shuffled indices", t.Permutation)
	n.add("the evaluations' buffers", t.Evaluation, hidden)
	return n
}

// modelFilesNeed is the need of classifying n images with the models in
// the files paths (show, predict): each file read whole and decoded (twice
// its size), and the evaluation by the largest network a file of that
// size can hold. A file that cannot be read counts for nothing: loading it
// says what is wrong.
func modelFilesNeed(paths []string, n int) memoryNeed {
	var need memoryNeed
	largest := 0.0
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		need.addPart(memoryPart{what: "the model files' bytes and weights", bytes: 2 * float64(fi.Size()),
			subject: "-model " + strings.Join(paths, ","), fix: "give a smaller model"})
		largest = max(largest, float64(fi.Size()))
	}
	m := largest / (8 * float64(cifar.ImageSize+1+cifar.NumClasses)) // the most hidden units it can hold
	need.add("the evaluations' buffers", network.EvaluationBytes(cifar.ImageSize, int(min(m, math.MaxInt32)), cifar.NumClasses, n))
	return need
}

// addressSpace is the most memory a process can have where the system does
// not say what is available: 2⁴⁸ bytes (256 TB), the Go heap's limit on
// 64-bit systems, or 4 GB on 32-bit ones.
var addressSpace = math.Ldexp(1, min(48, strconv.IntSize))

// checkMemory returns a usage error when the need n of a command exceeds
// the memory this process may use (availableMemory), in one line that
// names the setting to lower: -side-by-side when the runs one at a time
// would fit, else the settings of the largest part (those given, if any).
func checkMemory(n memoryNeed) error {
	have := availableMemory()
	factor, fixed := gcFactor(), runtimeBytes(runtime.GOMAXPROCS(0))
	total := factor*n.live() + fixed
	limit, where := float64(have.bytes), "this machine has "+formatBytes(float64(have.bytes))+" available"
	switch {
	case have.unknown:
		limit, where = addressSpace, "more than a process can address ("+formatBytes(addressSpace)+")"
	case have.cgroup:
		where = "this process's memory limit leaves it " + formatBytes(float64(have.bytes))
	}
	if total <= limit {
		boundHeap(n.live() + fixed)
		return nil
	}
	var big memoryPart
	for _, p := range n.parts {
		if p.bytes > big.bytes {
			big = p
		}
	}
	var given, givenFlags, flags []string
	for _, s := range big.settings {
		if s.flag == "" {
			continue
		}
		flags = append(flags, s.flag)
		if s.set {
			given, givenFlags = append(given, s.String()), append(givenFlags, s.flag)
		}
	}
	subject, lower := "this run", "free some memory"
	if len(given) > 0 {
		subject, flags = strings.Join(given, " "), givenFlags // lower what was given
	}
	if len(flags) > 0 {
		lower = "lower " + strings.Join(flags, " or ")
	}
	if big.subject != "" {
		subject, lower = big.subject, big.fix
	}
	part := big.what + " alone are " + formatBytes(big.bytes)
	if big.perRun {
		part += fmt.Sprintf(", for %d runs side by side", n.side.value)
	}
	if alone := factor*n.alone() + fixed; n.side.value > 1 && alone <= limit {
		subject = n.side.String()
		if !n.side.set {
			subject = fmt.Sprintf("%d runs side by side", n.side.value)
		}
		lower = "lower -side-by-side (one run at a time needs about " + formatBytes(alone) + ")"
	}
	return Usagef("%s needs about %s of memory (%s); %s: %s", subject, formatBytes(total), part, where, lower)
}

// boundHeap sets the Go runtime's soft memory limit (debug.SetMemoryLimit)
// to bytes, the live bytes of a command's estimate and the program's own,
// unless the user set one with GOMEMLIMIT. Without it the heap grows to
// twice what was live after each collection (GOGC=100) before the next
// one, and this program's garbage comes in large pieces (a finished run's
// buffers, the snapshots of a row of the ablation), so it gets there.
// With it the collector runs as the heap nears what the command was
// estimated to keep, which is more than it really keeps (the estimate is an
// upper bound: every run alive at the peak, every snapshot), so collections
// stay rare; if a command kept more than its estimate, the runtime would
// let the heap pass the limit rather than collect without end (it gives the
// collector at most half the CPU). docs/performance.md, "Memory", has the
// peaks with and without it.
func boundHeap(bytes float64) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	debug.SetMemoryLimit(int64(min(bytes, math.MaxInt64/2)))
}

// showNeed is the need of Show: the model and the test batch, classified.
func showNeed(modelPath string) memoryNeed {
	n := modelFilesNeed([]string{modelPath}, testImages)
	n.add("the test images", testBatchBytes)
	return n
}

// CheckPredictMemory returns a usage error, before anything is loaded,
// when classifying n images with the model files models (predict's
// -model), from the batch file batchFile (-file; "" for image files),
// would not fit in the memory this process may use. An image file is
// decoded one at a time, and ReadImage bounds its size (MaxPixels).
func CheckPredictMemory(models []string, batchFile string, n int) error {
	need := modelFilesNeed(models, n)
	if fi, err := os.Stat(batchFile); err == nil && fi.Mode().IsRegular() {
		need.add("the batch file's images", 2*float64(fi.Size())) // read whole, then its images
	}
	return checkMemory(need)
}
