package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary builds tapetest once per test process and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tapetest-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "tapetest")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return builtBin
}

// droppedAddMessages writes the LOBSTER fixture's message file with one add
// turned into a cross print: the book file no longer matches (verify exits 1).
func droppedAddMessages(t *testing.T) (msgs, book string) {
	t.Helper()
	const fix = "../../replay/lobster/testdata/SYN_2012-06-21_34200000_57600000_"
	raw, err := os.ReadFile(fix + "message_3.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	for i := 100; i < len(lines); i++ {
		if f := strings.Split(lines[i], ","); f[1] == "1" {
			lines[i] = strings.Join([]string{f[0], "6", "0", "1", f[4], "1"}, ",")
			break
		}
	}
	msgs = filepath.Join(t.TempDir(), "dropped.csv")
	if err := os.WriteFile(msgs, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return msgs, fix + "orderbook_3.csv"
}

// TestBinaryExitCodes runs the built binary for every documented exit code:
// 0 ok, 1 a check failed, 2 usage or input error, 3 a detector failed, 4 an
// I/O error, 130 interrupted (SIGINT and SIGTERM), and checks the message a
// user reads on stderr.
func TestBinaryExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := binary(t)
	const fix = "../../replay/lobster/testdata/SYN_2012-06-21_34200000_57600000_"
	dropped, book := droppedAddMessages(t)
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	ext := extwash(t)
	spec := shortSpecFile(t)
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string // a substring of stderr
	}{
		{"ok", []string{"detectors", "list", "--format", "json"}, exitOK, ""},
		{"check failed", []string{"verify", "lobster", "--messages", dropped, "--book", book}, exitCheckFailed, "unexplained=1"},
		{"mistyped command", []string{"rn"}, exitUsage, `unknown command "rn" (did you mean "run"?)`},
		{"mistyped sub-command", []string{"verify", "lobstr"}, exitUsage, `unknown command "lobstr" (did you mean "lobster"?)`},
		{"mistyped flag", []string{"run", "--ouput", "x"}, exitUsage, "did you mean --out?"},
		{"unknown flag", []string{"run", "--frobnicate"}, exitUsage, "flag provided but not defined"},
		{"bad flag value", []string{"run", "--format", "xml"}, exitUsage, `--format "xml"`},
		{"malformed input", []string{"import", "-f", "lobster", "-o", filepath.Join(t.TempDir(), "x.parquet"), fix + "orderbook_3.csv"}, exitUsage, "orderbook_3.csv"},
		{"detector failed", []string{"run", spec, "-o", filepath.Join(t.TempDir(), "out"), "--detector", "wash_pairs", "--detector", "external:command=" + ext + " -crash-after 1,timeout=30s"}, exitDetector, "1 detector instance(s) failed"},
		{"output is not writable", []string{"import", "-f", "lobster", "-o", filepath.Join(file, "x.parquet"), fix + "message_3.csv"}, exitInternal, "not a directory"},
		{"results directory under a file", []string{"run", spec, "-o", filepath.Join(file, "out")}, exitInternal, "not a directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, c.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.code || !strings.Contains(stderr.String(), c.stderr) {
				t.Fatalf("tapetest %s: exit %d, want %d; stderr should contain %q:\n%s", strings.Join(c.args, " "), code, c.code, c.stderr, stderr.String())
			}
		})
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run("interrupted by "+sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "run", "-o", filepath.Join(t.TempDir(), "out"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1500 * time.Millisecond) // the default suite runs for seconds: interrupt it mid-replay
			start := time.Now()
			cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("%v: still running a minute after the signal", sig)
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") {
				t.Fatalf("%v: %v after %v, want exit %d; stderr:\n%s", sig, err, time.Since(start), exitInterrupted, stderr.String())
			}
		})
	}
}

// TestClosest: the did-you-mean suggestion takes typos, not strangers.
func TestClosest(t *testing.T) {
	names := []string{"run", "sweep", "gen", "gate", "import", "verify-run", "output", "out", "o"}
	for _, c := range []struct{ in, want string }{
		{"rn", "run"}, {"rnu", "run"}, {"nur", ""}, {"swep", "sweep"}, {"gaet", "gate"}, {"imprt", "import"},
		{"verfy-run", "verify-run"}, {"ouput", "output"}, {"outt", "out"}, {"frobnicate", ""}, {"x", ""}, {"quux", ""},
	} {
		if got := closest(c.in, names); got != c.want {
			t.Errorf("closest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
