package scenarios

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/orderbook/perp"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/agents"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// PerpSpec is a perpetual swap's venue rules in a scenario. Zero values take
// the defaults named on each field. Money is in the quote currency.
type PerpSpec struct {
	IndexSources       int      `yaml:"index_sources" json:"index_sources,omitempty" jsonschema:"description=external spot prices whose median is the index (default 3)"`
	MarkInterval       Duration `yaml:"mark_interval" json:"mark_interval,omitempty" jsonschema:"description=how often index inputs and the mark are published (default 1s); the mark is also recomputed after every trade"`
	FundingInterval    Duration `yaml:"funding_interval" json:"funding_interval,omitempty" jsonschema:"description=funding period (default 8h)"`
	MarkBandBps        float64  `yaml:"mark_band_bps" json:"mark_band_bps,omitempty" jsonschema:"description=the mark stays within this distance of the index (default 300)"`
	LiquidationBandBps float64  `yaml:"liquidation_band_bps" json:"liquidation_band_bps,omitempty" jsonschema:"description=liquidation orders are IOC limited this far beyond the mark (default 500)"`
	MakerFeeBps        float64  `yaml:"maker_fee_bps" json:"maker_fee_bps,omitempty" jsonschema:"description=default 1"`
	TakerFeeBps        float64  `yaml:"taker_fee_bps" json:"taker_fee_bps,omitempty" jsonschema:"description=default 4"`
	LiquidationFeeBps  float64  `yaml:"liquidation_fee_bps" json:"liquidation_fee_bps,omitempty" jsonschema:"description=on liquidated notional, paid into the insurance fund (default 50)"`
	InsuranceFund      float64  `yaml:"insurance_fund" json:"insurance_fund,omitempty" jsonschema:"description=initial insurance fund (default 1000000)"`
	Capital            float64  `yaml:"capital" json:"capital,omitempty" jsonschema:"description=median collateral of a background account (default 20000; market makers and depth providers hold 1000 times more)"`
	LeveragedTraders   int      `yaml:"leveraged_traders" json:"leveraged_traders,omitempty" jsonschema:"description=accounts that hold leveraged positions for tens of minutes (default 0)"`
	MaxLeverage        float64  `yaml:"max_leverage" json:"max_leverage,omitempty" jsonschema:"description=highest leverage a leveraged trader takes (default 50; the risk tiers cap it too)"`
}

