//go:build !(linux || darwin || freebsd || dragonfly)

package experiments

import (
	"errors"
	"syscall"
)

// diskFree does not know the free space on this system: the check before
// a run then relies on its probe file alone.
func diskFree(dir string) (int64, bool) { return 0, false }

// isDiskFull reports whether err says that the disk is full, as far as
// this system's errors tell.
func isDiskFull(err error) bool { return errors.Is(err, syscall.ENOSPC) }
