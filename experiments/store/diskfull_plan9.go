package store

import "strings"

// isDiskFull reports whether err says that the disk is full; Plan 9's
// errors are strings.
func isDiskFull(err error) bool { return strings.Contains(err.Error(), "file system full") }
