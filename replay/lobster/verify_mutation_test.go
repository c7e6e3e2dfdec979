package lobster

import (
	"bufio"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
)

// readHead returns the first n lines of a (gzipped) file.
func readHead(t *testing.T, path string, n int) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out []string
	for sc.Scan() && len(out) < n {
		out = append(out, sc.Text())
	}
	return out
}

func writeLines(t *testing.T, path string, lines []string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyCatchesBrokenReplays shows that the window rule is not a tautology:
// corrupting one message of the real GOOG day — as a broken importer or book
// would — yields unexplained mismatches, while the unmodified head has none.
func TestVerifyCatchesBrokenReplays(t *testing.T) {
	const n = 20000
	msgs := readHead(t, realdata.Path(t, "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"), n)
	book := readHead(t, realdata.Path(t, "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz"), n)
	dir := t.TempDir()
	bookPath := filepath.Join(dir, "book.csv")
	writeLines(t, bookPath, book)
	// findAfter returns the index of the first message of type typ at or after line from
	// whose price is the best level of its side in the reference row before it.
	findAfter := func(from int, typ string) int {
		for i := from; i < len(msgs); i++ {
			f := strings.Split(msgs[i], ",")
			if f[1] != typ {
				continue
			}
			prev := strings.Split(book[i-1], ",")
			best := prev[0]
			if f[5] == "1" {
				best = prev[2]
			}
			if f[4] == best {
				return i
			}
		}
		t.Fatalf("no type %s message at the touch after line %d", typ, from)
		return -1
	}
	replace := func(i int, fn func(f []string)) []string {
		out := append([]string(nil), msgs...)
		f := strings.Split(out[i], ",")
		fn(f)
		out[i] = strings.Join(f, ",")
		return out
	}
	cases := []struct {
		name string
		msgs []string
		want bool // unexplained mismatches expected
	}{
		{"unmodified", msgs, false},
		{"add with the wrong size", replace(findAfter(5000, "1"), func(f []string) { f[3] = "777" }), true},
		{"dropped add", replace(findAfter(6000, "1"), func(f []string) { f[1], f[2] = "5", "0" }), true},
		{"dropped delete", replace(findAfter(7000, "3"), func(f []string) { f[1], f[2] = "5", "0" }), true},
		{"execution applied twice the size", replace(findAfter(8000, "4"), func(f []string) { f[3] = "1" }), true},
		{"execution of an order that never existed", replace(findAfter(9000, "4"), func(f []string) { f[2] = "1" }), true},
		{"delete of an order that never existed", replace(findAfter(9500, "3"), func(f []string) { f[2] = "1" }), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mp := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".csv")
			writeLines(t, mp, c.msgs)
			rep, err := Verify(context.Background(), mp, bookPath, VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(rep.Summary())
			if got := rep.Unexplained > 0; got != c.want {
				t.Fatalf("unexplained=%d, want unexplained>0 = %v; examples %v", rep.Unexplained, c.want, rep.Examples)
			}
		})
	}
}
