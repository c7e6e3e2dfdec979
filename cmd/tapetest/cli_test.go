package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/tapetest/tapetest/internal/golden"
	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/realism"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
)

// shortSpecFile writes the default suite shortened to 20 minutes.
func shortSpecFile(t *testing.T) string {
	t.Helper()
	text := string(scenarios.DefaultSpecText())
	text = strings.Replace(text, "duration: 6h", "duration: 20m", 1)
	p := filepath.Join(t.TempDir(), "short.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runCLI runs tapetest in-process with these arguments and the test's
// environment, and returns its exit status and what it wrote to stdout and
// stderr.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	gs := newGlobalState(strings.NewReader(""), &out, &errs, os.Environ())
	code = gs.execute(append([]string{"tapetest"}, args...))
	return code, out.String(), errs.String()
}

// run runs tapetest in-process and returns its exit status.
func run(args ...string) int {
	code, _, _ := runCLI(args...)
	return code
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

// TestGateEndToEnd: two real result directories from the same scenario. An
// unchanged detector set passes the gate; a deliberately weakened set
// (thresholds no attack reaches) fails it, also through --format junit and
// GITHUB_STEP_SUMMARY.
func TestGateEndToEnd(t *testing.T) {
	spec := shortSpecFile(t)
	base, same, weak := filepath.Join(t.TempDir(), "base"), filepath.Join(t.TempDir(), "same"), filepath.Join(t.TempDir(), "weak")
	if run("run", spec, "-o", base) != 0 || run("run", spec, "-o", same) != 0 {
		t.Fatal("run failed")
	}
	if code := run("run", spec, "-o", weak, "--detector", "wash_pairs:min_trades=1000", "--detector", "spoof_cancels:min_size_x_touch=1000", "--detector", "pump_zscore:min_z=1000"); code != 0 {
		t.Fatalf("weakened run exited %d", code)
	}
	if code := run("gate", "--baseline", base, "--candidate", same); code != 0 {
		t.Fatalf("identical detectors: gate exited %d", code)
	}
	if code := run("gate", "--baseline", base, "--candidate", filepath.Join(same, "summary.json"), "--by", "typology"); code != 0 {
		t.Fatalf("identical detectors by typology: gate exited %d", code)
	}
	summary := filepath.Join(t.TempDir(), "step-summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	if code := run("gate", "--baseline", base, "--candidate", weak, "--by", "typology", "--format", "junit"); code != exitCheckFailed {
		t.Fatalf("weakened detectors: gate exited %d, want %d", code, exitCheckFailed)
	}
	b, err := os.ReadFile(summary)
	if err != nil || !strings.Contains(string(b), "tapetest gate **failed**") {
		t.Fatalf("step summary: %q %v", b, err)
	}
	policy := filepath.Join(t.TempDir(), "gate.yaml")
	os.WriteFile(policy, []byte("default:\n  max_recall_dorp: 0.1\n"), 0o644)
	if code := run("gate", "--baseline", base, "--candidate", same, "--policy", policy); code != exitUsage {
		t.Fatalf("misspelt policy: gate exited %d, want %d", code, exitUsage)
	}
	os.WriteFile(policy, []byte("default:\n  max_recall_drop: 0.0\ntypologies:\n  wash_trading:\n    min_recall: 0.0\n    max_ttd_p90: 1h\n"), 0o644)
	if code := run("gate", "--baseline", base, "--candidate", same, "--policy", policy); code != 0 {
		t.Fatalf("valid policy: gate exited %d", code)
	}
}

// TestGateOneRun: a candidate and its baseline scored on exactly the same replay.
func TestGateOneRun(t *testing.T) {
	spec := shortSpecFile(t)
	out := filepath.Join(t.TempDir(), "out")
	if code := run("run", spec, "-o", out, "--detector", "wash_pairs:min_trades=1000", "--baseline-detector", "wash_pairs:min_trades=1000"); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	if code := run("gate", "--run", out); code != 0 {
		t.Fatalf("identical candidate and baseline: gate exited %d", code)
	}
	weak := filepath.Join(t.TempDir(), "weak")
	if code := run("run", spec, "-o", weak, "--detector", "wash_pairs:min_trades=1000", "--baseline-detector", "wash_pairs:min_trades=2"); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	if code := run("gate", "--run", weak, "--by", "typology"); code != exitCheckFailed {
		t.Fatalf("weakened candidate: gate exited %d, want %d", code, exitCheckFailed)
	}
	if code := run("verify-run", weak); code != 0 {
		t.Fatalf("verify-run of a run with baseline detectors exited %d", code)
	}
	if code := run("gate", "--run", weak, "--baseline", weak); code != exitUsage {
		t.Fatalf("--run with --baseline: exit %d, want %d", code, exitUsage)
	}
}

func TestSweepGrid(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sw")
	if code := run("sweep", shortSpecFile(t), "-o", out, "--detector", "wash_pairs:window=30s|60s,min_trades=2|3"); code != 0 {
		t.Fatalf("sweep exited %d", code)
	}
	s, err := results.ReadSummary(out)
	if err != nil {
		t.Fatal(err)
	}
	// The grid takes the spec's scope for wash_pairs.
	if len(s.Instances) != 4 || s.Instances[0].Instance != "wash_pairs{min_trades=2,window=1m0s}@BTCUSDT+ALTBTC" {
		t.Fatalf("grid instances: %+v", s.Instances)
	}
}

// TestFailingDetectorExits3: a detector instance that dies mid-run is reported
// by name, the others' results are written, and run exits 3.
func TestFailingDetectorExits3(t *testing.T) {
	bin := extwash(t)
	out := filepath.Join(t.TempDir(), "out")
	code := run("run", shortSpecFile(t), "-o", out, "--detector", "wash_pairs", "--detector", "external:command="+bin+" -crash-after 1,timeout=30s")
	if code != exitDetector {
		t.Fatalf("run exited %d, want %d", code, exitDetector)
	}
	s, err := results.ReadSummary(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failures) != 1 || !strings.Contains(s.Failures[0].Instance, "external") || !strings.Contains(s.Failures[0].Error, "exited before acknowledging") {
		t.Fatalf("failures %+v", s.Failures)
	}
	if len(s.Instances) != 1 || s.Instances[0].Instance != "wash_pairs@BTCUSDT+ALTBTC" {
		t.Fatalf("the healthy detector's results are missing: %+v", s.Instances)
	}
}

// stdout runs the command and returns what it printed on stdout.
func stdout(t *testing.T, args ...string) (string, int) {
	t.Helper()
	code, text, _ := runCLI(args...)
	return text, code
}

// TestImportReconciledLOBSTERAndRealism: a LOBSTER message file given with its
// orderbook file imports as a replay reconciled to LOBSTER's book, the
// corrections keep their flag in the canonical file, and realism reads them
// as book corrections, not messages (in JSON, with null for the facts this
// short day cannot give).
func TestImportReconciledLOBSTERAndRealism(t *testing.T) {
	dir := "../../replay/lobster/testdata/SYN_2012-06-21_34200000_57600000_"
	out := filepath.Join(t.TempDir(), "syn.parquet")
	if code := run("import", "-f", "lobster", "-o", out, dir+"message_3.csv", dir+"orderbook_3.csv"); code != 0 {
		t.Fatalf("import exited %d", code)
	}
	text, code := stdout(t, "realism", "--format", "json", "--warmup", "0", "--real", dir+"message_3.csv,"+dir+"orderbook_3.csv", "--synthetic", out)
	if code != 0 {
		t.Fatalf("realism exited %d", code)
	}
	var got struct{ Real, Synthetic realism.Facts }
	if err := json.Unmarshal([]byte(text), &got); err != nil {
		t.Fatalf("%v: %s", err, text)
	}
	if got.Real.Reconciled != 53 || got.Synthetic.Reconciled != 53 || got.Real.Events != got.Synthetic.Events {
		t.Fatalf("real %d events (%d reconciled), imported %d (%d reconciled)", got.Real.Events, got.Real.Reconciled, got.Synthetic.Events, got.Synthetic.Reconciled)
	}
}

// TestRealismOverDraws: a spec's background is measured over --draws seeds
// (its own, then the next), in parallel, each draw its own facts; data is
// one draw, and asking for more is a usage error.
func TestRealismOverDraws(t *testing.T) {
	dir := "../../replay/lobster/testdata/SYN_2012-06-21_34200000_57600000_"
	real := dir + "message_3.csv," + dir + "orderbook_3.csv"
	spec := shortSpecFile(t)
	text, code := stdout(t, "realism", "--format", "json", "--warmup", "0", "--real", real, "--synthetic", spec, "--synthetic-symbol", "GOOGXUSD", "--draws", "3")
	if code != 0 {
		t.Fatalf("realism exited %d", code)
	}
	var got struct {
		Synthetic []realism.Facts
		Seeds     [2]uint64
	}
	if err := json.Unmarshal([]byte(text), &got); err != nil {
		t.Fatalf("%v: %s", err, text)
	}
	if len(got.Synthetic) != 3 || got.Seeds != [2]uint64{20261123, 20261125} || got.Synthetic[0].Symbol != "GOOGXUSD" ||
		got.Synthetic[0].Events == got.Synthetic[1].Events && got.Synthetic[1].Events == got.Synthetic[2].Events {
		t.Fatalf("draws %+v, seeds %v", got.Synthetic, got.Seeds)
	}
	text, _ = stdout(t, "realism", "--warmup", "0", "--real", real, "--synthetic", spec, "--synthetic-symbol", "GOOGXUSD", "--draws", "2")
	if !strings.Contains(text, "median of 2 draws") || !strings.Contains(text, "/2") {
		t.Fatalf("table:\n%s", text)
	}
	if _, code := stdout(t, "realism", "--real", real, "--synthetic", real, "--draws", "2"); code != 2 {
		t.Fatalf("--draws over data exited %d, want 2", code)
	}
}

// TestComponentDocs: each kind's page in docs/ is its header and
// `tapetest KIND list --format markdown` (run with -update to refresh them),
// so the docs come from the same specs as the listings and validation.
func TestComponentDocs(t *testing.T) {
	for _, c := range []struct{ kind, path, header, mustList string }{
		{"injectors", "../../docs/injectors.md", injectorsDocHeader, "size_x_touch"},
		{"detectors", "../../docs/detectors.md", detectorsDocHeader, "min_trades"},
		{"formats", "../../docs/formats.md", formatsDocHeader, "skip_bad"},
		{"venue-rules", "../../docs/venue-rules.md", venueRulesDocHeader, "halt_pct"},
	} {
		t.Run(c.kind, func(t *testing.T) {
			text, code := stdout(t, c.kind, "list", "--format", "markdown")
			if code != 0 || !strings.Contains(text, c.mustList) {
				t.Fatalf("%s list exited %d:\n%s", c.kind, code, text)
			}
			golden.Check(t, c.path, []byte(c.header+text), c.path+" is stale: run go test ./cmd/tapetest -run TestComponentDocs -update")
			if text, code := stdout(t, c.kind, "list"); code != 0 || !strings.Contains(text, c.mustList) {
				t.Fatalf("%s list (text) exited %d:\n%s", c.kind, code, text)
			}
		})
	}
}

const generatedNote = "Generated from the registry (`tapetest %s list --format markdown`;\n`go test ./cmd/tapetest -run TestComponentDocs -update` refreshes this file).\n\n"

var injectorsDocHeader = `# Attack injectors

Every typology a scenario spec can inject, with its parameters: what each means, and its
default at each intensity. An injection entry overrides any of them with ` + "`params`" + `: a
number, or a range ` + "`[low, high]`" + ` drawn for each attack (an integer in low..high when both
ends are integers); each attack's label records the values it used. Typical sizes are the
instrument's ` + "`size`" + `. ` + fmt.Sprintf(generatedNote, "injectors")

var detectorsDocHeader = `# Detectors

Every built-in detector, with the typology it claims and its parameters. A spec's
` + "`detectors:`" + ` entry (or ` + "`--detector NAME:param=value`" + `) overrides any of them; a list of
values is a grid, one instance per value. ` + fmt.Sprintf(generatedNote, "detectors")

var formatsDocHeader = `# Input formats

Every format ` + "`tapetest import --input-format`" + ` and a historical background
(` + "`background: {format: ..., files: [...]}`" + `) read, with their parameters. ` + fmt.Sprintf(generatedNote, "formats")

var venueRulesDocHeader = `# Venue rules

Every venue rule an instrument's ` + "`rules:`" + ` entry attaches, with its parameters. The
perpetual swap's margin, funding and liquidation engine is a venue rule too, attached to every
instrument of ` + "`kind: perp`" + ` and configured by its ` + "`perp:`" + ` block (docs/perpetuals.md). ` + fmt.Sprintf(generatedNote, "venue-rules")

// TestOwnOrderLogReachesAccountDetectors: a venue's own order log, imported
// through its mapping (docs/own-data.md), keeps its accounts, so that an
// account-based detector runs on real history: account 7 trading with itself
// three times is flagged by wash_pairs with its account, where every public
// feed (account 0) leaves such detectors silent.
func TestOwnOrderLogReachesAccountDetectors(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("ts,oid,acct,sym,side,px,qty,event,type,tif\n")
	ms, oid := int64(1_700_000_000_000), 1
	row := func(acct int, side, px, qty, event string) {
		fmt.Fprintf(&b, "%d,%d,%d,BTCUSDT,%s,%s,%s,%s,LIMIT,GTC\n", ms, oid, acct, side, px, qty, event)
		ms += 250
		oid++
	}
	for i := 0; i < 3; i++ {
		row(7, "S", "60000.50", "0.5000", "NEW") // account 7 rests a sell...
		row(7, "B", "60000.50", "0.5000", "NEW") // ...and lifts it itself
		row(8, "B", "59990.00", "0.1000", "NEW") // other accounts quote
		row(9, "S", "60010.00", "0.1000", "NEW")
	}
	log := filepath.Join(dir, "log.csv")
	os.WriteFile(log, []byte(b.String()), 0o644)
	events := filepath.Join(dir, "own.parquet")
	if code, _, stderr := runCLI("import", "-f", "orders", log, "--param", "mapping=../../replay/orderlog/testdata/venue_a.yaml", "-o", events); code != 0 {
		t.Fatalf("import exited %d: %s", code, stderr)
	}
	spec := filepath.Join(dir, "own.yaml")
	os.WriteFile(spec, []byte("name: own-log\nseed: 1\nbackground:\n  files: [own.parquet]\ndetectors:\n  - name: wash_pairs\n"), 0o644)
	out := filepath.Join(dir, "out")
	if code, _, stderr := runCLI("run", spec, "-o", out); code != 0 {
		t.Fatalf("run exited %d: %s", code, stderr)
	}
	type row2 struct {
		Accounts []uint64 `parquet:"accounts,list"`
	}
	alerts, err := parquet.ReadFile[row2](filepath.Join(out, results.AlertsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) == 0 || len(alerts[0].Accounts) != 1 || alerts[0].Accounts[0] != 7 {
		t.Fatalf("alerts on the own log: %+v", alerts)
	}
	if code, _, stderr := runCLI("import", "-f", "orders", log, "-o", events); code != exitUsage || !strings.Contains(stderr, "mapping") {
		t.Fatalf("no mapping: exit %d: %s", code, stderr)
	}
	// The log read directly as a background, with its mapping beside the spec.
	mapping, _ := os.ReadFile("../../replay/orderlog/testdata/venue_a.yaml")
	os.WriteFile(filepath.Join(dir, "venue.yaml"), mapping, 0o644)
	direct := filepath.Join(dir, "direct.yaml")
	os.WriteFile(direct, []byte("name: own-log\nseed: 1\nbackground:\n  format: orders\n  files: [log.csv]\n  params: {mapping: venue.yaml}\ndetectors:\n  - name: wash_pairs\n"), 0o644)
	out2 := filepath.Join(dir, "out2")
	if code, _, stderr := runCLI("run", direct, "-o", out2); code != 0 {
		t.Fatalf("run on the log itself exited %d: %s", code, stderr)
	}
	again, err := parquet.ReadFile[row2](filepath.Join(out2, results.AlertsFile))
	if err != nil || len(again) != len(alerts) {
		t.Fatalf("the log read directly: %d alerts (imported: %d), %v", len(again), len(alerts), err)
	}
}

// TestLabelsImport: a shared pump list becomes a label file the spec's
// labels: key reads; an unknown layout or a list with nothing kept is a
// usage error.
func TestLabelsImport(t *testing.T) {
	list := realdata.Path(t, "pump-events-mironov/pumps.json")
	out := filepath.Join(t.TempDir(), "labels.csv")
	code, _, stderr := runCLI("labels", "import", "--list", "mironov", list, "-o", out)
	if code != 0 || !strings.Contains(stderr, "498 announcements, 497 labels") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lbls, err := labels.Load(out, 10*time.Minute)
	if err != nil || len(lbls) != 497 {
		t.Fatalf("%d labels, %v", len(lbls), err)
	}
	if code, _, stderr := runCLI("labels", "import", "--list", "nasdaq", list, "-o", out); code != exitUsage || !strings.Contains(stderr, "known: ardia") {
		t.Fatalf("an unknown list: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI("labels", "import", "--list", "mironov", "--exchange", "yobit", list, "-o", out); code != exitUsage || !strings.Contains(stderr, "none of the list's 498") {
		t.Fatalf("nothing kept: exit %d: %s", code, stderr)
	}
}

// TestShippedOperatingPoints: an entry that selects its threshold, in a run
// split by time, ships a threshold chosen on the first half and measured on
// the second (out-of-sample, said in summary.json); report re-renders it to
// the same bytes; a malformed select is a usage error.
func TestShippedOperatingPoints(t *testing.T) {
	raw, err := os.ReadFile(shortSpecFile(t))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(raw), "\nscoring:\n", "\nscoring:\n  split: time 0.5\n", 1)
	spec := filepath.Join(t.TempDir(), "split.yaml")
	os.WriteFile(spec, []byte(text), 0o644)
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runCLI("run", spec, "-o", out, "--detector", "wash_pairs:select=best_f1", "--detector", "spoof_cancels:threshold=2"); code != 0 {
		t.Fatalf("run exited %d: %s", code, stderr)
	}
	s, err := results.ReadSummary(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range s.Instances {
		op := in.OperatingPoint
		if op == nil || in.Test == nil || op.InSample || !strings.HasPrefix(op.Split, "time 0.5") {
			t.Fatalf("%s: operating point %+v, shipped %+v", in.Instance, op, in.Test)
		}
		if in.Test.Labels >= in.Best.Labels {
			t.Fatalf("%s: measured on %d labels of %d: not held out", in.Instance, in.Test.Labels, in.Best.Labels)
		}
	}
	m, _ := results.ReadManifest(out)
	if code, _, stderr := runCLI("report", out); code != 0 {
		t.Fatalf("report exited %d: %s", code, stderr)
	}
	again, _ := results.ReadManifest(out)
	if d := results.CompareFiles(m.Files, again.Files); len(d) != 0 {
		t.Fatalf("re-rendering changed %v", d)
	}
	if code, _, stderr := runCLI("run", spec, "-o", out, "--detector", "wash_pairs:select=best"); code != exitUsage || !strings.Contains(stderr, "want best_f1") {
		t.Fatalf("a bad select: exit %d: %s", code, stderr)
	}
}

// TestRunSeeds: run --seeds writes each seed's complete results directory
// (which verify-run re-runs from its own manifest, seed included), the
// aggregate over the seeds with a by-seed split, and one manifest over all;
// the same seeds give the same bytes; a bad list is a usage error.
func TestRunSeeds(t *testing.T) {
	spec := shortSpecFile(t)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI("run", spec, "-o", out, "--seeds", "3,5-6", "--detector", "wash_pairs:select=best_f1", "--detector", "spoof_cancels")
	if code != 0 {
		t.Fatalf("run --seeds exited %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "chosen on seeds 3, measured on seeds 5,6") {
		t.Fatalf("stdout:\n%s", stdout)
	}
	d, err := results.ReadDraws(out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Seeds, []uint64{3, 5, 6}) || len(d.Instances) == 0 {
		t.Fatalf("draws %+v", d)
	}
	for _, in := range d.Instances {
		if len(in.PerSeed) != 3 || in.BySeed == nil {
			t.Fatalf("%s: %+v", in.Instance, in)
		}
		var labels int
		for _, s := range in.PerSeed {
			labels += s.Metrics.Labels
		}
		if in.Pooled.Labels != labels {
			t.Fatalf("%s: pooled %d labels, the seeds hold %d", in.Instance, in.Pooled.Labels, labels)
		}
	}
	s5, err := results.ReadSummary(filepath.Join(out, "seed-5"))
	if err != nil || s5.Seed != 5 {
		t.Fatalf("seed-5: %+v %v", s5, err)
	}
	if code, _, stderr := runCLI("verify-run", filepath.Join(out, "seed-5")); code != 0 {
		t.Fatalf("verify-run seed-5 exited %d: %s", code, stderr)
	}
	if _, err := results.CheckDir(out); err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(t.TempDir(), "again")
	if code, _, stderr := runCLI("run", spec, "-o", again, "--seeds", "3,5-6", "--detector", "wash_pairs:select=best_f1", "--detector", "spoof_cancels"); code != 0 {
		t.Fatalf("second run exited %d: %s", code, stderr)
	}
	a, _ := results.ReadManifest(out)
	b, _ := results.ReadManifest(again)
	for _, d := range results.CompareFiles(a.Files, b.Files) {
		if filepath.Base(d.Path) != "manifest.json" { // a manifest says when it was written
			t.Fatalf("the same seeds wrote different files: %v", d)
		}
	}
	for _, bad := range []string{"5-3", "1,1", "x", "0-5000"} {
		if code, _, stderr := runCLI("run", spec, "-o", filepath.Join(t.TempDir(), "bad"), "--seeds", bad); code != exitUsage {
			t.Fatalf("--seeds %s: exit %d: %s", bad, code, stderr)
		}
	}
	if code, _, _ := runCLI("run", spec, "-o", filepath.Join(t.TempDir(), "bad"), "--seeds", "1-2", "--calibration-seeds", "2"); code != exitUsage {
		t.Fatalf("--calibration-seeds 2 of 2: exit %d", code)
	}
}

// TestProgressOnANonTerminal: off a terminal, run prints a progress line
// every progressInterval (CI showed nothing for a minute), as a share of
// the replayed time.
func TestProgressOnANonTerminal(t *testing.T) {
	defer func(d time.Duration) { progressInterval = d }(progressInterval)
	progressInterval = time.Nanosecond
	code, _, stderr := runCLI("run", shortSpecFile(t), "-o", filepath.Join(t.TempDir(), "out"), "--batch", "64", "--detector", "wash_pairs")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "progress: ") || !strings.Contains(stderr, "% of the replayed time") {
		t.Fatalf("no progress lines:\n%s", stderr)
	}
}

// TestCISpecIsTheDefaultSuiteShortened: examples/ci/spec.yaml is the
// default suite with its name and duration changed, nothing else.
func TestCISpecIsTheDefaultSuiteShortened(t *testing.T) {
	b, err := os.ReadFile("../../examples/ci/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	def := string(scenarios.DefaultSpecText())
	def = def[strings.Index(def, "name: default"):]
	want := strings.Replace(strings.Replace(def, "name: default", "name: ci", 1), "duration: 6h", "duration: 20m", 1)
	got := string(b)
	if i := strings.Index(got, "name: ci"); i < 0 || got[i:] != want {
		t.Fatal("examples/ci/spec.yaml drifted from scenarios/default.yaml: regenerate it (the default suite, name ci, duration 20m)")
	}
}
