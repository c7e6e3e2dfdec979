package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
