package lobster

import (
	"context"

	"github.com/tapetest/tapetest/internal/ahead"
)

// bookAhead parses a LOBSTER orderbook file on a goroutine of its own, a few
// hundred rows ahead of its reader: Verify's two halves — parsing 4 numbers
// a level of every row, and replaying the messages through the book to
// compare — then run on two cores. Rows, line numbers and the error reach
// the reader in the file's order, as BookReader gives them.
type bookAhead struct {
	r      *BookReader
	ahead  *ahead.Reader[*rowBlock]
	cur    *rowBlock
	pos    int
	levels int
	line   int64
}

// rowBlock is a run of parsed rows; err ends the file after them.
type rowBlock struct {
	rows   []BookRow
	lines  []int64
	n      int
	levels int
	err    error
}

const (
	bookAheadRows   = 2048 // rows a block
	bookAheadBlocks = 3    // one being read, two parsed ahead
)

func newBookAhead(r *BookReader) *bookAhead {
	blocks := make([]*rowBlock, bookAheadBlocks)
	for i := range blocks {
		blocks[i] = &rowBlock{rows: make([]BookRow, bookAheadRows), lines: make([]int64, bookAheadRows)}
	}
	return &bookAhead{r: r, ahead: ahead.Start(blocks, func(blk *rowBlock) (*rowBlock, error) {
		blk.n, blk.err = 0, nil
		for blk.n < len(blk.rows) {
			if row := &blk.rows[blk.n]; cap(row.AskPrice) < r.Levels() {
				// A row's four sides in one array, sized once the file's
				// levels are known: no growing, and a row in few cache
				// lines for the core that compares it.
				l := r.Levels()
				all := make([]int64, 4*l)
				row.AskPrice, row.AskSize, row.BidPrice, row.BidSize = all[:0:l], all[l:l:2*l], all[2*l:2*l:3*l], all[3*l:3*l:4*l]
			}
			if err := r.Next(&blk.rows[blk.n]); err != nil {
				blk.err = err
				break
			}
			blk.lines[blk.n] = r.Line()
			blk.n++
		}
		blk.levels = r.Levels()
		return blk, blk.err
	})}
}

// Next returns the next row, as BookReader.Next reads it; the row is valid
// until the next call (it is the parsed block's own, not a copy).
func (a *bookAhead) Next() (*BookRow, error) {
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
	a.line, a.levels = a.cur.lines[a.pos], a.cur.levels
	a.pos++
	return row, nil
}

// Levels is the file's number of levels (0 before the first row).
func (a *bookAhead) Levels() int { return a.levels }

// Line is the 1-based line number of the last row returned.
func (a *bookAhead) Line() int64 { return a.line }

// Close stops the parsing goroutine and closes the file.
func (a *bookAhead) Close() error {
	a.ahead.Stop()
	return a.r.Close()
}
