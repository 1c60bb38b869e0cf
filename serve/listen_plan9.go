package serve

import "strings"

// portInUse reports whether net.Listen failed because another program
// listens on the port; Plan 9's errors are strings.
func portInUse(err error) bool { return strings.Contains(err.Error(), "address in use") }

// noSuchAddress reports whether net.Listen failed because the address is
// not one of this machine's; Plan 9 says so in no way of its own.
func noSuchAddress(err error) bool { return false }
