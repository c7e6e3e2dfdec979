package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/results"
)

// runBinary runs the built tapetest and returns its exit status and stderr.
func runBinary(t *testing.T, args ...string) (int, string) {
	t.Helper()
	return runBinaryWithin(t, 10*time.Minute, args...)
}

// extwash builds the example external detector (its flags misbehave on purpose).
func extwash(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "extwash")
	if out, err := exec.Command("go", "build", "-o", bin, "../../detectors/examples/extwash").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// instanceAlerts is how many alerts the summary in dir counts for instance id.
func instanceAlerts(t *testing.T, dir, id string) int {
	t.Helper()
	s, err := results.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := -1
	for _, in := range s.Instances {
		if in.Instance == id {
			n = in.Best.Alerts
		}
	}
	return n
}

// TestExternalDetectorCannotImpersonate: an external detector that files its
// alerts under another instance's id (spoof_cancels) used to have them
// counted for it (precision 100% → 74%, exit 0); the host now sets every
// alert's instance, so spoof_cancels scores the same with or without it.
func TestExternalDetectorCannotImpersonate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	spec, ext := shortSpecFile(t), extwash(t)
	alone, with := filepath.Join(t.TempDir(), "alone"), filepath.Join(t.TempDir(), "with")
	if code, stderr := runBinary(t, "run", spec, "-o", alone, "--detector", "spoof_cancels"); code != 0 {
		t.Fatalf("run exited %d: %s", code, stderr)
	}
	if code, stderr := runBinary(t, "run", spec, "-o", with, "--detector", "spoof_cancels",
		"--detector", "external:command="+ext+" -impersonate spoof_cancels@BTCUSDT+ALTBTC,typology=spoofing"); code != 0 {
		t.Fatalf("run with the impersonator exited %d: %s", code, stderr)
	}
	// --detector spoof_cancels takes the short spec's scope: its id is the scoped one.
	const id = "spoof_cancels@BTCUSDT+ALTBTC"
	a, b := instanceAlerts(t, alone, id), instanceAlerts(t, with, id)
	if a <= 0 || a != b {
		t.Fatalf("spoof_cancels has %d alerts alone and %d beside an impersonator", a, b)
	}
}

// TestVerifyRunRunsNoCodeItWasSent: a results directory is data. A manifest
// whose external detector's command was replaced by `sh -c "touch FILE"` used
// to run it; verify-run now refuses (exit 2, naming --allow-exec) and runs
// nothing, and with --allow-exec re-runs an honest directory.
func TestVerifyRunRunsNoCodeItWasSent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	spec, ext := shortSpecFile(t), extwash(t)
	out := filepath.Join(t.TempDir(), "out")
	if code, stderr := runBinary(t, "run", spec, "-o", out, "--detector", "wash_pairs", "--detector", "external:command="+ext); code != 0 {
		t.Fatalf("run exited %d: %s", code, stderr)
	}
	if code, stderr := runBinary(t, "verify-run", "--allow-exec", out); code != 0 {
		t.Fatalf("verify-run --allow-exec of an honest directory exited %d: %s", code, stderr)
	}
	pwned := filepath.Join(t.TempDir(), "PWNED")
	raw, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	evil := strings.ReplaceAll(string(raw), ext, "sh -c touch "+pwned)
	if evil == string(raw) {
		t.Fatal("the manifest does not name the external command")
	}
	if err := os.WriteFile(filepath.Join(out, "manifest.json"), []byte(evil), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stderr := runBinary(t, "verify-run", out)
	if code != exitUsage || !strings.Contains(stderr, "--allow-exec") {
		t.Fatalf("verify-run of a manifest naming a program exited %d: %s", code, stderr)
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("verify-run ran the command the manifest names")
	}
	var m struct{ Detectors json.RawMessage }
	if json.Unmarshal([]byte(evil), &m) != nil || !strings.Contains(string(m.Detectors), "touch") {
		t.Fatal("the test did not plant its command")
	}
}

