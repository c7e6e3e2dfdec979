package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// faultyDisk is the real file system with one fault injected: the op-th
// change (counting every call, and each staged file's first write) fails —
// a write with ENOSPC (the disk is full), anything else with EIO.
type faultyDisk struct {
	osDisk
	mu    sync.Mutex // the writer's steps run side by side
	op, n int
	fired string // which operation failed
}

func (d *faultyDisk) next(what string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n++
	if d.n != d.op {
		return nil
	}
	d.fired = what
	if strings.HasPrefix(what, "write") {
		return fmt.Errorf("%s: %w", what, syscall.ENOSPC)
	}
	return fmt.Errorf("%s: %w", what, syscall.EIO)
}

type faultyFile struct {
	*os.File
	d       *faultyDisk
	written bool
}

func (f *faultyFile) Write(p []byte) (int, error) {
	if !f.written {
		f.written = true
		if err := f.d.next("write " + filepath.Base(f.Name())); err != nil {
			return 0, err
		}
	}
	return f.File.Write(p)
}
func (f *faultyFile) Sync() error {
	if err := f.d.next("sync " + filepath.Base(f.Name())); err != nil {
		return err
	}
	return f.File.Sync()
}
func (f *faultyFile) Close() error {
	err := f.File.Close()
	if e := f.d.next("close " + filepath.Base(f.Name())); e != nil {
		return e
	}
	return err
}

func (d *faultyDisk) CreateTemp(dir, base string) (stagedFile, error) {
	if err := d.next("create " + base); err != nil {
		return nil, err
	}
	f, err := d.osDisk.CreateTemp(dir, base)
	if err != nil {
		return nil, err
	}
	return &faultyFile{File: f.(*os.File), d: d}, nil
}
func (d *faultyDisk) MkdirTemp(parent, base string) (string, error) {
	if err := d.next("mkdirtemp " + base); err != nil {
		return "", err
	}
	return d.osDisk.MkdirTemp(parent, base)
}
func (d *faultyDisk) MkdirAll(path string, perm os.FileMode) error {
	if err := d.next("mkdir " + filepath.Base(path)); err != nil {
		return err
	}
	return d.osDisk.MkdirAll(path, perm)
}
func (d *faultyDisk) Chmod(path string, mode os.FileMode) error {
	if err := d.next("chmod " + filepath.Base(path)); err != nil {
		return err
	}
	return d.osDisk.Chmod(path, mode)
}
func (d *faultyDisk) Rename(from, to string) error {
	if err := d.next("rename " + filepath.Base(to)); err != nil {
		return err
	}
	return d.osDisk.Rename(from, to)
}
func (d *faultyDisk) Exchange(a, b string) error {
	if err := d.next("exchange " + filepath.Base(b)); err != nil {
		return err
	}
	return d.osDisk.Exchange(a, b)
}

// TestFaultyDiskNeverLeavesAHalfWrittenDirectory fails each change the
// results writer makes to the disk in turn — every create, write (disk
// full), sync, close, chmod, mkdir, rename and exchange of writing a results
// directory over a previous one, and a fifth of them (with the commit's) of
// writing a new one — and checks that
// the writer reports the error, that the output is then the previous
// complete directory (or absent), and that no staging is left behind.
func TestFaultyDiskNeverLeavesAHalfWrittenDirectory(t *testing.T) {
	defer func() { fs = osDisk{} }()
	write := func(dir string) error {
		return CommitDir(dir, func(tmp string) error { return WriteDir(tmp, sampleContents()) })
	}
	parent := t.TempDir()
	ref := filepath.Join(parent, "ref")
	if err := write(ref); err != nil {
		t.Fatal(err)
	}
	want, err := CheckDir(ref)
	if err != nil {
		t.Fatal(err)
	}
	// How many changes a whole write makes.
	count := &faultyDisk{}
	fs = count
	if err := write(ref); err != nil {
		t.Fatal(err)
	}
	fs = osDisk{}
	t.Logf("writing a results directory makes %d changes to the disk", count.n)
	if count.n < 40 {
		t.Fatalf("a results directory took only %d changes to the disk", count.n)
	}
	fired := map[string]bool{}
	for _, over := range []bool{true, false} {
		for op := 1; op <= count.n; op++ {
			if !over && op%5 != 1 && op < count.n-5 {
				continue // into a new directory: every fifth change and the commit's
			}
			if testing.Short() && op%53 != 1 && op > 3 && op <= count.n-3 {
				continue // -short (the race detector's run): every 53rd change, the first and the last three
			}
			dir := filepath.Join(t.TempDir(), "out")
			if over {
				if err := os.CopyFS(dir, os.DirFS(ref)); err != nil {
					t.Fatal(err)
				}
			}
			d := &faultyDisk{op: op}
			fs = d
			err := write(dir)
			fs = osDisk{}
			if d.fired == "" {
				t.Fatalf("op %d of %d never ran", op, count.n)
			}
			fired[strings.Fields(d.fired)[0]] = true
			// A failed exchange is a system without one: the writer moves
			// the old directory aside instead, and succeeds.
			exchange := strings.HasPrefix(d.fired, "exchange")
			switch {
			case err == nil && !exchange:
				t.Fatalf("%s failed, yet the write reported success", d.fired)
			case err != nil && exchange:
				t.Fatalf("%s failed and the writer did not fall back to renames: %v", d.fired, err)
			case err != nil && !errors.Is(err, syscall.EIO) && !errors.Is(err, syscall.ENOSPC):
				t.Errorf("%s: the error lost its cause: %v", d.fired, err)
			}
			if over || exchange {
				m, err := CheckDir(dir)
				if err != nil {
					t.Fatalf("%s failed over a complete directory, which is now: %v", d.fired, err)
				}
				if diff := CompareFiles(want.Files, m.Files); len(diff) > 0 {
					t.Fatalf("%s: the directory is not the previous run: %v", d.fired, diff)
				}
			} else if _, err := os.Lstat(dir); !os.IsNotExist(err) {
				t.Fatalf("%s failed on a new directory, which exists anyway", d.fired)
			}
			entries, _ := os.ReadDir(filepath.Dir(dir))
			if len(entries) > map[bool]int{true: 1, false: 0}[over] {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Fatalf("%s: left behind %v", d.fired, names)
			}
		}
	}
	for _, k := range []string{"create", "write", "sync", "close", "chmod", "mkdir", "mkdirtemp", "rename", "exchange"} {
		if !fired[k] && !testing.Short() {
			t.Errorf("no %s failed: the test does not reach it", k)
		}
	}
	t.Logf("%d changes to the disk, each failed in turn over a previous run (and a fifth of them into a new directory)", count.n)
}
