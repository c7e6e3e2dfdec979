package staging

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// prefix is the start of every staged name for the destination named base.
func prefix(base string) string { return "." + base + ".tmp-" }

// pattern is the os.CreateTemp/MkdirTemp pattern of this process's stagings.
func pattern(base string) string {
	return prefix(base) + strconv.Itoa(os.Getpid()) + "-*"
}

// CreateTemp creates a staged file in dir for the destination named base,
// after sweeping base's stale stagings there.
func CreateTemp(dir, base string) (*os.File, error) {
	Sweep(dir, base)
	return os.CreateTemp(dir, pattern(base))
}

// MkdirTemp creates a staged directory in parent for the destination named
// base, after sweeping base's stale stagings there.
func MkdirTemp(parent, base string) (string, error) {
	Sweep(parent, base)
	return os.MkdirTemp(parent, pattern(base))
}

// Sweep removes the stagings for base in dir (files or directories) whose
// process has ended, and returns how many it removed. Errors are ignored: a
// staging that cannot be removed is only clutter.
func Sweep(dir, base string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	p, removed := prefix(base), 0
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), p)
		if !ok {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || processRuns(pid) {
			continue
		}
		if os.RemoveAll(filepath.Join(dir, e.Name())) == nil {
			removed++
		}
	}
	return removed
}

// Stale lists the stagings for any destination in dir whose process has
// ended (what Sweep would remove), for tests and diagnostics.
func Stale(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("staging: %w", err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		i := strings.Index(name, ".tmp-")
		if !strings.HasPrefix(name, ".") || i < 0 {
			continue
		}
		pidText, _, _ := strings.Cut(name[i+len(".tmp-"):], "-")
		if pid, err := strconv.Atoi(pidText); err == nil && pid > 0 && !processRuns(pid) {
			out = append(out, name)
		}
	}
	return out, nil
}
