package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that notes a failure instead of stopping.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = format
	panic(r)
}
func (r *recorder) Fatal(args ...any) {
	r.failed = "fatal"
	panic(r)
}

// check runs Check and reports whether it failed.
func check(t *testing.T, path string, got []byte) (failed bool) {
	r := &recorder{TB: t}
	defer func() {
		if p := recover(); p != nil && p != any(r) {
			panic(p)
		}
		failed = r.failed != ""
	}()
	Check(r, path, got, "hint")
	return false
}

// TestCheck: the same bytes pass; other bytes, a shorter file and a missing
// file fail; -update writes the file, after which the bytes pass.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "g.txt")
	if err := os.WriteFile(p, []byte("abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		got  string
		fail bool
	}{
		{p, "abc\n", false},
		{p, "abd\n", true},
		{p, "abc", true},
		{filepath.Join(dir, "missing"), "abc\n", true},
	} {
		if got := check(t, c.path, []byte(c.got)); got != c.fail {
			t.Errorf("Check(%s, %q) failed=%v, want %v", filepath.Base(c.path), c.got, got, c.fail)
		}
	}
	*update = true
	defer func() { *update = false }()
	if check(t, filepath.Join(dir, "new"), []byte("x")) || !Updating() {
		t.Fatal("with -update the file is written and the check passes")
	}
	*update = false
	if check(t, filepath.Join(dir, "new"), []byte("x")) {
		t.Fatal("the file -update wrote does not hold the bytes")
	}
}