func (p *PerpSpec) withDefaults() PerpSpec {
	var s PerpSpec
	if p != nil {
		s = *p
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if s.IndexSources == 0 {
		s.IndexSources = 3
	}
	if s.MarkInterval == 0 {
		s.MarkInterval = Duration(time.Second)
	}
	if s.FundingInterval == 0 {
		s.FundingInterval = Duration(8 * time.Hour)
	}
	def(&s.MarkBandBps, 300)
	def(&s.LiquidationBandBps, 500)
	def(&s.MakerFeeBps, 1)
	def(&s.TakerFeeBps, 4)
	def(&s.LiquidationFeeBps, 50)
	def(&s.InsuranceFund, 1_000_000)
	def(&s.Capital, 20_000)
	def(&s.MaxLeverage, 50)
	return s
}

func (p *PerpSpec) validate(in InstrumentSpec) error {
	s := p.withDefaults()
	var errs []error
	if s.IndexSources < 1 || s.IndexSources > 15 {
		errs = append(errs, fmt.Errorf("index_sources %d: want 1..15", s.IndexSources))
	}
	if s.MarkInterval < Duration(time.Millisecond) || s.FundingInterval < Duration(time.Minute) {
		errs = append(errs, errors.New("mark_interval must be at least 1ms and funding_interval at least 1m"))
	}
	for _, x := range []struct {
		n string
		v float64
	}{{"mark_band_bps", s.MarkBandBps}, {"liquidation_band_bps", s.LiquidationBandBps}, {"maker_fee_bps", s.MakerFeeBps},
		{"taker_fee_bps", s.TakerFeeBps}, {"liquidation_fee_bps", s.LiquidationFeeBps}} {
		if x.v < -100 || x.v > 5000 {
			errs = append(errs, fmt.Errorf("%s %v: out of [-100, 5000]", x.n, x.v))
		}
	}
	if s.InsuranceFund < 0 || s.Capital <= 0 || s.MaxLeverage < 1 || s.MaxLeverage > 125 || s.LeveragedTraders < 0 {
		errs = append(errs, errors.New("insurance_fund must be >= 0, capital > 0, max_leverage in 1..125, leveraged_traders >= 0"))
	}
	// Raw money is price × quantity in fixed point; it must fit int64 with room.
	if scale := math.Pow10(int(in.PriceExp) + int(in.QtyExp)); s.InsuranceFund*scale > 1e17 || s.Capital*1000*scale > 1e17 {
		errs = append(errs, fmt.Errorf("money in raw units (10^%d per quote unit) would overflow int64", int(in.PriceExp)+int(in.QtyExp)))
	}
	return errors.Join(errs...)
}

// fundPayout is one insurance fund payment for a liquidation.
type fundPayout struct {
	at      int64
	account uint64
	loss    int64
}

// perpState is one perpetual instrument's venue inside the generator: the
// perp.Venue rules, the external spot prices behind the index, and what the
// labels need afterwards.
type perpState struct {
	g       *exchange // the venue it is a rule of
	sym     uint32
	spec    PerpSpec
	v       *perp.Venue
	scale   float64 // raw money per quote unit
	ext     float64 // external spot value the index constituents quote around
	pushed  []int64 // pinned constituent prices (0: free)
	r       *rand.Rand
	busy    bool // inside a liquidation: nested trades do not start another
	payouts []fundPayout
	liqs    []fundPayout // every liquidation (loss may be zero)
	rich    map[uint64]bool
	seed    uint64
	spare   []orderbook.Fill
}

// initPerps sets up the venue of every perpetual instrument: collateral for
// the background (market makers and depth providers hold far more), the
// index/mark ticker, and leveraged traders.
func (g *Generator) initPerps(stream streams) error {
	g.perps = make([]*perpState, len(g.insts))
	for s, in := range g.spec.Instruments {
		if in.Kind != "perp" {
			continue
		}
		ps := in.Perp.withDefaults()
		scale := math.Pow10(int(in.PriceExp) + int(in.QtyExp))
		tiers := perp.DefaultTiers() // in units of 1e5 raw per quote unit
		for i := range tiers {
			if tiers[i].MaxNotional != math.MaxInt64 {
				tiers[i].MaxNotional = int64(float64(tiers[i].MaxNotional) / 1e5 * scale)
			}
		}
		bps := func(x float64) int64 { return int64(math.Round(x * 100)) }
		v, err := perp.New(perp.Config{Tiers: tiers, MakerFeePPM: bps(ps.MakerFeeBps), TakerFeePPM: bps(ps.TakerFeeBps),
			LiquidationFeePPM: bps(ps.LiquidationFeeBps), LiquidationBandPPM: bps(ps.LiquidationBandBps), MarkBandPPM: bps(ps.MarkBandBps),
			FundingInterval: int64(ps.FundingInterval), FundingCapPPM: 7500, InterestPPM: 100,
			InsuranceFund: int64(ps.InsuranceFund * scale), Tick: in.Tick})
		if err != nil {
			return fmt.Errorf("instrument %s: %w", in.Symbol, err)
		}
		st := &perpState{sym: uint32(s), spec: ps, v: v, scale: scale, ext: float64(in.Price), pushed: make([]int64, ps.IndexSources),
			r: stream.agent(s, agents.PerpVenue, 0), rich: map[uint64]bool{}, seed: g.spec.Seed}
		g.perps[s] = st
		g.insts[s].Kind = replay.Perpetual
		for _, a := range g.q.agents() {
			if id := agents.Describe(a); id.Sym == st.sym && (id.Kind == agents.MarketMaker || id.Kind == agents.Depth) {
				st.rich[id.Account] = true
			}
		}
		st.g = g.x
		g.attachRule(st.sym, st) // the perpetual venue is one venue rule
		for i := 0; i < ps.LeveragedTraders; i++ {
			lt := &leveragedTrader{st: st, sym: st.sym, account: g.pop.takeKeyed(stream.agentAccount(s, agents.Leveraged, i)), r: stream.agent(s, agents.Leveraged, i)}
			if g.spec.active(in.Symbol) {
				g.schedule(g.now+int64(1+i)*int64(time.Second)*7, lt)
			}
		}
	}
	return nil
}

// capital is an account's collateral on first use: lognormal around the
// spec's median, drawn from the account id and the seed so it does not
// depend on the order accounts arrive in.
func (st *perpState) capital(account uint64) int64 {
	x := account*0x9e3779b97f4a7c15 ^ st.seed
	x ^= x >> 31
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 29
	u := (float64(x>>11) + 0.5) / (1 << 53)
	z := math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*float64(x&0x7ff)/2048)
	c := st.spec.Capital * math.Exp(0.8*z)
	if st.rich[account] {
		c = st.spec.Capital * 1000
	}
	return int64(c * st.scale)
}

