package detectors

import (
	"math"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// The pump features, after La Morgia et al., "Pump and dumps in the Bitcoin
// era" (ICCCN 2020) and "The Doge of Wall Street" (ACM TOIT 2023): rush
// orders, trade counts, buy volume and price, each as a short window's
// statistic against the instrument's own recent history, over several
// window lengths. Unlike the paper's 25-second chunks they are updated on
// every trade, so an alert is raised on the trade that crosses the line,
// not when a chunk closes.
//
// A rush order is an aggressive order reconstructed from the trades it made:
// trades of one instrument with the same taker side in the same millisecond
// (public feeds carry no order ids; an exchange's matching engine fills a
// market order's levels in one instant). A pump is bought with market buy
// orders: many rush buy orders in a few seconds.
//
// Baselines are exponentially weighted rates over PumpBaseline (an hour) of
// observed time. Counts are compared with the baseline by the signed root of
// the Poisson deviance, with the expected count floored at pumpMinExpected,
// so that a quiet coin's first trades cannot make an extreme score; no
// feature is given before pumpWarmup of data (the start of a file).
const (
	// PumpBaseline is the time constant of the features' baselines.
	PumpBaseline = int64(3600e9)
	pumpWarmup   = int64(600e9) // data seen before any feature is given
	// pumpMinExpected floors an expected count (rush orders, trades in a
	// window): a coin that trades once an hour is not "infinitely" surprised
	// by three trades.
	pumpMinExpected = 0.5
)

// pumpWindows are the short windows' lengths: 5 s, 30 s and 2 min.
var pumpWindows = [...]int64{5e9, 30e9, 120e9}

// PumpFeatureNames name the features PumpFeatures computes, in order.
var PumpFeatureNames = []string{
	"rush_z_5s", "rush_z_30s", "rush_z_120s",
	"trades_z_30s", "trades_z_120s",
	"buy_volume_log_ratio_30s", "buy_volume_log_ratio_120s",
	"return_bps_30s", "return_bps_120s",
	"rise_ticks_30s",
	"buy_share_30s",
	"return_z_30s", "return_z_120s",
}

// PumpFeatureMeanings document each feature, for the detectors' docs.
var PumpFeatureMeanings = []string{
	"rush buy orders in the last 5 s against the last hour's rate: signed root Poisson deviance",
	"rush buy orders in the last 30 s, likewise",
	"rush buy orders in the last 2 min, likewise",
	"trades in the last 30 s against the last hour's rate, likewise",
	"trades in the last 2 min, likewise",
	"log of the aggressive buy volume (quote) in the last 30 s over the hour's rate times 30 s (each floored at the hour's mean order)",
	"the same over 2 min",
	"log return from the last price before the 30 s window to the last price, in basis points",
	"the same over 2 min",
	"the 30 s window's price rise in ticks (last price minus the last price before the window)",
	"aggressive buy share of the volume traded in the last 30 s",
	"the 30 s return over the last hour's volatility of returns between orders scaled to 30 s (floored at one tick)",
	"the same over 2 min",
}

// PumpNumFeatures is len(PumpFeatureNames).
const PumpNumFeatures = 13

// pumpOrder is one reconstructed aggressive order.
type pumpOrder struct {
	ts      int64 // ns
	price   int64 // its last trade's price
	quote   float64
	trades  int32
	buyRush bool
}

// pumpWindow is a short window's running sums over the orders it holds,
// from ring index first on.
type pumpWindow struct {
	first        int // absolute index of the first order in the window
	rush, trades float64
	buyQ, allQ   float64
}

// pumpSymbol is one instrument's feature state.
type pumpSymbol struct {
	seen           bool
	firstTS, last  int64
	ring           []pumpOrder // orders of the longest window, absolute index i at ring[i%len]
	head, tail     int         // absolute indexes: [head, tail) are held
	cur            pumpOrder   // the order being assembled (cur.trades > 0)
	curSide        orderbook.Side
	curMS          int64
	win            [len(pumpWindows)]pumpWindow
	rate           [3]float64 // decayed sums: rush orders, trades, buy quote volume
	orders, quoteS float64    // decayed sums of orders and their quote volume (the mean order)
	r2             float64    // decayed sum of squared log returns between orders (the hour's volatility)
	observed       float64    // decayed observed time, ns (the rates' denominator)
	lastPrice      int64
}

// PumpFeatures computes the pump features of every instrument, trade by
// trade. Its zero value is not ready: use NewPumpFeatures.
type PumpFeatures struct {
	insts []replay.Instrument
	syms  []pumpSymbol
	scale []float64 // price × quantity in fixed point to quote units
}

// NewPumpFeatures returns the feature state for these instruments.
func NewPumpFeatures(insts []replay.Instrument) *PumpFeatures {
	p := &PumpFeatures{insts: insts, syms: make([]pumpSymbol, len(insts)), scale: make([]float64, len(insts))}
	for i, in := range insts {
		p.scale[i] = math.Pow10(-int(in.PriceExp) - int(in.QtyExp))
	}
	return p
}

// Add takes one record's trades (all on symbol sym at time ts) and reports
// whether a rush buy order is in progress after them — the moments the
// features are worth reading. Trades in the same millisecond with the same
// taker side extend one order.
func (p *PumpFeatures) Add(sym uint32, ts int64, fills []orderbook.Fill) bool {
	s := &p.syms[sym]
	if len(fills) == 0 {
		return false
	}
	p.advance(s, ts)
	scale := p.scale[sym]
	for _, f := range fills {
		ms := ts / 1e6
		if s.cur.trades > 0 && (ms != s.curMS || f.Aggressor != s.curSide) {
			p.close(s)
		}
		if s.cur.trades == 0 {
			s.cur = pumpOrder{ts: ts, buyRush: f.Aggressor == orderbook.Buy}
			s.curMS, s.curSide = ms, f.Aggressor
		}
		s.cur.quote += float64(f.Price) * float64(f.Qty) * scale
		s.cur.trades++
		s.cur.price = f.Price
	}
	return s.cur.buyRush
}

// advance moves the baselines' clock to ts and drops from the windows the
// orders that left them.
func (p *PumpFeatures) advance(s *pumpSymbol, ts int64) {
	if !s.seen {
		s.seen, s.firstTS, s.last = true, ts, ts
	}
	if dt := ts - s.last; dt > 0 {
		d := math.Exp(-float64(dt) / float64(PumpBaseline))
		for i := range s.rate {
			s.rate[i] *= d
		}
		s.orders *= d
		s.quoteS *= d
		s.r2 *= d
		s.observed = s.observed*d + float64(PumpBaseline)*(1-d)
		s.last = ts
	}
	for w, length := range pumpWindows {
		win := &s.win[w]
		for win.first < s.tail && s.ring[win.first%len(s.ring)].ts <= ts-length {
			o := &s.ring[win.first%len(s.ring)]
			win.rush -= b2f(o.buyRush)
			win.trades -= float64(o.trades)
			if o.buyRush {
				win.buyQ -= o.quote
			}
			win.allQ -= o.quote
			win.first++
		}
	}
	// Hold one order before the longest window: its price is the window's
	// reference.
	if keep := s.win[len(pumpWindows)-1].first - 1; s.head < keep {
		s.head = keep
	}
}

// close moves the order being assembled into the windows and baselines.
func (p *PumpFeatures) close(s *pumpSymbol) {
	o := s.cur
	s.cur.trades = 0
	if s.tail-s.head == len(s.ring) { // grow the ring, keeping absolute indexes
		grown := make([]pumpOrder, max(64, 2*len(s.ring)))
		for i := s.head; i < s.tail; i++ {
			grown[i%len(grown)] = s.ring[i%len(s.ring)]
		}
		s.ring = grown
	}
	s.ring[s.tail%len(s.ring)] = o
	s.tail++
	for w := range s.win {
		win := &s.win[w]
		win.rush += b2f(o.buyRush)
		win.trades += float64(o.trades)
		if o.buyRush {
			win.buyQ += o.quote
		}
		win.allQ += o.quote
	}
	s.rate[0] += b2f(o.buyRush)
	s.rate[1] += float64(o.trades)
	if o.buyRush {
		s.rate[2] += o.quote
	}
	s.orders++
	s.quoteS += o.quote
	if s.lastPrice > 0 && o.price > 0 {
		r := math.Log(float64(o.price) / float64(s.lastPrice))
		s.r2 += r * r
	}
	s.lastPrice = o.price
}

// priceBefore is the last price before the window starting at from: the
// price of the last order that left the window, or the window's first
// order's when the ring no longer holds one.
func (s *pumpSymbol) priceBefore(w int) int64 {
	win := &s.win[w]
	if win.first-1 >= s.head && win.first-1 < s.tail {
		return s.ring[(win.first-1)%len(s.ring)].price
	}
	if win.first < s.tail {
		return s.ring[win.first%len(s.ring)].price
	}
	return s.lastPrice
}

// Features writes symbol sym's features at ts into out (len
// PumpNumFeatures), counting the order being assembled, and reports
// whether they are given (false during the warm-up).
func (p *PumpFeatures) Features(sym uint32, ts int64, out []float64) bool {
	s := &p.syms[sym]
	if !s.seen || ts-s.firstTS < pumpWarmup || s.observed <= 0 {
		return false
	}
	tick := max(p.insts[sym].Tick, 1)
	// Each window with the open order counted.
	var rush, trades, buyQ, allQ [len(pumpWindows)]float64
	for w := range s.win {
		rush[w], trades[w], buyQ[w], allQ[w] = s.win[w].rush, s.win[w].trades, s.win[w].buyQ, s.win[w].allQ
		if s.cur.trades > 0 {
			rush[w] += b2f(s.cur.buyRush)
			trades[w] += float64(s.cur.trades)
			if s.cur.buyRush {
				buyQ[w] += s.cur.quote
			}
			allQ[w] += s.cur.quote
		}
	}
	obs := s.observed
	meanOrder := s.quoteS / max(s.orders, 1)
	expect := func(sum float64, w int) float64 { return sum / obs * float64(pumpWindows[w]) }
	last := s.lastPrice
	if s.cur.trades > 0 {
		last = s.cur.price
	}
	ret := func(w int) float64 {
		before := s.priceBefore(w)
		if before <= 0 || last <= 0 {
			return 0
		}
		return 1e4 * math.Log(float64(last)/float64(before))
	}
	out[0] = rootDeviance(rush[0], expect(s.rate[0], 0))
	out[1] = rootDeviance(rush[1], expect(s.rate[0], 1))
	out[2] = rootDeviance(rush[2], expect(s.rate[0], 2))
	out[3] = rootDeviance(trades[1], expect(s.rate[1], 1))
	out[4] = rootDeviance(trades[2], expect(s.rate[1], 2))
	floor := max(meanOrder, 1e-300)
	out[5] = math.Log((buyQ[1] + floor) / (expect(s.rate[2], 1) + floor))
	out[6] = math.Log((buyQ[2] + floor) / (expect(s.rate[2], 2) + floor))
	out[7] = ret(1)
	out[8] = ret(2)
	out[9] = float64(last-s.priceBefore(1)) / float64(tick)
	out[10] = 0.5
	if allQ[1] > 0 {
		out[10] = buyQ[1] / allQ[1]
	}
	// Volatility: the hour's squared returns per ns, over a window, floored
	// at one tick at the current price.
	tickVar := 0.0
	if last > 0 {
		tickVar = math.Pow(1e4*float64(tick)/float64(last), 2)
	}
	for k, w := range [2]int{1, 2} {
		v := 1e8 * s.r2 / obs * float64(pumpWindows[w]) // bps²
		out[11+k] = out[7+k] / math.Sqrt(max(v, tickVar, 1e-12))
	}
	return true
}

// rootDeviance is the signed root of the Poisson deviance of a count n
// against an expected count mu (floored at pumpMinExpected): about a
// z-score for large counts, well behaved for small ones, never infinite.
func rootDeviance(n, mu float64) float64 {
	mu = max(mu, pumpMinExpected)
	d := -2 * (n - mu)
	if n > 0 {
		d = 2 * (n*math.Log(n/mu) - (n - mu))
	}
	r := math.Sqrt(max(d, 0))
	if n < mu {
		return -r
	}
	return r
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
