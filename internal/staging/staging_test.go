package staging

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

// deadPID is the id of a process that has ended (and been reaped).
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestSweepRemovesOnlyStagingsOfEndedProcesses(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no process liveness here")
	}
	dir := t.TempDir()
	dead := strconv.Itoa(deadPID(t))
	live := strconv.Itoa(os.Getppid())
	for _, name := range []string{
		".a.parquet.tmp-" + dead + "-123",   // stale file: removed
		".a.parquet.tmp-" + dead + "-9.old", // stale moved-aside directory: removed
		".a.parquet.tmp-" + live + "-456",   // a live process's: kept
		".b.parquet.tmp-" + dead + "-789",   // another destination's: kept by Sweep("a.parquet")
		"a.parquet",                         // the destination itself: kept
		".a.parquet.tmp-notapid-1",          // not a staging of ours: kept
	} {
		if filepath.Ext(name) == ".old" {
			os.Mkdir(filepath.Join(dir, name), 0o755)
			os.WriteFile(filepath.Join(dir, name, "x"), nil, 0o644)
			continue
		}
		os.WriteFile(filepath.Join(dir, name), nil, 0o644)
	}
	stale, err := Stale(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) != 3 {
		t.Fatalf("Stale = %v, want the three of process %s", stale, dead)
	}
	if n := Sweep(dir, "a.parquet"); n != 2 {
		t.Fatalf("Sweep removed %d, want 2", n)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{".a.parquet.tmp-" + live + "-456", ".a.parquet.tmp-notapid-1", ".b.parquet.tmp-" + dead + "-789", "a.parquet"}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Fatalf("left %v, want %v", left, want)
	}
}

func TestStagedNamesCarryThisProcess(t *testing.T) {
	dir := t.TempDir()
	f, err := CreateTemp(dir, "x.parquet")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	d, err := MkdirTemp(dir, "out")
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(os.Getpid())
	for _, p := range []string{f.Name(), d} {
		base := filepath.Base(p)
		if want := "." + map[bool]string{true: "x.parquet", false: "out"}[p == f.Name()] + ".tmp-" + pid + "-"; len(base) <= len(want) || base[:len(want)] != want {
			t.Errorf("%s does not start with %s", base, want)
		}
	}
	if n := Sweep(dir, "x.parquet"); n != 0 {
		t.Fatalf("Sweep removed this process's own staging")
	}
}
