package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
)

// shortSpecFile writes the default suite shortened to 20 minutes.
func shortSpecFile(t *testing.T) string {
	t.Helper()
	text := string(scenarios.DefaultSpecText())
	text = strings.Replace(text, "duration: 3h", "duration: 20m", 1)
	p := filepath.Join(t.TempDir(), "short.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(args ...string) int {
	ctx := context.Background()
	return exitCode(ctx, newApp().Run(ctx, append([]string{"tapetest"}, args...)))
}

func TestRunReportAndGen(t *testing.T) {
	spec := shortSpecFile(t)
	out := filepath.Join(t.TempDir(), "out")
	if code := run("run", spec, "-o", out); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	m, err := results.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.html", "summary.json", "alerts.parquet", "sweep.parquet", "plots/coverage.svg", "spec.yaml"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	if code := run("report", out); code != 0 {
		t.Fatalf("report exited %d", code)
	}
	again, _ := results.ReadManifest(out)
	if d := results.CompareFiles(m.Files, again.Files); len(d) != 0 {
		t.Fatalf("re-rendering changed %v", d)
	}
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	if run("gen", spec, "-o", a) != 0 || run("gen", spec, "-o", b) != 0 {
		t.Fatal("gen failed")
	}
	for _, f := range []string{"events.parquet", "labels.parquet", "accounts.parquet"} {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Fatalf("gen twice: %s differs or is empty", f)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("name: x\nseeed: 1\n"), 0o644)
	cases := [][]string{
		{"run", bad, "-o", t.TempDir()},
		{"run", "--format", "xml"},
		{"import", "--format", "nope", "x", "-o", "y"},
		{"verify", "lobster", "--messages", "/nonexistent", "--book", "/nonexistent"},
		{"report", t.TempDir()},
	}
	for _, c := range cases {
		if code := run(c...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", c, code, exitUsage)
		}
	}
}

func TestVerifyRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if code := run("run", shortSpecFile(t), "-o", out); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	if code := run("verify-run", out); code != 0 {
		t.Fatalf("verify-run of an untouched directory exited %d", code)
	}
	f, _ := os.OpenFile(filepath.Join(out, "summary.md"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("edited\n")
	f.Close()
	if code := run("verify-run", out); code != exitCheckFailed {
		t.Fatalf("verify-run of an edited directory exited %d, want %d", code, exitCheckFailed)
	}
}
