package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
)

func TestVerifyLobsterCommand(t *testing.T) {
	const fix = "../../replay/lobster/testdata/SYN_2012-06-21_34200000_57600000_"
	msgs, book := fix+"message_3.csv", fix+"orderbook_3.csv"
	raw, err := os.ReadFile(msgs)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	dir := t.TempDir()
	write := func(name string, ls []string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(ls, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Drop the first add after line 100 (as a cross print, so rows stay aligned).
	dropped := append([]string(nil), lines...)
	for i := 100; i < len(dropped); i++ {
		f := strings.Split(dropped[i], ",")
		if f[1] == "1" {
			dropped[i] = strings.Join([]string{f[0], "6", "0", "1", f[4], "1"}, ",")
			break
		}
	}
	malformed := append([]string(nil), lines...)
	malformed[9] = "34200.1,1,x,10,5000000,1"
	cases := []struct {
		name     string
		args     []string
		code     int
		lastLine string // prefix of the last line
	}{
		{"fixture verifies", []string{"--messages", msgs, "--book", book}, 0, "rows=306 mismatched=36 unexplained=0 resynced=36"},
		{"dropped add is unexplained", []string{"--messages", write("dropped.csv", dropped), "--book", book}, 1, "rows=306 mismatched=37 unexplained=1 resynced=36"},
		{"malformed row", []string{"--messages", write("bad.csv", malformed), "--book", book}, 2, ""},
		{"fewer book rows", []string{"--messages", msgs, "--book", write("short.csv", lines[:5])}, 2, ""},
		{"bad format", []string{"--messages", msgs, "--book", book, "--format", "xml"}, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, code := stdout(t, append([]string{"verify", "lobster"}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; output:\n%s", code, c.code, out)
			}
			if c.lastLine == "" {
				return
			}
			ls := strings.Split(strings.TrimSpace(out), "\n")
			if last := ls[len(ls)-1]; last != c.lastLine {
				t.Fatalf("last line %q, want %q", last, c.lastLine)
			}
			if !strings.Contains(out, "hidden_execution") {
				t.Fatalf("counts by kind missing:\n%s", out)
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		out, code := stdout(t, "verify", "lobster", "--messages", msgs, "--book", book, "--format", "json")
		var rep struct {
			Rows, Mismatched, Unexplained, Resynced int64
			Levels                                  int
			Counts                                  []struct{ Kind string }
		}
		if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Rows != 306 || rep.Levels != 3 || rep.Resynced != 36 || len(rep.Counts) == 0 {
			t.Fatalf("exit %d, output %s", code, out)
		}
	})
}

// TestLOBSTERFloatArtifactTimes: a real LOBSTER day whose writer printed
// times with float artifacts ("43002.632812672004") stopped import, verify,
// realism and run at that row. The shared AAPL file with every time printed
// at 17 significant digits (as such writers do) now verifies exactly as the
// original (unexplained=0), imports to the same bytes, and reports how many
// times it rounded.
func TestLOBSTERFloatArtifactTimes(t *testing.T) {
	const name = "AAPL_2012-06-21_34200000_57600000_"
	msgs := realdata.Path(t, "lobster-aapl-l10-head/"+name+"message_10.csv")
	book := strings.Replace(msgs, "message", "orderbook", 1)
	raw, err := os.ReadFile(msgs)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	artifacts := 0
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		tm, rest, _ := strings.Cut(line, ",")
		f, err := strconv.ParseFloat(tm, 64)
		if err != nil {
			t.Fatal(err)
		}
		printed := strconv.FormatFloat(f, 'g', 17, 64)
		if _, frac, _ := strings.Cut(printed, "."); len(frac) > 9 {
			artifacts++
		}
		b.WriteString(printed + "," + rest + "\n")
	}
	if artifacts < 100 {
		t.Fatalf("only %d times print with artifacts", artifacts)
	}
	float := filepath.Join(t.TempDir(), name+"message_10.csv")
	if err := os.WriteFile(float, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	want, code := stdout(t, "verify", "lobster", "--messages", msgs, "--book", book, "--format", "json")
	if code != 0 {
		t.Fatalf("the original verifies with exit %d:\n%s", code, want)
	}
	got, code := stdout(t, "verify", "lobster", "--messages", float, "--book", book, "--format", "json")
	if code != 0 {
		t.Fatalf("the float-printed file verifies with exit %d:\n%s", code, got)
	}
	var w, g struct {
		Rows, Unexplained int64
		Counts            []struct {
			Kind string
			N    int64
		}
	}
	json.Unmarshal([]byte(want), &w)
	json.Unmarshal([]byte(got), &g)
	rounded := int64(0)
	for _, c := range g.Counts {
		if c.Kind == "time_rounded_to_ns" {
			rounded = c.N
		}
	}
	if g.Rows != w.Rows || g.Unexplained != 0 || rounded != int64(artifacts) {
		t.Fatalf("float-printed: rows %d (want %d), unexplained %d, %d times rounded (want %d)", g.Rows, w.Rows, g.Unexplained, rounded, artifacts)
	}
	dir := t.TempDir()
	a, c := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "c.parquet")
	if run("import", "-f", "lobster", msgs, book, "-o", a) != 0 || run("import", "-f", "lobster", float, book, "-o", c) != 0 {
		t.Fatal("import failed")
	}
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(c)
	if len(x) == 0 || !bytes.Equal(x, y) {
		t.Fatal("the float-printed file imports to other events")
	}
}

// TestVerifyKrakenCommand: the shared Kraken capture's ten books match all
// 4,269 of Kraken's checksums (exit 0); a capture with one volume changed
// fails (exit 1).
func TestVerifyKrakenCommand(t *testing.T) {
	capture := realdata.Path(t, "crypto-ws-capture-cryptofeed/KRAKEN.ws.50.0.gz")
	out, code := stdout(t, "verify", "kraken", capture)
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "checked=4269 mismatched=0") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	f, _ := os.Open(capture)
	zr, _ := gzip.NewReader(f)
	raw, _ := io.ReadAll(zr)
	f.Close()
	changed := strings.Replace(string(raw), `[992,{"b":[["354.15000000","5.00000000"`, `[992,{"b":[["354.15000000","5.10000000"`, 1)
	p := filepath.Join(t.TempDir(), "changed.txt")
	os.WriteFile(p, []byte(changed), 0o644)
	if out, code := stdout(t, "verify", "kraken", p); code != exitCheckFailed || !strings.Contains(out, "mismatch: ") {
		t.Fatalf("a changed volume: exit %d:\n%s", code, out)
	}
}

// TestVerifyBitmexCommand: every quote of the shared BitMEX capture is a top
// the rebuilt books had (exit 0); the capture imports as L2 events.
func TestVerifyBitmexCommand(t *testing.T) {
	capture := realdata.Path(t, "crypto-ws-capture-cryptofeed/BITMEX.ws.1.0.gz")
	out, code := stdout(t, "verify", "bitmex", capture)
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "quotes=426 matched=426 unmatched=0") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if code, _, stderr := runCLI("import", "-f", "bitmex-l2", capture, "-o", filepath.Join(t.TempDir(), "b.parquet")); code != 0 {
		t.Fatalf("import exited %d: %s", code, stderr)
	}
}

// TestVerifyCoinbaseCommand: every ticker of the shared Coinbase capture
// stamped after its product's snapshot agrees with the rebuilt book (exit 0);
// the capture imports as L2 events and trades.
func TestVerifyCoinbaseCommand(t *testing.T) {
	capture := realdata.Path(t, "crypto-ws-capture-cryptofeed/COINBASE.ws.28.0.gz")
	out, code := stdout(t, "verify", "coinbase", capture)
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "aligned=96 mismatched=0") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if code, _, stderr := runCLI("import", "-f", "coinbase-l2", capture, "-o", filepath.Join(t.TempDir(), "c.parquet")); code != 0 {
		t.Fatalf("import exited %d: %s", code, stderr)
	}
}
