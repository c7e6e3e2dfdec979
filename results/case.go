package results

import (
	"context"
	"slices"
)

// CaseLevels is the number of price levels per side a case's ladder shows.
const CaseLevels = 10

// caseTradesKept bounds the trades a case keeps of its window, past those
// of the alert's accounts (all kept); the rest are counted
// (CaseMarket.TradesOmitted) and the page says so.
const caseTradesKept = 5000

// CaseTape reads back, after a run, the market around alerts: the trades
// and depth ladders of an instrument in a time window. The run writes it
// (package backtest); a results directory re-rendered from its files has
// none and keeps the case files it has.
type CaseTape interface {
	Read(ctx context.Context, windows []CaseWindow) ([]CaseMarket, error)
}

// CaseWindow is a stretch of one instrument's market a case shows, and the
// moments at which it shows the whole ladder.
type CaseWindow struct {
	Symbol   string
	From, To int64   // ns, inclusive
	Moments  []int64 // ns: the ladder as it stood at each (the latest snapshot at or before it)
	// Accounts are the alert's accounts: their trades are kept whatever
	// the window's number of trades.
	Accounts []uint64
}

// CaseInstrument is how a case prints an instrument's prices and
// quantities.
type CaseInstrument struct {
	Symbol        string
	PriceDecimals int
	QtyDecimals   int
}

// CaseTrade is one fill in a case's window.
type CaseTrade struct {
	TS           int64
	Price, Qty   float64
	Buy          bool   // the aggressor bought
	Maker, Taker uint64 // accounts (0: unknown)
}

// CaseLevel is one price level of a ladder.
type CaseLevel struct {
	Price, Qty float64
	Orders     int32 // 0 for level-aggregated (L2) books
}

// CaseBook is a ladder snapshot: best first on each side.
type CaseBook struct {
	TS         int64
	Bids, Asks []CaseLevel
}

// CaseMarket is what the tape held of one window.
type CaseMarket struct {
	Instrument    CaseInstrument
	Trades        []CaseTrade
	TradesOmitted int        // trades in the window past caseTradesKept
	Quotes        []CaseBook // every snapshot in the window, for the price path
	Ladders       []CaseBook // one per CaseWindow.Moments (TS 0: no snapshot yet)
}

// AddTrade adds a trade of window w, in time order.
func (m *CaseMarket) AddTrade(w CaseWindow, t CaseTrade) {
	if len(m.Trades) >= caseTradesKept && !slices.Contains(w.Accounts, t.Maker) && !slices.Contains(w.Accounts, t.Taker) {
		m.TradesOmitted++
		return
	}
	m.Trades = append(m.Trades, t)
}

// AddBook takes the instrument's next snapshot b (in time order): a quote of
// the price path inside the window, and the ladder of every moment at or
// after it.
func (m *CaseMarket) AddBook(w CaseWindow, b CaseBook) {
	if m.Ladders == nil {
		m.Ladders = make([]CaseBook, len(w.Moments))
	}
	for k, t := range w.Moments {
		if b.TS <= t {
			m.Ladders[k] = b
		}
	}
	if b.TS >= w.From && b.TS <= w.To {
		m.Quotes = append(m.Quotes, CaseBook{TS: b.TS, Bids: b.Bids[:min(1, len(b.Bids))], Asks: b.Asks[:min(1, len(b.Asks))]})
	}
}
