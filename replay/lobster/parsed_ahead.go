package lobster

import (
	"context"

	"github.com/tapetest/tapetest/internal/ahead"
)

// parsedAhead parses a file's rows on a goroutine of its own, blocks of rows
// ahead of its reader: Verify's three parts — reading the message file,
// reading the orderbook file (4 numbers a level of every row), and
// replaying the messages through the book to compare — then share the two
// cores. Rows, line numbers and the error reach the reader in the file's
// order, as the file's reader gives them.
//
// Rows are handed over 2048 at a time (fewer when rows are wide,
// bookBlockRows): on this project's 2-core VMs a hand-off that wakes an
// idle core costs 10-18 us of wall time, and verifying the GOOG day took
// 79 ms with blocks of 64 rows, 62 ms with 256 and 52 ms with 1024
// (BENCHMARKS.md).
type parsedAhead[T any] struct {
	ahead *ahead.Reader[*parsedBlock[T]]
	cur   *parsedBlock[T]
	pos   int
	line  int64
	state int64
	close func() error
}

// parsedBlock is a run of parsed rows; err ends the file after them.
type parsedBlock[T any] struct {
	rows  []T
	lines []int64
	n     int
	state int64
	err   error
}

const (
	aheadRows   = 2048 // rows a block
	aheadBlocks = 3    // one being read, two parsed ahead
)

// rowFile is the reader parsedAhead reads ahead of: next parses a row into
// a reused value, line is its line number, and state is what the reader
// learned so far that its user asks after (the orderbook file's levels,
// the message file's rounded times).
type rowFile[T any] struct {
	next  func(*T) error
	line  func() int64
	state func() int64
	prep  func(*T) // readies a block's row before its first use (may be nil)
	// rows, when set, is how many rows a block takes, asked before each
	// row: wide rows fill a block sooner, so that what is read ahead stays
	// a few megabytes whatever a row holds.
	rows  func() int
	close func() error
}

func startAhead[T any](f rowFile[T]) *parsedAhead[T] {
	blocks := make([]*parsedBlock[T], aheadBlocks)
	for i := range blocks {
		blocks[i] = &parsedBlock[T]{rows: make([]T, aheadRows), lines: make([]int64, aheadRows)}
	}
	return &parsedAhead[T]{close: f.close, ahead: ahead.Start(blocks, func(blk *parsedBlock[T]) (*parsedBlock[T], error) {
		blk.n, blk.err = 0, nil
		for blk.n < len(blk.rows) && (f.rows == nil || blk.n < f.rows()) {
			if f.prep != nil {
				f.prep(&blk.rows[blk.n])
			}
			if err := f.next(&blk.rows[blk.n]); err != nil {
				blk.err = err
				break
			}
			blk.lines[blk.n] = f.line()
			blk.n++
		}
		blk.state = f.state()
		return blk, blk.err
	})}
}

// newBookAhead reads an orderbook file ahead; State is its levels.
func newBookAhead(r *BookReader) *parsedAhead[BookRow] {
	return startAhead(rowFile[BookRow]{
		next:  r.Next,
		line:  r.Line,
		state: func() int64 { return int64(r.Levels()) },
		rows:  func() int { return bookBlockRows(r.Levels()) },
		prep: func(row *BookRow) {
			if l := r.Levels(); cap(row.AskPrice) < l {
				// A row's four sides in one array, sized once the file's
				// levels are known: no growing, and a row in few cache
				// lines for the core that compares it.
				all := make([]int64, 4*l)
				row.AskPrice, row.AskSize, row.BidPrice, row.BidSize = all[:0:l], all[l:l:2*l], all[2*l:2*l:3*l], all[3*l:3*l:4*l]
			}
		},
		close: r.Close,
	})
}

// bookBlockRows is how many rows of a file of levels levels a block takes:
// aheadRows of 10 levels or fewer (640 KiB of numbers at 10), fewer of wider
// rows so that a block stays near 640 KiB (102 rows of 200 levels, the
// widest a file may be); 64 until the first row tells the width.
func bookBlockRows(levels int) int {
	if levels <= 0 {
		return 64 // the first row tells the width
	}
	return max(64, min(aheadRows, aheadRows*10/levels))
}

// newMessagesAhead reads a message file ahead; State is its count of times
// rounded to the nanosecond.
func newMessagesAhead(m *MessageReader) *parsedAhead[Message] {
	return startAhead(rowFile[Message]{
		next:  m.Next,
		line:  m.Line,
		state: func() int64 { return m.Rounded },
		close: m.Close,
	})
}

// Next returns the next row; it is valid until the next call (it is the
// parsed block's own, not a copy).
func (a *parsedAhead[T]) Next() (*T, error) {
	for a.cur == nil || a.pos >= a.cur.n {
		if a.cur != nil {
			if a.cur.err != nil {
				return nil, a.cur.err
			}
			a.ahead.Release(a.cur)
		}
		a.cur, _ = a.ahead.Next(context.Background()) // the block carries its error
		a.pos = 0
	}
	row := &a.cur.rows[a.pos]
	a.line, a.state = a.cur.lines[a.pos], a.cur.state
	a.pos++
	return row, nil
}

// State is the reader's state after the block of the last row returned
// (0 before the first): an orderbook file's levels, a message file's count
// of rounded times. Both are known from a file's first row on, or only
// grow, so that the value after the block serves every row of it.
func (a *parsedAhead[T]) State() int64 { return a.state }

// Line is the 1-based line number of the last row returned.
func (a *parsedAhead[T]) Line() int64 { return a.line }

// Close stops the parsing goroutine and closes the file.
func (a *parsedAhead[T]) Close() error {
	a.ahead.Stop()
	return a.close()
}
