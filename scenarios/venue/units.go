package venue

import (
	"math"
	"math/rand/v2"
	"time"
)

// RoundTick rounds a price to the tick grid (at least one tick).
func RoundTick(p float64, tick int64) int64 {
	v := int64(math.Round(p/float64(tick))) * tick
	if v < tick {
		v = tick
	}
	return v
}

// Lots rounds a size to whole lots (at least one).
func Lots(q float64, lot int64) int64 {
	v := int64(math.Round(q/float64(lot))) * lot
	if v < lot {
		v = lot
	}
	return v
}

// ExpDuration draws an exponential duration (ns) with the given mean.
func ExpDuration(r *rand.Rand, mean time.Duration) int64 {
	return int64(r.ExpFloat64() * float64(mean))
}

// Mid is the book's mid price, or the last price when a side is empty.
func Mid(v Venue, sym uint32) int64 {
	t := v.Top(sym)
	if t.BidQty > 0 && t.AskQty > 0 {
		return (t.BidPrice + t.AskPrice) / 2
	}
	return v.LastPrice(sym)
}
