package store

import (
	"bufio"
	"os"
	"runtime"
	"strings"
)

// Machine describes the computer the experiments ran on.
type Machine struct {
	CPU        string `json:"cpu"`   // model name from /proc/cpuinfo, or GOARCH
	Cores      int    `json:"cores"` // runtime.NumCPU
	GOMAXPROCS int    `json:"gomaxprocs"`
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
}

// ThisMachine returns the description of the running computer.
func ThisMachine() Machine {
	return Machine{
		CPU:        cpuModel("/proc/cpuinfo"),
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS + "/" + runtime.GOARCH,
	}
}

// cpuModel returns the first "model name" of a /proc/cpuinfo file, or
// GOARCH when there is none (another OS, or an architecture that names it
// differently).
func cpuModel(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return runtime.GOARCH
}