// TestHugeScoresMakeAReport: a detector's scores may be any finite number. A
// score of 1e16 used to panic in the plots after the replay (exit 2, a stack
// trace, a half-written directory) and ±1e308 spun forever; both runs now end
// with a complete, verifiable results directory.
func TestHugeScoresMakeAReport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	spec, ext := shortSpecFile(t), extwash(t)
	for _, score := range []string{"1e16", "1e308"} {
		out := filepath.Join(t.TempDir(), "out")
		code, stderr := runBinaryWithin(t, 5*time.Minute, "run", spec, "-o", out, "--detector", "external:command="+ext+" -score "+score)
		if code != 0 {
			t.Fatalf("scores ±%s: run exited %d: %s", score, code, stderr)
		}
		m, err := results.ReadManifest(out)
		if err != nil {
			t.Fatal(err)
		}
		have, err := results.HashDir(out)
		if err != nil || len(results.CompareFiles(m.Files, have)) != 0 {
			t.Fatalf("scores ±%s: the directory does not match its manifest (%v)", score, err)
		}
		if _, err := os.Stat(filepath.Join(out, results.ReportFile)); err != nil {
			t.Fatalf("scores ±%s: no report: %v", score, err)
		}
	}
}

// runBinaryWithin is runBinary that kills a run still going after limit (a
// hang fails the test; it is no speed bar).
func runBinaryWithin(t *testing.T, limit time.Duration, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("tapetest %s: still running after %v", strings.Join(args, " "), limit)
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), stderr.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, stderr.String()
}

// TestRerunReplacesTheDirectoryWhole: a run into a used output directory
// used to keep the previous run's files (its extra plots were hashed into the
// new manifest, and verify-run then failed, calling them "missing"); the
// directory is now replaced whole, and a folder that is neither empty nor a
// results directory is refused (exit 2) and left untouched.
func TestRerunReplacesTheDirectoryWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	spec := shortSpecFile(t)
	out := filepath.Join(t.TempDir(), "out")
	if code, stderr := runBinary(t, "run", spec, "-o", out, "--detector", "wash_pairs"); code != 0 {
		t.Fatalf("run exited %d: %s", code, stderr)
	}
	stale := filepath.Join(out, "plots", "stale.svg")
	if err := os.WriteFile(stale, []byte("<svg/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stderr := runBinary(t, "run", spec, "-o", out, "--detector", "wash_pairs"); code != 0 {
		t.Fatalf("rerun exited %d: %s", code, stderr)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Fatal("the previous run's extra file survived the rerun")
	}
	if code, stderr := runBinary(t, "verify-run", out); code != 0 {
		t.Fatalf("verify-run of the rerun exited %d: %s", code, stderr)
	}
	os.WriteFile(stale, []byte("<svg/>"), 0o644)
	text, code := stdout(t, "verify-run", out)
	if code != exitCheckFailed || !strings.Contains(text, "extra    plots/stale.svg") {
		t.Fatalf("verify-run with an extra file exited %d:\n%s", code, text)
	}
	mine := t.TempDir()
	keep := filepath.Join(mine, "thesis.tex")
	os.WriteFile(keep, []byte("years of work"), 0o644)
	if code, stderr := runBinary(t, "run", spec, "-o", mine); code != exitUsage || !strings.Contains(stderr, "not a results directory") {
		t.Fatalf("run into a folder of other files exited %d: %s", code, stderr)
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "years of work" {
		t.Fatal("the folder's file was touched")
	}
}

// stuckDetector writes an executable that never reads its input: it says
// something on stderr, leaves a grandchild behind and sleeps. Its processes
// carry marker in their arguments.
func stuckDetector(t *testing.T, marker string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "stuck.sh")
	script := "#!/bin/sh\necho 'stuck: not reading, sorry' >&2\nsleep " + marker + " &\nexec sleep " + marker + "\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// leftover reports whether a process with marker in its command line runs.
func leftover(marker string) bool {
	out, _ := exec.Command("pgrep", "-f", "sleep "+marker).Output()
	return len(strings.TrimSpace(string(out))) > 0
}

// TestStuckExternalDetectorFailsAlone: an external detector that never reads
// used to hang the run for ever at the start message (3,000 accounts fill
// the pipe), ignore SIGINT and SIGTERM, and leave its children running. Now
// the write has the detector's timeout: the instance fails alone (exit 3)
// with the end of its stderr in the error, and it leaves no process behind —
// nor does a run interrupted while it is stuck (exit 130).
func TestStuckExternalDetectorFailsAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if _, err := exec.LookPath("pgrep"); err != nil {
		t.Skip("no pgrep")
	}
	spec := shortSpecFile(t)
	marker := "3599.25"
	first := filepath.Join(t.TempDir(), "out")
	code, stderr := runBinaryWithin(t, 5*time.Minute, "run", spec, "-o", first,
		"--detector", "wash_pairs", "--detector", "external:command="+stuckDetector(t, marker)+",timeout=2s")
	if code != exitDetector || !strings.Contains(stderr, "1 detector instance(s) failed") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s, err := results.ReadSummary(first)
	if err != nil || len(s.Failures) != 1 || !strings.Contains(s.Failures[0].Error, "did not read its input within 2s") ||
		!strings.Contains(s.Failures[0].Error, "stuck: not reading, sorry") || len(s.Instances) != 1 {
		t.Fatalf("failures %+v (%v)", s, err)
	}
	if leftover(marker) {
		exec.Command("pkill", "-f", "sleep "+marker).Run()
		t.Fatal("the stuck detector's processes outlived the run")
	}
	out := filepath.Join(t.TempDir(), "out2")

	marker = "3599.75"
	cmd := exec.Command(binary(t), "run", spec, "-o", out, "--detector", "external:command="+stuckDetector(t, marker)+",timeout=10m")
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // stuck writing the start message by now
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
			t.Fatalf("interrupted: %v: %s", err, errb.String())
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		exec.Command("pkill", "-f", "sleep "+marker).Run()
		t.Fatal("SIGINT did not end a run stuck on its external detector")
	}
	if leftover(marker) {
		exec.Command("pkill", "-f", "sleep "+marker).Run()
		t.Fatal("the stuck detector's processes outlived the interrupted run")
	}
}

