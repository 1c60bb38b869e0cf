package experiments

import (
	"context"
	"fmt"

	"twolayer/experiments/store"
)

// OneCycle reruns section 3.1(a), the assignment's figure 3: λ = 0.01,
// η from 1e-5 to 1e-1, n_s = 500, batches of 100, one cycle. It trains on
// Options.Split: "batch1" (the text's setup, written to OUT/one-cycle) or
// "all" (49,000 / 1,000, written to OUT/one-cycle-all). A run recorded
// there with the same inputs is kept (keptSection).
func OneCycle(ctx context.Context, o Options) (*store.Run, error) {
	return prepared(ctx, o, func(ctx context.Context, o Options) (*store.Run, error) {
		return trainChecked(ctx, o, oneCycleSetup(o))
	})
}

// ThreeCycles reruns section 3.1(b), the assignment's figure 4: as
// OneCycle but with n_s = 800 and three cycles.
func ThreeCycles(ctx context.Context, o Options) (*store.Run, error) {
	return prepared(ctx, o, func(ctx context.Context, o Options) (*store.Run, error) {
		return trainChecked(ctx, o, threeCyclesSetup(o))
	})
}

// trainChecked checks the setup s of a section (Setup.validate), then runs
// it (trainSection).
func trainChecked(ctx context.Context, o Options, s Setup) (*store.Run, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	if err := checkMemory(trainNeed(s, setupFlags(o, s))); err != nil {
		return nil, err
	}
	return trainSection(ctx, o, s)
}

// oneCycleSetup and threeCyclesSetup are the setups of section 3.1 on
// Options.Split.
func oneCycleSetup(o Options) Setup {
	return cycleSetup(o, "one-cycle", "3.1(a)", "One cycle", 500, 1)
}

func threeCyclesSetup(o Options) Setup {
	return cycleSetup(o, "three-cycles", "3.1(b)", "Three cycles", 800, 3)
}

// cycleSetup is the setup of the 3.1 runs. Its title names the step size
// n_s it really uses, and the cycles when -cycles overrides them.
func cycleSetup(o Options, name, section, title string, stepSize, cycles int) Setup {
	s := Setup{
		Name: name, Section: section, Split: o.Split, Hidden: o.Hidden, Init: o.Init,
		Config: reportConfig(o, 0.01, stepSize, cycles, 100),
	}
	detail := fmt.Sprintf("n_s = %d", s.Config.StepSize)
	switch c := s.Config.Cycles; {
	case c == cycles:
	case c == 1:
		detail += ", 1 cycle"
	default:
		detail += fmt.Sprintf(", %d cycles", c)
	}
	title += " (" + detail + ")"
	s.liveGroup = fmt.Sprintf("%s %s", section, title) // the live page shows both data setups together
	if o.Split == "all" {
		s.Name += "-all"
		s.NVal = pick(o.NVal, 1000)
		s.liveTitle = "all five batches"
	} else {
		s.liveTitle = "data_batch_1"
	}
	s.Title = fmt.Sprintf("%s %s, %s", section, title, s.liveTitle)
	return s
}
