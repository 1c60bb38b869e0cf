//go:build !plan9

package serve

import (
	"errors"
	"syscall"
)

// portInUse reports whether net.Listen failed because another program
// listens on the port.
func portInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }

// noSuchAddress reports whether net.Listen failed because the address is
// not one of this machine's.
func noSuchAddress(err error) bool { return errors.Is(err, syscall.EADDRNOTAVAIL) }