// TestGateTrustsOnlyEvidence: the gate used to read any summary.json. Editing
// a failing candidate's recall to 1.0 turned the gate green; a run killed
// after its summary but before its manifest passed; a candidate of another
// seed passed without a word. Now each directory is checked against its
// manifest (exit 1, naming the file) and two scenarios are refused (exit 2)
// unless --allow-different-scenarios. report refuses a directory that does
// not match its manifest instead of re-rendering it into one that does.
func TestGateTrustsOnlyEvidence(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	spec := shortSpecFile(t)
	raw, _ := os.ReadFile(spec)
	other := filepath.Join(t.TempDir(), "other-seed.yaml")
	os.WriteFile(other, []byte(strings.Replace(string(raw), "seed: 20261123", "seed: 7", 1)), 0o644)
	base, weak, seven := filepath.Join(t.TempDir(), "base"), filepath.Join(t.TempDir(), "weak"), filepath.Join(t.TempDir(), "seven")
	for _, r := range [][]string{
		{"run", spec, "-o", base, "--detector", "wash_pairs"},
		{"run", spec, "-o", weak, "--detector", "wash_pairs:min_trades=1000"},
		{"run", other, "-o", seven, "--detector", "wash_pairs"},
	} {
		if code, stderr := runBinary(t, r...); code != 0 {
			t.Fatalf("%v exited %d: %s", r, code, stderr)
		}
	}
	if code, _ := runBinary(t, "gate", "--baseline", base, "--candidate", weak); code != exitCheckFailed {
		t.Fatalf("a weakened candidate: gate exited %d", code)
	}
	// Forge the weak candidate's summary: every recall 1.
	sp := filepath.Join(weak, "summary.json")
	b, _ := os.ReadFile(sp)
	forged := strings.ReplaceAll(string(b), `"recall": 0,`, `"recall": 1,`)
	if forged == string(b) {
		t.Fatal("nothing to forge in the summary")
	}
	os.WriteFile(sp, []byte(forged), 0o644)
	if code, stderr := runBinary(t, "gate", "--baseline", base, "--candidate", weak); code != exitCheckFailed || !strings.Contains(stderr, "content summary.json") {
		t.Fatalf("a forged summary: gate exited %d: %s", code, stderr)
	}
	// report used to re-render the forged directory and write a manifest
	// that matched it, laundering the forgery.
	if code, stderr := runBinary(t, "report", weak); code != exitCheckFailed || !strings.Contains(stderr, "content summary.json") {
		t.Fatalf("a forged summary: report exited %d: %s", code, stderr)
	}
	if _, err := backtest.ReadEvidence(weak); err == nil {
		t.Fatal("report made the forged directory match a manifest")
	}
	os.WriteFile(sp, b, 0o644)
	if code, stderr := runBinary(t, "report", weak); code != 0 {
		t.Fatalf("an honest directory: report exited %d: %s", code, stderr)
	}
	os.Remove(filepath.Join(weak, "manifest.json")) // as if killed before it was written
	if code, stderr := runBinary(t, "gate", "--baseline", base, "--candidate", weak); code != exitCheckFailed || !strings.Contains(stderr, "not a complete results directory") {
		t.Fatalf("no manifest: gate exited %d: %s", code, stderr)
	}
	if code, stderr := runBinary(t, "gate", "--baseline", base, "--candidate", seven); code != exitUsage || !strings.Contains(stderr, "different scenarios") {
		t.Fatalf("another seed: gate exited %d: %s", code, stderr)
	}
	if code, stderr := runBinary(t, "gate", "--baseline", base, "--candidate", seven, "--allow-different-scenarios"); code == exitUsage {
		t.Fatalf("another seed, allowed: gate exited %d: %s", code, stderr)
	}
}

