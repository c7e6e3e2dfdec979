package replay

import (
	"math"
	"strconv"
)

// Kind is an instrument's kind.
type Kind uint8

// Instrument kinds.
const (
	Spot      Kind = 0
	Equity    Kind = 1
	Perpetual Kind = 2
)

// Instrument describes one symbol of a run. Prices and quantities of events are
// int64 fixed point: the real price is Price * 10^-PriceExp.
type Instrument struct {
	Symbol   string `json:"symbol"`
	Venue    string `json:"venue,omitempty"`
	Kind     Kind   `json:"kind"`
	PriceExp int8   `json:"price_exp"` // decimal digits of the fixed-point price
	QtyExp   int8   `json:"qty_exp"`   // decimal digits of the fixed-point quantity
	Tick     int64  `json:"tick"`      // minimum price increment, in fixed-point units (>= 1)
	Lot      int64  `json:"lot"`       // minimum quantity increment, in fixed-point units (>= 1)
	// ReportsExecutions is set for market-by-order feeds that report every
	// trade as an execute event (LOBSTER, ITCH): their adds rest without
	// matching. An add that would cross means the replayed book holds orders
	// the feed removed unseen; the engine removes them and counts it.
	ReportsExecutions bool `json:"reports_executions,omitempty"`
	// MatchesAdds is set for a venue's own order log read with its fills
	// derived: an aggressive order is an add that trades against the book,
	// as it did at the venue, so a historical replay lets it match instead
	// of taking the orders it crosses for orders the feed removed unseen.
	MatchesAdds bool `json:"matches_adds,omitempty"`
}

// PriceFloat converts a fixed-point price to float64.
func (in *Instrument) PriceFloat(p int64) float64 { return float64(p) * math.Pow10(-int(in.PriceExp)) }

// QtyFloat converts a fixed-point quantity to float64.
func (in *Instrument) QtyFloat(q int64) float64 { return float64(q) * math.Pow10(-int(in.QtyExp)) }

// FormatPrice renders a fixed-point price exactly, e.g. 5794000 with PriceExp 4 as "579.4000".
func (in *Instrument) FormatPrice(p int64) string { return formatFixed(p, int(in.PriceExp)) }

func formatFixed(v int64, exp int) string {
	if exp <= 0 {
		return strconv.FormatInt(v, 10)
	}
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	s := strconv.FormatUint(u, 10)
	for len(s) <= exp {
		s = "0" + s
	}
	s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	if neg {
		s = "-" + s
	}
	return s
}
