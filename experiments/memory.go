package experiments

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// The memory this process may use, which a command's estimate is checked
// against before anything is allocated (memory_need.go).
//
// On Linux it is the smaller of two figures: MemAvailable of /proc/meminfo,
// the kernel's estimate of the memory that new work can have without
// swapping; and, where the process's memory cgroup (or one above it) has a
// limit, what the limit leaves: the limit minus the group's usage, not
// counting the page cache the kernel would reclaim first (inactive file
// pages). The cgroup is found as the kernel names it: its path in
// /proc/self/cgroup (the line "0::PATH" of cgroup v2, or the line of v1's
// memory controller), under the mount of its hierarchy in
// /proc/self/mountinfo; cgroup v2's files are memory.max ("max": no limit),
// memory.current and memory.stat's inactive_file, v1's
// memory.limit_in_bytes (about 2⁶³: no limit), memory.usage_in_bytes and
// memory.stat's total_inactive_file. Elsewhere the memory is unknown, and
// only an estimate larger than any process can address is refused.

// machineMemory is what a command's estimate is checked against: the bytes
// this process may still use, and where that figure comes from.
type machineMemory struct {
	bytes   int64
	cgroup  bool // the cgroup's limit, not MemAvailable, is the smaller
	unknown bool // the system does not say (not Linux, or no /proc)
}

// availableMemory returns the memory this process may use now; tests
// replace it.
var availableMemory = func() machineMemory {
	if runtime.GOOS != "linux" && runtime.GOOS != "android" {
		return machineMemory{unknown: true}
	}
	return memorySource{root: "/"}.available()
}

// memorySource reads the files of /proc and of the cgroup file systems
// under root: "/" on the machine, a directory of testdata/memory in tests.
type memorySource struct{ root string }

// file returns the path of the system file p (absolute) under s.root.
func (s memorySource) file(p string) string { return filepath.Join(s.root, filepath.FromSlash(p)) }

// available returns the smaller of MemAvailable and what the process's
// memory cgroups leave; unknown when neither can be read.
func (s memorySource) available() machineMemory {
	avail, ok := s.memAvailable()
	limit, limited := s.cgroupAvailable()
	switch {
	case limited && (!ok || limit < avail):
		return machineMemory{bytes: limit, cgroup: true}
	case ok:
		return machineMemory{bytes: avail}
	}
	return machineMemory{unknown: true}
}

// memAvailable returns MemAvailable of /proc/meminfo in bytes (the file
// gives kB).
func (s memorySource) memAvailable() (int64, bool) {
	f, err := os.Open(s.file("/proc/meminfo"))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, found := strings.Cut(sc.Text(), ":")
		if !found || name != "MemAvailable" {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, false
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || kb < 0 || kb > math.MaxInt64/1024 {
			return 0, false
		}
		return kb * 1024, true
	}
	return 0, false
}

// cgroupAvailable returns the least that any memory cgroup of this process,
// from its own up to the root of its hierarchy, leaves it (limit minus
// usage, inactive file pages not counted as used), and false when none has
// a limit or none can be read.
func (s memorySource) cgroupAvailable() (int64, bool) {
	best, found := int64(math.MaxInt64), false
	for _, g := range s.memoryCgroups() {
		for dir := g.dir; ; dir = path.Dir(dir) {
			if left, ok := s.cgroupLeft(dir, g.v2); ok {
				best, found = min(best, left), true
			}
			if dir == g.mount || dir == "/" {
				break
			}
		}
	}
	return best, found
}

// memoryCgroup is the directory of this process's memory cgroup, an
// absolute path on the machine, and the mount point of its hierarchy.
type memoryCgroup struct {
	dir, mount string
	v2         bool
}