// TestSmallInputsCannotExhaustMemory: 100 KB of nested YAML brackets took
// 3.8 GB and 46 s to refuse (spec and gate policy alike), and importing a
// file of zero bytes with no newline grew without bound (as /dev/zero
// does), and --batch 1e12 died out of memory. All are now usage errors, at
// once and naming what is wrong.
func TestSmallInputsCannotExhaustMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	nested := filepath.Join(dir, "nested.yaml")
	os.WriteFile(nested, []byte("name: x\nseed: "+strings.Repeat("[", 100_000)+"\n"), 0o644)
	if code, stderr := runBinaryWithin(t, time.Minute, "run", nested, "-o", filepath.Join(dir, "out")); code != exitUsage || !strings.Contains(stderr, "nested more than 64 deep") {
		t.Fatalf("nested spec: exit %d: %s", code, stderr)
	}
	if code, stderr := runBinaryWithin(t, time.Minute, "gate", "--run", dir, "--policy", nested); code == 0 || strings.Contains(stderr, "out of memory") {
		t.Fatalf("nested policy: exit %d: %s", code, stderr)
	}
	if code, stderr := runBinaryWithin(t, time.Minute, "run", "--batch", "1000000000000", "-o", filepath.Join(dir, "out")); code != exitUsage || !strings.Contains(stderr, "--batch 1000000000000: give 1 to 1048576") {
		t.Fatalf("--batch 1e12: exit %d: %s", code, stderr)
	}
	zeros := filepath.Join(dir, "zeros.csv")
	os.WriteFile(zeros, make([]byte, 17<<20), 0o644)
	if code, stderr := runBinaryWithin(t, time.Minute, "import", "-f", "ccxt-trades", zeros, "-o", filepath.Join(dir, "z.parquet")); code != exitUsage || !strings.Contains(stderr, "zeros.csv:1: a line longer than 16 MiB") {
		t.Fatalf("an endless line: exit %d: %s", code, stderr)
	}
}

// TestSpecValuesThatChangedResultsSilently: a NaN volatility collapsed a
// market, an attack past the end was a label outside the replay, int64's
// maximum as a price made the makers quote at 1 — all with exit 0. They are
// refused now (exit 2), naming the field.
func TestSpecValuesThatChangedResultsSilently(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	raw, err := os.ReadFile(shortSpecFile(t))
	if err != nil {
		t.Fatal(err)
	}
	suite := string(raw)
	i, j := strings.Index(suite, "\ninjections:\n"), strings.Index(suite, "\ndetectors:")
	pastEnd := suite[:i] + "\ninjections: [{typology: spoofing, symbol: BTCUSDT, intensity: blatant, at: [3h]}]" + suite[j:]
	for _, c := range []struct{ text, want string }{
		{strings.Replace(suite, "volatility: 0.006", "volatility: .nan", 1), "instruments[0].volatility: NaN is not a finite number"},
		{strings.Replace(suite, "funding_interval: 1h", "funding_interval: -1h", 1), "instruments[2].perp.funding_interval: -1h0m0s: a duration cannot be negative"},
		{strings.Replace(suite, "capital: 600", "capital: .inf", 1), "instruments[2].perp.capital: +Inf is not a finite number"},
		{strings.Replace(suite, "params: {withdraw: 1}", "params: {withdraw: .nan}", 1), "injections[16].params.withdraw: NaN is not a finite number"},
		{strings.Replace(suite, "params: {window: [60s, 300s]}", "params: {window: [60s, 300s], min_score: -.inf}", 1), "min_score: -Inf is not a finite number"},
		{strings.Replace(suite, "price: 6000000", "price: 9223372036854775807", 1), "at most 2^53"},
		{pastEnd, "must be inside the run"},
	} {
		text := c.text
		p := filepath.Join(t.TempDir(), "s.yaml")
		os.WriteFile(p, []byte(text), 0o644)
		if code, stderr := runBinaryWithin(t, time.Minute, "run", p, "-o", filepath.Join(t.TempDir(), "out")); code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d: %s", c.want, code, stderr)
		}
	}
}