func (st *perpState) ensure(account uint64) {
	if !st.v.Known(account) {
		st.v.Deposit(account, st.capital(account))
	}
}

// ErrMargin is returned for an order the account's collateral cannot margin.
var ErrMargin = errors.New("insufficient margin")

// PreTrade refuses an order that would raise the account's position
// beyond what its equity margins at the initial margin rate (the order is
// assumed to fill in full; resting orders are not margined).
//
// It is the perpetual venue's PreTrade.
func (st *perpState) PreTrade(_ RuleVenue, account uint64, o venue.OrderRequest) error {
	g := st.g
	st.ensure(account)
	if o.Flags&replay.FlagLiquidation != 0 {
		return nil
	}
	a := st.v.Account(account)
	signed := o.Qty
	if o.Side == orderbook.Sell {
		signed = -signed
	}
	np := a.Pos + signed
	if abs64(np) <= abs64(a.Pos) {
		return nil
	}
	ref := st.v.Mark()
	if ref == 0 {
		ref = g.last[st.sym]
	}
	if o.Type != orderbook.Market && o.Price > ref {
		ref = o.Price
	}
	n := float64(abs64(np)) * float64(ref)
	if n > 9e18 || st.v.Equity(account) < st.v.InitialMargin(int64(n)) {
		g.counts["perp_margin_rejected"]++
		return ErrMargin
	}
	return nil
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// PostTrade books fills on the venue, recomputes the mark and liquidates
// accounts that fell below maintenance margin.
func (st *perpState) PostTrade(_ RuleVenue, _ uint64, fills []orderbook.Fill) {
	g := st.g
	for _, f := range fills {
		if err := st.v.Fill(f); err != nil {
			g.counts["perp_fill_error"]++
		}
	}
	if len(fills) > 0 && !st.busy {
		st.v.UpdateMark(g.books[st.sym].Top())
		// Liquidation orders need a fill buffer of their own: the caller still
		// reads this order's fills.
		outer := g.fills
		g.fills = st.spare[:0]
		g.liquidate(st)
		st.spare = g.fills
		g.fills = outer
	}
}

// liquidate runs the liquidation engine until no account is below maintenance
// margin (at most 16 rounds at one instant; the next trade or tick resumes).
func (g *exchange) liquidate(st *perpState) {
	st.busy = true
	defer func() { st.busy = false }()
	for round := 0; round < 16; round++ {
		ls := st.v.Liquidations()
		if len(ls) == 0 {
			return
		}
		g.emit(&replay.Event{TS: g.now, Symbol: st.sym, Action: replay.ActionMark, Price: st.v.Mark()})
		for _, l := range ls {
			g.emit(&replay.Event{TS: g.now, Symbol: st.sym, Action: replay.ActionLiquidation, Side: l.Side, Account: l.Account, Price: l.Bankruptcy, Qty: l.Qty})
			fund := st.v.Fund()
			if !l.ADLOnly {
				g.Submit(st.sym, l.Account, venue.OrderRequest{Side: l.Side, TIF: orderbook.IOC, Price: l.Limit, Qty: l.Qty, Flags: replay.FlagLiquidation})
			}
			s, err := st.v.Settle(l)
			if err != nil {
				g.counts["perp_settlement_error"]++
			}
			for _, a := range s.ADL {
				g.emit(&replay.Event{TS: g.now, Symbol: st.sym, Action: replay.ActionADL, Side: a.Side, Flags: replay.FlagADL, Account: a.From, OrderID: a.To, Price: a.Price, Qty: a.Qty})
				signed := a.Qty
				if a.Side == orderbook.Sell {
					signed = -signed
				}
				g.pos[[2]uint64{uint64(st.sym), a.From}] += signed
				g.pos[[2]uint64{uint64(st.sym), a.To}] -= signed
			}
			g.counts["perp_liquidations"]++
			if len(s.ADL) > 0 {
				g.counts["perp_adl_transfers"] += int64(len(s.ADL))
			}
			st.liqs = append(st.liqs, fundPayout{at: g.now, account: l.Account, loss: s.InsuranceLoss})
			if s.InsuranceLoss > 0 {
				st.payouts = append(st.payouts, fundPayout{at: g.now, account: l.Account, loss: s.InsuranceLoss})
			}
			if d := st.v.Fund() - fund; d != 0 {
				g.emit(&replay.Event{TS: g.now, Symbol: st.sym, Action: replay.ActionFund, Account: l.Account, Price: st.v.Fund(), Qty: d})
			}
		}
		st.v.UpdateMark(g.books[st.sym].Top())
	}
}

// OnTime publishes the index constituents, the index and the mark every
// mark interval, charges funding when due, and checks conservation of money.
//
// The constituents quote around an external spot value that follows its own
// random walk and is pulled slowly (time constant 200 s) towards the swap's
// fair value; the swap's fair value is pulled towards the index (time
// constant 5 s), as basis arbitrage does. A pushed (manipulated) constituent
// quotes its pinned price instead.
//
// It is the perpetual venue's OnTime.
func (st *perpState) OnTime(RuleVenue) int64 {
	g := st.g
	dt := time.Duration(st.spec.MarkInterval).Seconds()
	vol := g.spec.Instruments[st.sym].Volatility / 60 * math.Sqrt(dt)
	st.ext *= math.Exp(st.r.NormFloat64() * vol)
	st.ext += (g.fair[st.sym] - st.ext) * math.Min(dt/200, 1)
	tick := g.insts[st.sym].Tick
	for k := range st.pushed {
		p := st.pushed[k]
		if p == 0 {
			p = venue.RoundTick(st.ext*(1+st.r.NormFloat64()*1e-4), tick)
		}
		st.v.SetIndexInput(uint64(k+1), p)
		g.emit(&replay.Event{TS: g.now, Symbol: st.sym, Action: replay.ActionIndex, OrderID: uint64(k + 1), Price: p})
	}
	idx := st.v.Index()
	g.emit(&replay.Event{TS: g.now, Symbol: st.sym, Action: replay.ActionIndex, Price: idx})
	g.fair[st.sym] += (float64(idx) - g.fair[st.sym]) * math.Min(dt/5, 1)
	g.emit(&replay.Event{TS: g.now, Symbol: st.sym, Action: replay.ActionMark, Price: st.v.UpdateMark(g.books[st.sym].Top())})
	g.liquidate(st)
	if st.v.FundingDue(g.now) {
		fund := st.v.Fund()
		_, rate, err := st.v.Funding(g.now)
		if err != nil {
			g.counts["perp_funding_error"]++
		}
		g.emit(&replay.Event{TS: g.now, Symbol: st.sym, Action: replay.ActionFunding, Price: rate})
		if d := st.v.Fund() - fund; d != 0 {
			g.emit(&replay.Event{TS: g.now, Symbol: st.sym, Action: replay.ActionFund, Price: st.v.Fund(), Qty: d})
		}
	}
	if st.v.Conservation() != 0 {
		g.counts["perp_conservation_error"]++
	}
	return g.now + int64(st.spec.MarkInterval)
}

// leveragedTrader opens a position at a random leverage, holds it for tens of
// minutes and closes it; if it was liquidated meanwhile it tops its collateral
// up before the next position. These are the positions a crash or a
// manipulated index liquidates.
type leveragedTrader struct {
	st      *perpState // the venue whose positions it holds
	sym     uint32
	account uint64
	until   int64
	r       *rand.Rand
}

func (l *leveragedTrader) Act(v venue.Venue) int64 {
	st := l.st
	st.ensure(l.account)
	pos := st.v.Account(l.account).Pos
	now := v.Now()
	if pos != 0 && now < l.until {
		return l.until
	}
	if pos != 0 {
		side := orderbook.Sell
		if pos < 0 {
			side = orderbook.Buy
		}
		v.Submit(l.sym, l.account, venue.OrderRequest{Side: side, Type: orderbook.Market, Qty: abs64(pos)})
		return now + venue.ExpDuration(l.r, 10*time.Minute)
	}
	capital := st.capital(l.account)
	if eq := st.v.Equity(l.account); eq < capital/2 {
		st.v.Deposit(l.account, capital-eq)
	}
	// Leverage from 2 up to the maximum, most of it high, as on retail crypto venues.
	lev := 2 + (st.spec.MaxLeverage-2)*math.Pow(l.r.Float64(), 0.7)
	mark := st.v.Mark()
	if mark == 0 {
		mark = v.LastPrice(l.sym)
	}
	in := v.Instrument(l.sym)
	q := float64(st.v.Equity(l.account)) * lev / float64(mark)
	// Stay inside the tier whose initial margin allows this leverage.
	for q > float64(in.Lot) && float64(st.v.InitialMargin(int64(q*float64(mark)))) > float64(st.v.Equity(l.account))*0.98 {
		q *= 0.7
	}
	side := orderbook.Buy
	if l.r.IntN(2) == 0 {
		side = orderbook.Sell
	}
	v.Submit(l.sym, l.account, venue.OrderRequest{Side: side, Type: orderbook.Market, Qty: venue.Lots(q, in.Lot)})
	l.until = now + venue.ExpDuration(l.r, 40*time.Minute) + int64(5*time.Minute)
	return l.until
}

// --- PerpVenue ---

// Deposit adds collateral to account on the perpetual instrument sym. An
// account an injection funds this way gets no background collateral.
func (g *exchange) Deposit(sym uint32, account uint64, amount int64) {
	if st := g.perp(sym); st != nil {
		st.v.Deposit(account, amount)
	}
}

func (g *market) perp(sym uint32) *perpState {
	if int(sym) < len(g.perps) {
		return g.perps[sym]
	}
	return nil
}

// LiquidationPrices implements PerpVenue.
func (g *exchange) LiquidationPrices(sym uint32, long bool) []int64 {
	st := g.perp(sym)
	if st == nil {
		return nil
	}
	var out []int64
	for _, id := range st.v.AccountIDs() {
		if pos := st.v.Account(id).Pos; pos == 0 || (pos > 0) != long {
			continue
		}
		if p, ok := st.v.LiquidationPrice(id); ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	if long {
		slices.Reverse(out) // a long is liquidated below the mark: highest first
	}
	return out
}

// Mark is sym's mark price (0 for spot).
func (g *exchange) Mark(sym uint32) int64 {
	if st := g.perp(sym); st != nil {
		return st.v.Mark()
	}
	return 0
}

// Index is sym's index price (0 for spot).
func (g *exchange) Index(sym uint32) int64 {
	if st := g.perp(sym); st != nil {
		return st.v.Index()
	}
	return 0
}

// IndexSources is the number of sym's index constituents.
func (g *exchange) IndexSources(sym uint32) int {
	if st := g.perp(sym); st != nil {
		return len(st.pushed)
	}
	return 0
}

// PushIndex pins constituent k of sym's index at price (0 releases it).
func (g *exchange) PushIndex(sym uint32, k int, price int64) {
	if st := g.perp(sym); st != nil && k >= 0 && k < len(st.pushed) {
		st.pushed[k] = price
	}
}

// Equity is account's collateral plus its position at the mark.
func (g *exchange) Equity(sym uint32, account uint64) int64 {
	if st := g.perp(sym); st != nil {
		st.ensure(account)
		return st.v.Equity(account)
	}
	return 0
}

// MoneyScale is raw money units per quote unit of sym.
func (g *exchange) MoneyScale(sym uint32) float64 {
	if st := g.perp(sym); st != nil {
		return st.scale
	}
	return 1
}

// InsuranceLoss sums the insurance fund's payments for liquidations of
// accounts (nil: all) between from and to.
func (g *exchange) InsuranceLoss(sym uint32, accounts []uint64, from, to int64) int64 {
	st := g.perp(sym)
	if st == nil {
		return 0
	}
	var s int64
	for _, p := range st.payouts {
		if p.at >= from && p.at <= to && (accounts == nil || contains(accounts, p.account)) {
			s += p.loss
		}
	}
	return s
}

// Liquidated reports whether account was liquidated on sym between from and to.
func (g *exchange) Liquidated(sym uint32, account uint64, from, to int64) bool {
	st := g.perp(sym)
	if st == nil {
		return false
	}
	for _, p := range st.liqs {
		if p.account == account && p.at >= from && p.at <= to {
			return true
		}
	}
	return false
}

func contains(xs []uint64, x uint64) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// PerpConservation is, for every perpetual instrument, Σ(equity − deposits) +
// fees + insurance fund change: zero when money is conserved. Tests check it
// after every scenario.
func (g *Generator) PerpConservation() map[string]int64 {
	if g.lanes != nil { // each perpetual's figure from the lane it acts in
		out := map[string]int64{}
		for _, lg := range g.lanes.gens {
			for sym, v := range lg.PerpConservation() {
				if lg.spec.active(sym) {
					out[sym] = v
				}
			}
		}
		return out
	}
	out := map[string]int64{}
	for s, st := range g.perps {
		if st != nil {
			out[g.insts[s].Symbol] = st.v.Conservation()
		}
	}
	return out
}
