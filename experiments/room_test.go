//go:build linux || darwin || freebsd || dragonfly

package experiments

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestNoRoom: All checks, before anything runs, that the disk has room for
// what it will write: with the longest schedule a run may have (2³¹ update
// steps) it would write a terabyte or two, and it stops at once, saying how
// much room there is and how much it needs. (The store's own test checks
// the message with a made-up free space; this one checks that All asks.)
// The memory such a schedule takes is checked first (TestMemoryCheck): here
// the machine has all the memory it needs.
func TestNoRoom(t *testing.T) {
	withMemory(t, machineMemory{bytes: math.MaxInt64})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := tinyOptions(t, writeFakeCIFAR(t))
	log := &cancelOnWrite{at: "==", cancel: cancel} // a section that starts would train for days
	o.Quiet, o.Log, o.Progress = false, log, io.Discard
	o.StepSize = 1 << 20
	o.Cycles = math.MaxInt32 / (2 << 20)
	need := allBytes(o.withDefaults())
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(o.OutDir), &st); err != nil {
		t.Skipf("statfs: %v", err)
	}
	if free := int64(st.Bavail) * int64(st.Bsize); free >= need {
		t.Skipf("the disk has room for %d bytes, more than the %d All would write", free, need)
	}
	_, err := All(ctx, o)
	checkOneLine(t, err, "free on the disk holding "+o.OutDir+", and the run writes about ", "free some space, or choose another -out")
	if strings.Contains(log.String(), "==") {
		t.Errorf("All started without room:\n%s", log.String())
	}
}
