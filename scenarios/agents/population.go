package agents

import (
	"cmp"
	"math"
	"math/rand/v2"
)

// Placed is an agent and the time it first acts.
type Placed struct {
	At    int64
	Agent Agent
}

// Builder is what Populate needs to build one instrument's agents.
type Builder struct {
	Sym    uint32
	Market Market
	Counts Counts
	Start  int64
	// Account is the account agent i of kind k trades from (called in the
	// order the agents are built: it may draw from a shared population).
	Account func(k Kind, i int) uint64
	// Rand is agent i of kind k's own random stream.
	Rand func(k Kind, i int) *rand.Rand
}

// Populate builds an instrument's agents in a fixed order — the fundamental
// value, market makers, noise traders, depth providers, ladder traders,
// mean-reversion, informed and momentum traders — with their first times,
// and the crowd that reprices when the fair value moves.
func Populate(b Builder) ([]Placed, *Crowd) {
	m, c, now, sym := b.Market, &Crowd{sym: b.Sym}, b.Start, b.Sym
	out := []Placed{{now, &fundamental{sym: sym, vol: m.Volatility, jump: m.JumpProb, volOfVol: m.VolOfVol, shocks: m.ShocksPerHour,
		newsLag: m.NewsLag, halfSpread: m.HalfSpread, tradeImpact: m.TradeImpact, r: b.Rand(Fundamental, 0)}}}
	for i := 0; i < b.Counts.MarketMakers; i++ {
		mm := newMarketMaker(sym, b.Account(MarketMaker, i), m, b.Rand(MarketMaker, i))
		c.makers = append(c.makers, mm)
		out = append(out, Placed{now + int64(i)*1e6, mm})
	}
	for i := 0; i < b.Counts.NoiseTraders; i++ {
		out = append(out, Placed{now + int64(1+i)*1e7, &noiseTrader{sym: sym, account: b.Account(Noise, i), rate: b.Counts.NoiseRate, size: m.Size, r: b.Rand(Noise, i),
			disp: m.SizeDispersion, median: cmp.Or(m.SizeMedian, 0.3), roundLot: m.RoundLot, wide: m.HalfSpread}})
	}
	for i := 0; i < b.Counts.DepthProviders; i++ {
		out = append(out, Placed{now + int64(1+i)*1e7, NewDepthProvider(sym, b.Account(Depth, i), m, b.Rand(Depth, i))})
	}
	for i := 0; i < m.LadderTraders; i++ {
		l := &ladderTrader{sym: sym, account: b.Account(Ladder, i), size: m.Size, r: b.Rand(Ladder, i)}
		c.ladders = append(c.ladders, l)
		out = append(out, Placed{now + int64(1+i)*1e6, l})
	}
	for i := 0; i < b.Counts.MeanReversionTraders; i++ {
		out = append(out, Placed{now + int64(1+i)*1e8 + 5e7, &meanReversionTrader{sym: sym, account: b.Account(MeanReversion, i), size: m.Size, r: b.Rand(MeanReversion, i)}})
	}
	for i := 0; i < b.Counts.InformedTraders; i++ {
		out = append(out, Placed{now + int64(1+i)*1e8 + 7e7, &informedTrader{sym: sym, account: b.Account(Informed, i), size: m.Size, vol: m.Volatility, r: b.Rand(Informed, i)}})
	}
	for i := 0; i < b.Counts.MomentumTraders; i++ {
		out = append(out, Placed{now + int64(1+i)*1e8, &momentumTrader{sym: sym, account: b.Account(Momentum, i), size: m.Size, r: b.Rand(Momentum, i)}})
	}
	return out, c
}

// NewDepthProvider is a depth provider on sym trading from account: slow
// resting orders 5 to 300 bps away from the price.
func NewDepthProvider(sym uint32, account uint64, m Market, r *rand.Rand) Agent {
	return &depthProvider{sym: sym, account: account, size: m.Size * 4, roundLot: m.RoundLot, r: r}
}

// Crowd is an instrument's agents that reprice when its fair value moves:
// its market makers and ladder traders.
type Crowd struct {
	sym     uint32
	makers  []*marketMaker
	ladders []*ladderTrader
}

// FairMoved reprices the deep makers when the fair value has moved from
// before by their tolerance or more: all pull their quotes, then requote
// around the new value, so none trades its quotes against another's stale
// ones; the ladder traders' depth behind the touch steps back too.
func (c *Crowd) FairMoved(v Venue, before float64) {
	ms := c.makers
	if len(ms) == 0 || ms[0].touch <= 0 || math.Abs(v.Fair(c.sym)-before) < ms[0].tolerance() {
		return
	}
	for _, m := range ms {
		m.pull(v)
	}
	for _, l := range c.ladders {
		l.guard(v, v.Fair(c.sym))
	}
	for _, m := range ms {
		m.quote(v)
	}
}
