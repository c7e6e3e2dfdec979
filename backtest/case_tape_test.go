package backtest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scoring"
)

// TestCaseFilesShowTheReplayedMarket: on a run of the default suite
// (shortened), every false alert at its instance's operating point has a
// case file, and every case shows the book the replay held (a ladder with
// prices on both sides) and the trades of its window.
func TestCaseFilesShowTheReplayedMarket(t *testing.T) {
	out, err := Run(context.Background(), shortSpec(t), Options{SpecName: "short", SpecText: []byte("short"), ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	dir := filepath.Join(t.TempDir(), "out")
	c := out.Contents
	if err := results.WriteDir(dir, c); err != nil {
		t.Fatal(err)
	}
	ev := scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...)
	thr := map[[2]string]float64{}
	for _, r := range ev.Instances {
		t0 := r.Best.Threshold
		if r.OperatingPoint != nil {
			t0 = r.OperatingPoint.Threshold
		}
		thr[[2]string{r.Instance, string(r.Typology)}] = t0
	}
	matched := map[int]bool{}
	for _, p := range scoring.Match(c.Alerts, c.Labels, c.Options) {
		matched[p.Alert] = true
	}
	ids := results.AlertIDs(c.Alerts)
	falseAlerts := 0
	for i, a := range c.Alerts {
		if t0, ok := thr[[2]string{a.Instance, string(a.Typology)}]; ok && a.Score >= t0 && !matched[i] {
			falseAlerts++
			if _, err := os.Stat(filepath.Join(dir, results.CasesDir, ids[i]+".html")); err != nil {
				t.Errorf("false alert %s (%s at %g) has no case file: %v", ids[i], a.Instance, a.Score, err)
			}
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, results.CasesDir, "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	t.Logf("%d case files, %d false alerts at the operating points", len(files), falseAlerts)
	bid := regexp.MustCompile(`<td class="bid">[0-9.]+</td><td class="ask">[0-9.]+</td>`)
	trades := regexp.MustCompile(`([0-9]+) trades in the window`)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		page := string(b)
		if !bid.MatchString(page) {
			t.Errorf("%s: no ladder with both sides", filepath.Base(f))
		}
		if m := trades.FindStringSubmatch(page); m == nil || m[1] == "0" {
			t.Errorf("%s: no trades in its window", filepath.Base(f))
		}
		if !strings.Contains(page, "<circle") {
			t.Errorf("%s: the chart draws no trade", filepath.Base(f))
		}
	}
}
