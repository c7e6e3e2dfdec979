package replay

import "github.com/tapetest/tapetest/orderbook"

// Outcome is how the engine handled an event.
type Outcome uint8

// Outcomes. Anything other than Applied is also counted in the run's Reconciliation.
const (
	Applied    Outcome = 0 // the event changed the book (or was a print) as described
	Rejected   Outcome = 1 // the book refused it (post-only cross, FOK unfillable, STP, ...); book unchanged
	Reconciled Outcome = 2 // a policy adjusted it (unknown order id in a truncated feed, ...); see counts
)

// Record is one event after the engine applied it: the event, the fills it caused
// (Batch.Fills[FillStart:FillEnd]) and the book top after it.
type Record struct {
	Event     Event
	Top       orderbook.Top
	FillStart uint32
	FillEnd   uint32
	Outcome   Outcome
}

// Batch is an immutable run of consecutive records. Every consumer reads the same
// batch concurrently; none may modify or retain it after Consume returns.
type Batch struct {
	Seq     uint64 // 0-based batch number in the run
	Records []Record
	Fills   []orderbook.Fill
	// Traded lists, in order, the index of every record that has fills
	// (FillEnd > FillStart) and of no other: a detector that reads only
	// trades visits these records and skips the rest of the batch.
	Traded []uint32
	// Makers is, fill by fill (Makers[k] for Fills[k]), when the fill's
	// maker order was placed — its add's event time — and its quantity
	// then, as the engine's book kept them (orderbook.Config.KeepPlaced; a
	// modify keeps both); the zero Placed for a print or a hidden execution.
	// A detector that asks how old or how big a resting order was when it
	// traded reads it here instead of keeping every order it has seen.
	Makers []orderbook.Placed
	// Ladders are the depth snapshots the engine took after some records
	// (EngineOptions.Ladders), in record order; their levels are in Levels.
	Ladders []Ladder
	Levels  []orderbook.Level
}

// Ladder is a depth snapshot of one instrument's book, taken after record
// Record of its batch: bids best first in Batch.Levels[BidStart:BidEnd],
// asks best first in Batch.Levels[BidEnd:AskEnd].
type Ladder struct {
	Record                   uint32
	Symbol                   uint32
	TS                       int64
	BidStart, BidEnd, AskEnd uint32
}

// LadderOf returns the bids and asks of ladder k (sub-slices of b.Levels;
// do not modify).
func (b *Batch) LadderOf(k int) (bids, asks []orderbook.Level) {
	l := &b.Ladders[k]
	return b.Levels[l.BidStart:l.BidEnd], b.Levels[l.BidEnd:l.AskEnd]
}

// MakersOf returns the Placed of the makers of record i's fills, one a fill
// (a sub-slice of b.Makers; do not modify).
func (b *Batch) MakersOf(i int) []orderbook.Placed {
	r := &b.Records[i]
	return b.Makers[r.FillStart:r.FillEnd]
}

// FillsOf returns the fills of record i (a sub-slice of b.Fills; do not modify).
func (b *Batch) FillsOf(i int) []orderbook.Fill {
	r := &b.Records[i]
	return b.Fills[r.FillStart:r.FillEnd]
}
