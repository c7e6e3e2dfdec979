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

// aheadCase is a file of rows rows, the row bad malformed (1-based; 0:
// none).
type aheadCase struct {
	name      string
	rows, bad int
}

// end compares row n's error from the plain reader (werr) with the
// read-ahead's (gerr): it fails the test when they differ, when the file
// ends before the malformed row, or when the error comes at another row. It
// reports whether the file ended and whether reading stops here.
func (c aheadCase) end(t *testing.T, n int, werr, gerr error) (eof, stop bool) {
	t.Helper()
	if fmt.Sprint(werr) != fmt.Sprint(gerr) {
		t.Fatalf("row %d: error %v, the plain reader's %v", n, gerr, werr)
	}
	switch {
	case werr == io.EOF:
		if c.bad != 0 {
			t.Fatalf("no error for the malformed row %d", c.bad)
		}
		return true, true
	case werr != nil:
		if n != c.bad {
			t.Fatalf("error at row %d, malformed row %d", n, c.bad)
		}
		return false, true
	}
	return false, false
}

// TestBookAheadIsTheReader: the rows, line numbers, levels and error that
// newBookAhead hands out (parsed blocks ahead on their own goroutine, each row
// the block's own) are BookReader's, row by row, across many blocks and up
// to a malformed row in the middle of one; it fails when a block is
// released while its row is in use (written over before the next call).
func TestBookAheadIsTheReader(t *testing.T) {
	for _, c := range []aheadCase{
		{"one_block", 10, 0},
		{"many_blocks", 5*aheadRows + 17, 0},
		{"error_mid_block", 5*aheadRows + 17, 3*aheadRows + 100},
		{"error_first_row", 40, 1},
		{"error_last_row", 2 * aheadRows, 2 * aheadRows},
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
			plain, bf := openTwice(t, "book.csv", sb.String(), OpenBook)
			ahead := newBookAhead(bf)
			defer ahead.Close()
			var want BookRow
			for n := 1; ; n++ {
				werr := plain.Next(&want)
				got, gerr := ahead.Next()
				if _, stop := c.end(t, n, werr, gerr); stop {
					return
				}
				if !sameRow(got, &want) || ahead.Line() != plain.Line() || int(ahead.State()) != plain.Levels() {
					t.Fatalf("row %d: %+v line %d levels %d, BookReader's %+v line %d levels %d", n, *got, ahead.Line(), ahead.State(), want, plain.Line(), plain.Levels())
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

// TestMessagesAheadIsTheReader: the messages, line numbers, error and
// count of rounded times that newMessagesAhead hands out are
// MessageReader's, across blocks and up to a malformed row; the count
// after the file's end is the reader's.
func TestMessagesAheadIsTheReader(t *testing.T) {
	for _, c := range []aheadCase{
		{"one_block", 10, 0},
		{"many_blocks", 3*aheadRows + 5, 0},
		{"exact_blocks", 2 * aheadRows, 0},
		{"error_mid_block", 3*aheadRows + 5, 2*aheadRows + 9},
	} {
		t.Run(c.name, func(t *testing.T) {
			var sb strings.Builder
			for i := 1; i <= c.rows; i++ {
				switch {
				case i == c.bad:
					sb.WriteString("34200.1,9,1,1,1,1\n")
				case i%97 == 0: // a time beyond the nanosecond, rounded and counted
					fmt.Fprintf(&sb, "%d.1234567891,1,%d,%d,5850000,1\n", 34200+i, i, 1+i%9)
				default:
					fmt.Fprintf(&sb, "%d.123456789,%d,%d,%d,%d,%d\n", 34200+i, 1+i%4, i, 1+i%9, 5850000+100*(i%7), 1-2*(i%2))
				}
			}
			plain, mf := openTwice(t, "messages.csv", sb.String(), OpenMessages)
			ahead := newMessagesAhead(mf)
			defer ahead.Close()
			for n := 1; ; n++ {
				var want Message
				werr := plain.Next(&want)
				got, gerr := ahead.Next()
				if eof, stop := c.end(t, n, werr, gerr); stop {
					if eof && (ahead.State() != plain.Rounded || plain.Rounded != int64(c.rows/97)) {
						t.Fatalf("rounded %d, MessageReader's %d, rows %d", ahead.State(), plain.Rounded, c.rows)
					}
					return
				}
				if *got != want || ahead.Line() != plain.Line() {
					t.Fatalf("row %d: %+v line %d, MessageReader's %+v line %d", n, *got, ahead.Line(), want, plain.Line())
				}
			}
		})
	}
}

// openTwice writes text to a file named name and opens it twice with open:
// one reader to read plainly, one to read ahead (which its Close closes).
func openTwice[R io.Closer](t *testing.T, name, text string, open func(string) (R, error)) (plain, ahead R) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	plain, err := open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.Close() })
	if ahead, err = open(path); err != nil {
		t.Fatal(err)
	}
	return plain, ahead
}

// TestBookAheadBlocksFollowTheRowWidth: a file of wide rows is read ahead
// in blocks of fewer rows, so that what is held ahead stays bounded by
// bytes, not rows (200 levels at 2,048 rows a block would be 39 MB); every
// row still arrives, in order.
func TestBookAheadBlocksFollowTheRowWidth(t *testing.T) {
	for _, c := range []struct{ levels, rows int }{{10, 3000}, {100, 700}, {200, 300}} {
		var sb strings.Builder
		for i := 1; i <= c.rows; i++ {
			for l := 0; l < c.levels; l++ {
				if l > 0 {
					sb.WriteByte(',')
				}
				fmt.Fprintf(&sb, "%d,%d,%d,%d", 6000000+100*l, 1+i%7, 5990000-100*l, 1+i%5)
			}
			sb.WriteByte('\n')
		}
		_, bf := openTwice(t, fmt.Sprintf("book%d.csv", c.levels), sb.String(), OpenBook)
		ahead := newBookAhead(bf)
		most, n := 0, 0
		for {
			row, err := ahead.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			if len(row.AskPrice) != c.levels || row.AskSize[0] != int64(1+n%7) {
				t.Fatalf("%d levels, row %d: %d ask levels, size %d", c.levels, n, len(row.AskPrice), row.AskSize[0])
			}
			most = max(most, ahead.cur.n)
		}
		ahead.Close()
		if n != c.rows || most > bookBlockRows(c.levels) || most < bookBlockRows(c.levels)/2 {
			t.Errorf("%d levels: %d rows, blocks of up to %d rows (want up to %d)", c.levels, n, most, bookBlockRows(c.levels))
		}
	}
}
