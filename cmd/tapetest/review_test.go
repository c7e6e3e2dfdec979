package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/results"
)

// fillQueue answers a review queue as an analyst who knows the labels
// would: matched alerts true, the rest false, wrong where wrong says.
func fillQueue(t *testing.T, queue, out string, wrong func(row map[string]string) bool) {
	t.Helper()
	f, err := os.Open(queue)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, r := range recs[1:] {
		row := map[string]string{}
		for h, i := range col {
			row[h] = r[i]
		}
		tp := row["matched_labels"] != ""
		if wrong(row) {
			tp = !tp
		}
		r[col["disposition"]] = map[bool]string{true: "TP", false: "FP"}[tp]
		r[col["reviewer"]] = "analyst-1"
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.WriteAll(recs)
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReviewLoop: review export → dispositions → review import changes
// the report's reviewed precision; the directory still verifies; the gate
// holds a minimum reviewed precision; an import naming an alert outside
// the queue is refused (exit 2) and changes nothing.
func TestReviewLoop(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if code := run("run", shortSpecFile(t), "-o", dir); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	queue := filepath.Join(t.TempDir(), "queue.csv")
	code, stdout, stderr := runCLI("review", "export", dir, "-o", queue)
	if code != 0 || !strings.Contains(stdout, "above the line") {
		t.Fatalf("review export exited %d: %s %s", code, stdout, stderr)
	}
	answers := filepath.Join(t.TempDir(), "answers.csv")
	fillQueue(t, queue, answers, func(map[string]string) bool { return false })
	if code, _, stderr := runCLI("review", "import", dir, answers); code != 0 {
		t.Fatalf("review import exited %d: %s", code, stderr)
	}
	s, err := results.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	closed := 0
	for _, in := range s.Instances {
		if rv := in.Reviewed; rv != nil {
			closed += rv.TruePositives + rv.FalsePositives
		}
	}
	if closed == 0 {
		t.Fatal("no closed review after the import")
	}
	report1, _ := os.ReadFile(filepath.Join(dir, results.ReportFile))
	if !strings.Contains(string(report1), `id="review"`) {
		t.Fatal("the report has no review section")
	}
	// Analysts overturn every sybil_cluster alert: its reviewed precision
	// changes in the report, and the gate's minimum catches it.
	fillQueue(t, queue, answers, func(row map[string]string) bool { return strings.HasPrefix(row["instance"], "sybil_cluster") })
	if code, _, stderr := runCLI("review", "import", dir, answers); code != 0 {
		t.Fatalf("second review import exited %d: %s", code, stderr)
	}
	report2, _ := os.ReadFile(filepath.Join(dir, results.ReportFile))
	if string(report1) == string(report2) {
		t.Fatal("overturned dispositions left the report as it was")
	}
	if code, out, errs := runCLI("verify-run", dir); code != 0 {
		t.Fatalf("verify-run after the review exited %d: %s %s", code, out, errs)
	}
	policy := filepath.Join(t.TempDir(), "gate.yaml")
	os.WriteFile(policy, []byte("replace_defaults: true\ntypologies:\n  sybil_cluster:\n    min_reviewed_precision: 0.5\n"), 0o644)
	if code, out, _ := runCLI("gate", "--baseline", dir, "--candidate", dir, "--policy", policy); code != 1 || !strings.Contains(out, "min_reviewed_precision") {
		t.Fatalf("gate on overturned sybil alerts exited %d:\n%s", code, out)
	}
	// An alert outside the queue: refused, naming the line; nothing changes.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("alert_id,disposition\nA0000000000000000,TP\n"), 0o644)
	before, _ := results.ReadManifest(dir)
	if code, _, errs := runCLI("review", "import", dir, bad); code != 2 || !strings.Contains(errs, "bad.csv:2: alert_id") {
		t.Fatalf("import of an unknown alert exited %d: %s", code, errs)
	}
	after, _ := results.ReadManifest(dir)
	if d := results.CompareFiles(before.Files, after.Files); len(d) != 0 {
		t.Fatalf("a refused import changed %v", d)
	}
	// A directory edited by hand is refused before anything is read.
	os.WriteFile(filepath.Join(dir, results.DispositionsFile), []byte("alert_id,disposition\n"), 0o644)
	if code, _, errs := runCLI("review", "import", dir, answers); code != 1 {
		t.Fatalf("import into an edited directory exited %d: %s", code, errs)
	}
}

// TestReviewLog: a production alert log becomes a review directory whose
// queue takes dispositions like a run's.
func TestReviewLog(t *testing.T) {
	log := filepath.Join(t.TempDir(), "prod.csv")
	var b strings.Builder
	b.WriteString("id,detector,typology,symbol,raised_at,score,accounts,evidence\n")
	for i := 0; i < 60; i++ {
		b.WriteString(strings.Join([]string{"P" + strconv.Itoa(i), "wash_v7", "wash_trading", "BTCUSDT", fmt.Sprintf("2026-11-%02dT10:%02d:00Z", 1+i%5, i), strconv.Itoa(i), fmt.Sprintf("%d;%d", 100+i, 200+i), "same beneficial owner"}, ",") + "\n")
	}
	os.WriteFile(log, []byte(b.String()), 0o644)
	dir := filepath.Join(t.TempDir(), "review")
	code, out, errs := runCLI("review", "log", log, "-o", dir, "--threshold", "wash_v7=40", "--below-sample", "5")
	if code != 0 || !strings.Contains(out, "20 alerts above the line, 5 drawn below it (of 40)") {
		t.Fatalf("review log exited %d: %s %s", code, out, errs)
	}
	queue := filepath.Join(dir, results.ReviewQueueFile)
	answers := filepath.Join(t.TempDir(), "answers.csv")
	fillQueue(t, queue, answers, func(row map[string]string) bool {
		score, _ := strconv.ParseFloat(row["score"], 64)
		return row["line"] == "ATL" && score < 45
	})
	code, out, errs = runCLI("review", "import", dir, answers, "--format", "json")
	if code != 0 || !strings.Contains(out, `"true_positives"`) {
		t.Fatalf("review import exited %d: %s %s", code, out, errs)
	}
	if code, _, errs := runCLI("review", "log", log, "-o", filepath.Join(t.TempDir(), "x"), "--threshold", "nope=1"); code != 2 || !strings.Contains(errs, "nope") {
		t.Fatalf("a threshold for an unknown instance exited %d: %s", code, errs)
	}
	os.WriteFile(log, []byte("detector,typology,symbol,raised_at,score\nd,wash_trading,BTC,yesterday,1\n"), 0o644)
	if code, _, errs := runCLI("review", "log", log, "-o", filepath.Join(t.TempDir(), "y")); code != 2 || !strings.Contains(errs, "prod.csv:2: raised_at") {
		t.Fatalf("a bad time exited %d: %s", code, errs)
	}
}
