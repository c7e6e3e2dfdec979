package lobster

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestBookAheadIsTheReader: the rows, line numbers, levels and error that
// bookAhead hands out (parsed blocks ahead on their own goroutine, each row
// the block's own) are BookReader's, row by row, across many blocks and up
// to a malformed row in the middle of one; it fails when a block is
// released while its row is in use (written over before the next call).
func TestBookAheadIsTheReader(t *testing.T) {
	for _, c := range []struct {
		name string
		rows int
		bad  int // 1-based row made malformed (0: none)
	}{
		{"one_block", 10, 0},
		{"many_blocks", 5*bookAheadRows + 17, 0},
		{"error_mid_block", 5*bookAheadRows + 17, 3*bookAheadRows + 100},
		{"error_first_row", 40, 1},
		{"error_last_row", 2 * bookAheadRows, 2 * bookAheadRows},
	} {
		t.Run(c.name, func(t *testing.T) {
			var sb strings.Builder
			for i := 1; i <= c.rows; i++ {
				if i == c.bad {
					sb.WriteString("5850000,1x,5840000,5\n")
					continue
				}
				if i%50 == 0 {
					sb.WriteString("\n") // an empty line between rows is skipped
				}
				// Levels that change every row, and an empty ask level now and then.
				ask := fmt.Sprintf("%d,%d", 5850000+100*(i%7), 1+i%13)
				if i%11 == 0 {
					ask = "9999999999,0"
				}
				fmt.Fprintf(&sb, "%s,%d,%d\n", ask, 5840000-100*(i%5), 1+i%17)
			}
			path := filepath.Join(t.TempDir(), "book.csv")
			if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			plain, err := OpenBook(path)
			if err != nil {
				t.Fatal(err)
			}
			defer plain.Close()
			bf, err := OpenBook(path)
			if err != nil {
				t.Fatal(err)
			}
			ahead := newBookAhead(bf)
			defer ahead.Close()
			var want BookRow
			for n := 1; ; n++ {
				werr := plain.Next(&want)
				got, gerr := ahead.Next()
				if fmt.Sprint(werr) != fmt.Sprint(gerr) {
					t.Fatalf("row %d: error %v, BookReader's %v", n, gerr, werr)
				}
				if werr == io.EOF {
					if c.bad != 0 {
						t.Fatalf("no error for the malformed row %d", c.bad)
					}
					return
				}
				if werr != nil {
					if n != c.bad {
						t.Fatalf("error at row %d, malformed row %d", n, c.bad)
					}
					return
				}
				if !sameRow(got, &want) || ahead.Line() != plain.Line() || ahead.Levels() != plain.Levels() {
					t.Fatalf("row %d: %+v line %d levels %d, BookReader's %+v line %d levels %d", n, *got, ahead.Line(), ahead.Levels(), want, plain.Line(), plain.Levels())
				}
				// The row is the caller's until the next call: the parsing
				// goroutine, given time, must not write over it.
				kept := BookRow{slices.Clone(got.AskPrice), slices.Clone(got.AskSize), slices.Clone(got.BidPrice), slices.Clone(got.BidSize)}
				for k := 0; k < 20; k++ {
					runtime.Gosched()
				}
				if !sameRow(got, &kept) {
					t.Fatalf("row %d changed before the next call", n)
				}
			}
		})
	}
}

func sameRow(a, b *BookRow) bool {
	return slices.Equal(a.AskPrice, b.AskPrice) && slices.Equal(a.AskSize, b.AskSize) && slices.Equal(a.BidPrice, b.BidPrice) && slices.Equal(a.BidSize, b.BidSize)
}
