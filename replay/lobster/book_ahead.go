package lobster

// bookAhead parses a LOBSTER orderbook file on a goroutine of its own, a few
// hundred rows ahead of its reader: Verify's two halves — parsing 4 numbers
// a level of every row, and replaying the messages through the book to
// compare — then run on two cores. Rows, line numbers and the error reach
// the reader in the file's order, as BookReader gives them.
type bookAhead struct {
	r          *BookReader
	full, free chan *rowBlock
	quit, gone chan struct{}
	cur        *rowBlock
	pos        int
	levels     int
	line       int64
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
	bookAheadRows   = 256 // rows a block
	bookAheadBlocks = 3   // one being read, two parsed ahead
)

func newBookAhead(r *BookReader) *bookAhead {
	a := &bookAhead{r: r, full: make(chan *rowBlock, bookAheadBlocks), free: make(chan *rowBlock, bookAheadBlocks),
		quit: make(chan struct{}), gone: make(chan struct{})}
	for range bookAheadBlocks {
		a.free <- &rowBlock{rows: make([]BookRow, bookAheadRows), lines: make([]int64, bookAheadRows)}
	}
	go a.fill()
	return a
}

func (a *bookAhead) fill() {
	defer close(a.gone)
	for {
		var blk *rowBlock
		select {
		case blk = <-a.free:
		case <-a.quit:
			return
		}
		blk.n, blk.err = 0, nil
		for blk.n < len(blk.rows) {
			if err := a.r.Next(&blk.rows[blk.n]); err != nil {
				blk.err = err
				break
			}
			blk.lines[blk.n] = a.r.Line()
			blk.n++
		}
		blk.levels = a.r.Levels()
		select {
		case a.full <- blk:
		case <-a.quit:
			return
		}
		if blk.err != nil {
			return
		}
	}
}

// Next reads the next row into row (reusing its slices), as BookReader.Next.
func (a *bookAhead) Next(row *BookRow) error {
	for a.cur == nil || a.pos >= a.cur.n {
		if a.cur != nil {
			if a.cur.err != nil {
				return a.cur.err
			}
			a.free <- a.cur
		}
		a.cur, a.pos = <-a.full, 0
	}
	src := &a.cur.rows[a.pos]
	row.AskPrice = append(row.AskPrice[:0], src.AskPrice...)
	row.AskSize = append(row.AskSize[:0], src.AskSize...)
	row.BidPrice = append(row.BidPrice[:0], src.BidPrice...)
	row.BidSize = append(row.BidSize[:0], src.BidSize...)
	a.line, a.levels = a.cur.lines[a.pos], a.cur.levels
	a.pos++
	return nil
}

// Levels is the file's number of levels (0 before the first row).
func (a *bookAhead) Levels() int { return a.levels }

// Line is the 1-based line number of the last row returned.
func (a *bookAhead) Line() int64 { return a.line }

// Close stops the parsing goroutine and closes the file.
func (a *bookAhead) Close() error {
	close(a.quit)
	<-a.gone
	return a.r.Close()
}