// memoryCgroups returns this process's memory cgroups: that of cgroup v2
// and that of v1's memory controller, where each is mounted.
func (s memorySource) memoryCgroups() []memoryCgroup {
	data, err := os.ReadFile(s.file("/proc/self/cgroup"))
	if err != nil {
		return nil
	}
	var v2Path, v1Path string
	for _, line := range strings.Split(string(data), "\n") {
		// hierarchy-ID:controllers:path; v2's is "0::path"
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			v2Path = parts[2]
		case hasOption(parts[1], "memory"):
			v1Path = parts[2]
		}
	}
	mounts, err := os.ReadFile(s.file("/proc/self/mountinfo"))
	if err != nil {
		return nil
	}
	var groups []memoryCgroup
	for _, line := range strings.Split(string(mounts), "\n") {
		// ID parent major:minor root mount-point options [optional...] - type source super-options
		fields := strings.Fields(line)
		sep := -1
		for i, f := range fields {
			if f == "-" {
				sep = i
				break
			}
		}
		if sep < 5 || sep+3 >= len(fields) {
			continue
		}
		root, mount, fsType := unescapeMount(fields[3]), unescapeMount(fields[4]), fields[sep+1]
		var p string
		switch {
		case fsType == "cgroup2" && v2Path != "":
			p = v2Path
		case fsType == "cgroup" && v1Path != "" && hasOption(fields[sep+3], "memory"):
			p = v1Path
		default:
			continue
		}
		groups = append(groups, memoryCgroup{dir: s.cgroupDir(mount, root, p), mount: mount, v2: fsType == "cgroup2"})
	}
	return groups
}

// cgroupDir returns the directory of the cgroup path p (as
// /proc/self/cgroup gives it) in the hierarchy whose directory root is
// mounted at mount. Where the mount does not hold p (a container that sees
// the host's path but has its own group mounted), it is the mount itself.
func (s memorySource) cgroupDir(mount, root, p string) string {
	rel, ok := strings.CutPrefix(p, root)
	if root == "/" {
		rel, ok = p, true
	}
	if ok && (rel == "" || strings.HasPrefix(rel, "/")) {
		dir := path.Join(mount, rel)
		if fi, err := os.Stat(s.file(dir)); err == nil && fi.IsDir() {
			return dir
		}
	}
	return mount
}

// noLimitV1 is about the smallest "no limit" of cgroup v1's
// memory.limit_in_bytes: the kernel shows the largest page count in bytes,
// 2⁶³ − 4096 with pages of 4 kB, less with larger pages.
const noLimitV1 = 1 << 62

// cgroupLeft returns what the cgroup directory dir (on the machine) leaves
// this process: its limit minus its usage, the inactive file pages not
// counted as used; false when it has no limit or its files cannot be read.
func (s memorySource) cgroupLeft(dir string, v2 bool) (int64, bool) {
	limitFile, usageFile, inactive := "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"
	if v2 {
		limitFile, usageFile, inactive = "memory.max", "memory.current", "inactive_file"
	}
	limit, ok := readNumber(s.file(path.Join(dir, limitFile)))
	if !ok || limit >= noLimitV1 { // v2's "max" does not parse
		return 0, false
	}
	usage, ok := readNumber(s.file(path.Join(dir, usageFile)))
	if !ok {
		return 0, false
	}
	if stat, err := os.ReadFile(s.file(path.Join(dir, "memory.stat"))); err == nil {
		for _, line := range strings.Split(string(stat), "\n") {
			if name, value, found := strings.Cut(line, " "); found && name == inactive {
				if n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64); err == nil && n >= 0 && n <= usage {
					usage -= n
				}
			}
		}
	}
	return max(0, limit-usage), true
}

// readNumber returns the non-negative integer that the file at p holds.
func readNumber(p string) (int64, bool) {
	data, err := os.ReadFile(p)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	return n, err == nil && n >= 0
}

// hasOption reports whether the comma-separated list opts holds opt.
func hasOption(opts, opt string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == opt {
			return true
		}
	}
	return false
}

// unescapeMount undoes mountinfo's octal escapes of a path's spaces, tabs,
// newlines and backslashes (\040, \011, \012, \134).
func unescapeMount(p string) string {
	if !strings.Contains(p, `\`) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+3 < len(p) {
			if n, err := strconv.ParseUint(p[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// formatBytes writes a number of bytes with three significant digits in
// the decimal unit that fits: "184 MB", "21.3 GB", "98.3 TB" (trailing
// zeros dropped: "2 GB").
func formatBytes(b float64) string {
	units := []string{"bytes", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
	u := 0
	for b >= 999.5 && u < len(units)-1 {
		b /= 1000
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%.0f bytes", b)
	}
	return strconv.FormatFloat(b, 'g', 3, 64) + " " + units[u]
}
