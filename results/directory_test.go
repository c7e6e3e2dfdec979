package results

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scoring"
)

func sampleContents() *Contents {
	const s = int64(1e9)
	t0 := int64(1_700_000_000) * s
	lbls := []labels.Label{
		{ID: "wash-1", Typology: replay.WashTrading, Symbol: "BTCUSDT", Start: t0 + 100*s, End: t0 + 200*s, Accounts: []uint64{7}, Intensity: "blatant", Params: "{}"},
		{ID: "spoof-1", Typology: replay.Spoofing, Symbol: "BTCUSDT", Start: t0 + 400*s, End: t0 + 450*s, Accounts: []uint64{9}, Intensity: "subtle", Params: "{}"},
	}
	alerts := []detectors.Alert{
		{Instance: "wash_self", Typology: replay.WashTrading, Symbol: "BTCUSDT", RaisedAt: t0 + 120*s, Start: t0 + 110*s, End: t0 + 120*s, Accounts: []uint64{7}, Score: 0.9, Evidence: "self-trade"},
		{Instance: "wash_self", Typology: replay.WashTrading, Symbol: "BTCUSDT", RaisedAt: t0 + 700*s, Start: t0 + 690*s, End: t0 + 700*s, Accounts: []uint64{3}, Score: 0.3, Evidence: "self-trade"},
		{Instance: "spoof_layer{window=10s}", Typology: replay.Spoofing, Symbol: "BTCUSDT", RaisedAt: t0 + 410*s, Start: t0 + 400*s, End: t0 + 410*s, Accounts: []uint64{9}, Score: 2.5, Evidence: "cancel ratio"},
	}
	tl := Timeline{Symbol: "BTCUSDT"}
	for i := int64(0); i < 900; i += 3 {
		tl.TS = append(tl.TS, t0+i*s)
		tl.Price = append(tl.Price, 60000+100*math.Sin(float64(i)/50))
	}
	opts := scoring.Options{Days: 900.0 / 86400, Tolerance: 5 * s}
	sc, _ := json.Marshal(opts)
	return &Contents{
		Manifest: &Manifest{ResultsVersion: ResultsVersion, Tool: "tapetest", ToolVersion: "test", Command: "run", Spec: SpecRef{Name: "unit", SHA256: "abc"}, Seed: 1, Scoring: sc, Start: t0, End: t0 + 900*s},
		Alerts:   alerts, Labels: lbls, Options: opts, Timelines: []Timeline{tl},
		Counts:   []replay.Count{{Kind: "cancel_unknown_order", N: 3}},
		Failures: []Failure{{Instance: "broken", Error: "panic: boom"}},
		Events:   12345, Start: t0, End: t0 + 900*s,
	}
}

func TestWriteDirIsCompleteAndReproducible(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if err := WriteDir(a, sampleContents()); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(b, sampleContents()); err != nil {
		t.Fatal(err)
	}
	ma, _ := ReadManifest(a)
	mb, _ := ReadManifest(b)
	if d := CompareFiles(ma.Files, mb.Files); len(d) != 0 {
		t.Fatalf("two identical runs differ: %v", d)
	}
	want := []string{AlertsFile, LabelsFile, MetricsFile, SweepFile, TimelineFile, SummaryFile, MarkdownFile, ReportFile,
		"plots/coverage.png", "plots/coverage.svg", "plots/pr_wash_trading.svg", "plots/threshold_spoof_layer_window_10s_.png", "plots/ttd_cdf.svg",
		"plots/recall_vs_alerts_per_day.png", "plots/timeline_BTCUSDT.svg"}
	have := map[string]bool{}
	for _, f := range ma.Files {
		have[f.Path] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("missing %s (have %v)", w, ma.Files)
		}
	}
	html, _ := os.ReadFile(filepath.Join(a, ReportFile))
	for _, w := range []string{"wash_trading", "spoof_layer{window=10s}", "panic: boom", "cancel_unknown_order", "<svg"} {
		if !strings.Contains(string(html), w) {
			t.Errorf("report lacks %q", w)
		}
	}
	s, err := ReadSummary(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Instances) != 2 || s.Instances[1].Instance != "wash_self" || s.Instances[1].Best.Recall != 1 || s.Instances[1].Best.Precision != 1 {
		t.Fatalf("summary instances %+v", s.Instances)
	}
	// Re-render from the directory alone: same files.
	c, err := ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	r := t.TempDir()
	if err := WriteDir(r, c); err != nil {
		t.Fatal(err)
	}
	mr, _ := ReadManifest(r)
	if d := CompareFiles(ma.Files, mr.Files); len(d) != 0 {
		t.Fatalf("re-rendering from the directory changed files: %v", d)
	}
}

// TestEveryPlotKeepsItsFile: an instance scored on several typologies (as
// liquidation_abuse is) gets one threshold plot per typology; they used to
// share one file name, and all but the last were lost.
func TestEveryPlotKeepsItsFile(t *testing.T) {
	c := sampleContents()
	extra := c.Alerts[2] // spoof_layer{window=10s}'s alert, claimed as wash trading too
	extra.Typology = replay.WashTrading
	c.Alerts = append(c.Alerts, extra)
	dir := t.TempDir()
	if err := WriteDir(dir, c); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"plots/threshold_spoof_layer_window_10s__spoofing.svg", "plots/threshold_spoof_layer_window_10s__wash_trading.svg", "plots/threshold_wash_self.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
}