// TestEmptyAndTruncatedInputs: an empty input imported as 0 events with
// exit 0 and no warning, and a gzip file cut short failed as a bad field of
// its partial last line. Both are usage errors now that say what happened.
func TestEmptyAndTruncatedInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, []byte("timestamp,side,price,amount\n"), 0o644)
	out := filepath.Join(dir, "e.parquet")
	if code, stderr := runBinary(t, "import", "-f", "ccxt-trades", empty, "-o", out); code != exitUsage || !strings.Contains(stderr, "no events in the input") {
		t.Fatalf("an empty input: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("an empty event file was left behind")
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("timestamp,side,price,amount\n"))
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(zw, "%d,buy,1.5,2\n", 1700000000000+i)
	}
	zw.Close()
	cut := filepath.Join(dir, "cut.csv.gz")
	os.WriteFile(cut, gz.Bytes()[:gz.Len()/2], 0o644)
	if code, stderr := runBinary(t, "import", "-f", "ccxt-trades", cut, "-o", filepath.Join(dir, "c.parquet")); code != exitUsage || !strings.Contains(stderr, "truncated or damaged") {
		t.Fatalf("a truncated gzip: exit %d: %s", code, stderr)
	}
}

// TestImpossibleTradesAreRefused: a CSV trade with a zero or negative price
// or amount, or a doubled sign ("-+5" was read as −5), imported with exit 0.
// Each is now refused naming its line and field, or skipped and counted with
// --skip-bad.
func TestImpossibleTradesAreRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	for _, c := range []struct{ row, field string }{
		{"1700000000000,buy,0,2", "price"},
		{"1700000000000,buy,-1.5,2", "price"},
		{"1700000000000,buy,1.5,-+5", "amount"},
		{"1700000000000,sell,1.5,0", "amount"},
	} {
		p := filepath.Join(dir, "t.csv")
		os.WriteFile(p, []byte("timestamp,side,price,amount\n1700000000000,buy,1.5,2\n"+c.row+"\n"), 0o644)
		code, stderr := runBinary(t, "import", "-f", "ccxt-trades", p, "-o", filepath.Join(dir, "t.parquet"))
		if code != exitUsage || !strings.Contains(stderr, "t.csv:3: "+c.field) {
			t.Errorf("%s: exit %d: %s", c.row, code, stderr)
		}
		code, stderr = runBinary(t, "import", "-f", "ccxt-trades", "--skip-bad", p, "-o", filepath.Join(dir, "t.parquet"))
		if code != 0 || !strings.Contains(stderr, c.field) {
			t.Errorf("%s with --skip-bad: exit %d: %s", c.row, code, stderr)
		}
	}
}

// TestUnsortedAccountsKeepTheirLabels: an external detector that listed an
// alert's accounts in descending order lost the alert's matched_labels in
// alerts.parquet (the match walked both lists as if ascending). The same
// self-trades listed with an extra account, descending, now match the same
// labels as the detector's plain alerts.
func TestUnsortedAccountsKeepTheirLabels(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	spec, ext := shortSpecFile(t), extwash(t)
	matched := func(flags string) (alerts, withLabels int) {
		out := filepath.Join(t.TempDir(), "r")
		if code, stderr := runBinary(t, "run", spec, "-o", out, "--detector", "external:command="+ext+flags+",typology=wash_trading"); code != 0 {
			t.Fatalf("run %q exited %d: %s", flags, code, stderr)
		}
		type row struct {
			Accounts []uint64 `parquet:"accounts,list"`
			Labels   []string `parquet:"matched_labels,list"`
		}
		rows, err := parquet.ReadFile[row](filepath.Join(out, results.AlertsFile))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if len(r.Labels) > 0 {
				withLabels++
			}
		}
		return len(rows), withLabels
	}
	n, plain := matched("")
	m, unsorted := matched(" -unsorted-accounts")
	if n != m || plain == 0 || unsorted != plain {
		t.Fatalf("plain: %d of %d alerts matched a label; accounts unsorted: %d of %d", plain, n, unsorted, m)
	}
}

// TestImpossibleTimesAndLevelsAreRefused: a CSV timestamp that overflowed
// (into the year 2216) or read as 1970, and a Binance depth feed with a
// negative level price, a zero-size trade or a receive time of 1 ns, all
// imported with exit 0. Each is now refused naming its line and field (the
// window is 1990–2099, docs/security.md), or skipped and counted with
// --skip-bad.
func TestImpossibleTimesAndLevelsAreRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	const snap = `1700000000000000000 {"lastUpdateId":100,"bids":[["10.00","1.0"]],"asks":[["10.01","1.5"]]}`
	const diff = `1700000000100000000 {"stream":"x@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"X","U":101,"u":101,"b":[["%s","1.0"]],"a":[]}}`
	const trade = `1700000000200000000 {"stream":"x@trade","data":{"e":"trade","E":1,"s":"X","t":1,"p":"10.00","q":"%s","T":1,"m":true,"M":true}}`
	for _, c := range []struct {
		name, format, file, content, where string
		skips                              bool
	}{
		{"overflowing ms", "ccxt-trades", "t.csv", "timestamp,side,price,amount\n1700000000000,buy,1.5,2\n99999999999999,buy,1.5,2\n", "t.csv:3: timestamp", true},
		{"1970", "ccxt-trades", "t.csv", "timestamp,side,price,amount\n1700000000000,buy,1.5,2\n5,buy,1.5,2\n", "t.csv:3: timestamp", true},
		{"negative level price", "binance-depth", "f.txt", snap + "\n" + fmt.Sprintf(diff, "-10.00") + "\n", "f.txt:2: level", false},
		{"zero-size trade", "binance-depth", "f.txt", snap + "\n" + fmt.Sprintf(trade, "0") + "\n", "f.txt:2: trade", true},
		{"receive time 1 ns", "binance-depth", "f.txt", snap + "\n1 " + strings.SplitN(fmt.Sprintf(trade, "1"), " ", 2)[1] + "\n", "f.txt:2: receive_ns", true},
	} {
		p := filepath.Join(dir, c.file)
		os.WriteFile(p, []byte(c.content), 0o644)
		code, stderr := runBinary(t, "import", "-f", c.format, p, "-o", filepath.Join(dir, "o.parquet"))
		if code != exitUsage || !strings.Contains(stderr, c.where) {
			t.Errorf("%s: exit %d: %s", c.name, code, stderr)
		}
		if !c.skips {
			continue
		}
		code, stderr = runBinary(t, "import", "-f", c.format, "--skip-bad", p, "-o", filepath.Join(dir, "o.parquet"))
		if code != 0 || !strings.Contains(stderr, "skipped_bad") {
			t.Errorf("%s with --skip-bad: exit %d: %s", c.name, code, stderr)
		}
	}
}

// TestBlockedInputHonoursCtrlC: an import reading a FIFO that no one writes
// (or that stalls after a first line) ignored SIGINT: the read cannot see a
// cancelled context. It now exits 130 within the grace period, leaving no
// output.
func TestBlockedInputHonoursCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	for _, stall := range []bool{false, true} {
		dir := t.TempDir()
		fifo, out := filepath.Join(dir, "trades.csv"), filepath.Join(dir, "out.parquet")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		cmd := exec.Command(binary(t), "import", "-f", "ccxt-trades", fifo, "-o", out)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if stall { // a writer that sends a line and then nothing
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			w.WriteString("timestamp,side,price,amount\n1700000000000,buy,1.5,2\n")
		}
		time.Sleep(300 * time.Millisecond)
		t0 := time.Now()
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
				t.Fatalf("stalled=%v: %v: %s", stall, err, stderr.String())
			}
		case <-time.After(interruptGrace + 5*time.Second):
			cmd.Process.Kill()
			t.Fatalf("stalled=%v: still running %v after SIGINT", stall, time.Since(t0))
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("stalled=%v: an output was left", stall)
		}
	}
}
