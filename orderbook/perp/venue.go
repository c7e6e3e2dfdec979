package perp

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"

	"github.com/tapetest/tapetest/orderbook"
)

// Tier is a risk-limit tier: positions with notional up to MaxNotional (raw
// money) need IMR of initial and MMR of maintenance margin (parts per million).
type Tier struct {
	MaxNotional int64
	IMR, MMR    int64
}

// Config is a perpetual venue's rule book.
type Config struct {
	Tiers              []Tier // ascending MaxNotional; the last should be math.MaxInt64
	MakerFeePPM        int64
	TakerFeePPM        int64
	LiquidationFeePPM  int64 // on liquidated notional, into the insurance fund, capped at the remaining equity
	LiquidationBandPPM int64 // liquidation IOC limit: this far beyond the mark
	MarkBandPPM        int64 // the mark stays within this distance of the index (0: no clamp)
	FundingInterval    int64 // ns; 0 disables funding
	FundingCapPPM      int64
	InterestPPM        int64 // per interval
	InsuranceFund      int64 // initial balance (raw money)
	Tick               int64 // price tick, for liquidation limit prices
}

// DefaultTiers are three tiers in the style of large crypto venues for a
// contract quoted with 2 price and 3 quantity decimals (raw money 1e5 = 1 USD).
func DefaultTiers() []Tier {
	return []Tier{
		{MaxNotional: 50_000 * 100_000, IMR: 10_000, MMR: 5_000},     // ≤ 50k USD: 100x, 0.5%
		{MaxNotional: 1_000_000 * 100_000, IMR: 50_000, MMR: 25_000}, // ≤ 1M: 20x, 2.5%
		{MaxNotional: math.MaxInt64, IMR: 200_000, MMR: 100_000},     // above: 5x, 10%
	}
}

// Account is one trader's state on the venue.
type Account struct {
	ID       uint64
	Deposits int64 // collateral deposited
	Cash     int64 // deposits + trading cash flows − fees ∓ funding ± ADL and insurance flows
	Pos      int64 // signed position (fixed-point quantity)
	Cost     int64 // average-cost basis of the open position (raw money, signed like Pos); reporting and ADL ranking only
	Fees     int64 // paid
	Funding  int64 // paid (negative: received)
}

// Liquidation is an account the venue takes over.
type Liquidation struct {
	Account    uint64
	Side       orderbook.Side // side of the liquidation order (opposite the position)
	Qty        int64
	Limit      int64 // worst price the liquidation IOC may trade at
	Bankruptcy int64 // price at which the account's equity is zero
	Mark       int64
	ADLOnly    bool // the fund could not cover the band: deleverage everything at the bankruptcy price
}

// ADLFill is one forced transfer of auto-deleveraging.
type ADLFill struct {
	From, To uint64 // liquidated account, deleveraged counterparty
	Side     orderbook.Side
	Qty      int64
	Price    int64
}

// Settlement is what finishing a liquidation did.
type Settlement struct {
	Account       uint64
	ADL           []ADLFill
	InsuranceLoss int64 // paid by the fund (fills worse than bankruptcy)
	FeeToFund     int64 // liquidation fee collected
}

// FundingPayment is one account's funding at a funding time (positive: paid).
type FundingPayment struct {
	Account uint64
	Amount  int64
}

// ErrOverflow is returned when an amount does not fit in int64 raw money.
var ErrOverflow = errors.New("perp: amount overflows int64 raw money")

// Venue is the state of one perpetual instrument's venue. It is deterministic:
// every scan over accounts is in account-id order.
type Venue struct {
	cfg      Config
	accounts map[uint64]*Account
	ids      []uint64   // account ids, ascending
	list     []*Account // the accounts in the order of ids: a scan reads them without a map lookup each
	fund     int64
	fees     int64
	// The index's constituents: their sources and latest prices, in the
	// order first seen (a handful: a slice searched beats a map iterated),
	// and the prices sorted for the median.
	indexSources []uint64
	indexPrices  []int64
	indexScratch []int64
	idx          int64
	mark         int64
	last         int64
	premSum      float64
	premN        int64
	lastFund     int64
}

// New returns an empty venue.
func New(cfg Config) (*Venue, error) {
	if len(cfg.Tiers) == 0 {
		return nil, errors.New("perp: no risk-limit tiers")
	}
	for i := 1; i < len(cfg.Tiers); i++ {
		if cfg.Tiers[i].MaxNotional <= cfg.Tiers[i-1].MaxNotional {
			return nil, fmt.Errorf("perp: tier %d: MaxNotional must increase", i)
		}
	}
	for i, t := range cfg.Tiers {
		if t.MMR <= 0 || t.IMR < t.MMR || t.IMR > 1_000_000 {
			return nil, fmt.Errorf("perp: tier %d: need 0 < MMR <= IMR <= 1e6 ppm", i)
		}
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 1
	}
	return &Venue{cfg: cfg, accounts: map[uint64]*Account{}, fund: cfg.InsuranceFund}, nil
}

func mul(a, b int64) (int64, error) {
	hi, lo := bits.Mul64(uint64(abs(a)), uint64(abs(b)))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, ErrOverflow
	}
	v := int64(lo)
	if (a < 0) != (b < 0) {
		v = -v
	}
	return v, nil
}

func abs(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

// ppm returns x × rate / 1e6, truncated toward zero.
func ppm(x, rate int64) int64 {
	hi, lo := bits.Mul64(uint64(abs(x)), uint64(abs(rate)))
	q, _ := bits.Div64(hi, lo, 1_000_000)
	v := int64(q)
	if (x < 0) != (rate < 0) {
		v = -v
	}
	return v
}

// Account returns the account, creating it empty.
func (v *Venue) Account(id uint64) *Account {
	a := v.accounts[id]
	if a == nil {
		a = &Account{ID: id}
		v.accounts[id] = a
		i := sort.Search(len(v.ids), func(i int) bool { return v.ids[i] >= id })
		v.ids = append(v.ids, 0)
		copy(v.ids[i+1:], v.ids[i:])
		v.ids[i] = id
		v.list = append(v.list, nil)
		copy(v.list[i+1:], v.list[i:])
		v.list[i] = a
	}
	return a
}

// AccountIDs lists every account the venue has seen, in ascending order (the
// venue's own slice: read it, do not change it).
func (v *Venue) AccountIDs() []uint64 { return v.ids }

// Known reports whether the account has been seen (deposited or traded).
func (v *Venue) Known(id uint64) bool { return v.accounts[id] != nil }

// sortedIDs is every account id in ascending order (do not modify).
func (v *Venue) sortedIDs() []uint64 { return v.ids }

// Deposit adds collateral.
func (v *Venue) Deposit(id uint64, amount int64) {
	a := v.Account(id)
	a.Deposits += amount
	a.Cash += amount
}

// Fund is the insurance fund's balance.
func (v *Venue) Fund() int64 { return v.fund }

// Fees is the trading fees collected.
func (v *Venue) Fees() int64 { return v.fees }

// Mark is the current mark price (0 before any input).
func (v *Venue) Mark() int64 { return v.mark }

// Index is the current index price (0 before any constituent).
func (v *Venue) Index() int64 { return v.idx }

// trade moves one side of a fill into an account.
func (v *Venue) trade(a *Account, side orderbook.Side, price, qty int64) error {
	m, err := mul(price, qty)
	if err != nil {
		return err
	}
	signed := qty
	if side == orderbook.Sell {
		signed, m = -qty, -m
	}
	a.Cash -= m
	// Average-cost basis.
	switch {
	case a.Pos == 0 || (a.Pos > 0) == (signed > 0):
		a.Cost += m
	default:
		closeQty := min(abs(signed), abs(a.Pos))
		part, _ := mul(a.Cost, closeQty)
		a.Cost -= part / abs(a.Pos)
		if abs(signed) > abs(a.Pos) { // flips: the rest opens at this price
			rest, _ := mul(price, abs(signed)-abs(a.Pos))
			if signed < 0 {
				rest = -rest
			}
			a.Cost = rest
		}
	}
	a.Pos += signed
	if a.Pos == 0 {
		a.Cost = 0
	}
	return nil
}

// Fill applies a fill between two accounts (maker and taker) at the book's
// price, charging maker and taker fees. Liquidation fills are reported the same way.
func (v *Venue) Fill(f orderbook.Fill) error {
	if f.Qty <= 0 {
		return fmt.Errorf("perp: fill of %d", f.Qty)
	}
	taker, maker := v.Account(f.TakerAccount), v.Account(f.MakerAccount)
	makerSide := f.Aggressor.Opposite()
	if err := v.trade(taker, f.Aggressor, f.Price, f.Qty); err != nil {
		return err
	}
	if err := v.trade(maker, makerSide, f.Price, f.Qty); err != nil {
		return err
	}
	notional, _ := mul(f.Price, f.Qty)
	for _, x := range []struct {
		a    *Account
		rate int64
	}{{taker, v.cfg.TakerFeePPM}, {maker, v.cfg.MakerFeePPM}} {
		fee := ppm(notional, x.rate)
		x.a.Cash -= fee
		x.a.Fees += fee
		v.fees += fee
	}
	v.last = f.Price
	return nil
}

// SetIndexInput records the latest price of an index constituent and recomputes the index (median).
func (v *Venue) SetIndexInput(source uint64, price int64) {
	if i := slices.Index(v.indexSources, source); i >= 0 {
		v.indexPrices[i] = price
	} else {
		v.indexSources = append(v.indexSources, source)
		v.indexPrices = append(v.indexPrices, price)
	}
	v.indexScratch = append(v.indexScratch[:0], v.indexPrices...)
	v.idx = median(v.indexScratch)
}

func median(ps []int64) int64 {
	if len(ps) == 0 {
		return 0
	}
	slices.Sort(ps)
	n := len(ps)
	if n%2 == 1 {
		return ps[n/2]
	}
	return ps[n/2-1] + (ps[n/2]-ps[n/2-1])/2
}

// UpdateMark recomputes the mark from the index, the book's mid and the last
// trade, samples the funding premium, and returns the mark.
func (v *Venue) UpdateMark(top orderbook.Top) int64 {
	var three [3]int64
	in := three[:0]
	mid := int64(0)
	if top.BidQty > 0 && top.AskQty > 0 {
		mid = top.BidPrice + (top.AskPrice-top.BidPrice)/2
	}
	for _, p := range []int64{v.idx, mid, v.last} {
		if p > 0 {
			in = append(in, p)
		}
	}
	if len(in) == 0 {
		return v.mark
	}
	m := median(in)
	if v.idx > 0 && v.cfg.MarkBandPPM > 0 {
		band := ppm(v.idx, v.cfg.MarkBandPPM)
		m = min(max(m, v.idx-band), v.idx+band)
	}
	v.mark = m
	if v.idx > 0 && mid > 0 {
		v.premSum += float64(mid-v.idx) / float64(v.idx)
		v.premN++
	}
	return m
}

// Equity is the account's cash plus its position at the mark (raw money).
func (v *Venue) Equity(id uint64) int64 { return v.equity(v.Account(id)) }

func (v *Venue) equity(a *Account) int64 {
	u, err := mul(a.Pos, v.mark)
	if err != nil {
		return math.MinInt64
	}
	return a.Cash + u
}

func (v *Venue) tier(notional int64) Tier {
	for _, t := range v.cfg.Tiers {
		if notional <= t.MaxNotional {
			return t
		}
	}
	return v.cfg.Tiers[len(v.cfg.Tiers)-1]
}

// MaintenanceMargin is the margin the account's position needs at the mark.
func (v *Venue) MaintenanceMargin(id uint64) int64 { return v.maintenance(v.Account(id)) }

func (v *Venue) maintenance(a *Account) int64 {
	n, _ := mul(abs(a.Pos), v.mark)
	return ppm(n, v.tier(n).MMR)
}

// InitialMargin is the margin a position of notional n needs to be opened.
func (v *Venue) InitialMargin(n int64) int64 { return ppm(n, v.tier(n).IMR) }

// bankruptcy is the price at which the account's equity is zero.
func bankruptcy(a *Account) int64 {
	if a.Pos == 0 {
		return 0
	}
	return -a.Cash / a.Pos
}

// LiquidationPrice estimates the mark at which the account's position falls
// to its maintenance margin, at the risk tier of its notional at the current
// mark — what a venue's liquidation heatmap shows. ok is false for a flat
// account and for one no positive price liquidates.
func (v *Venue) LiquidationPrice(id uint64) (price int64, ok bool) {
	a := v.accounts[id]
	if a == nil || a.Pos == 0 {
		return 0, false
	}
	n, _ := mul(abs(a.Pos), v.mark)
	mmr := float64(v.tier(n).MMR) / 1e6
	var p float64
	if a.Pos > 0 { // cash + pos·m < mmr·pos·m
		p = -float64(a.Cash) / (float64(a.Pos) * (1 - mmr))
	} else { // cash − |pos|·m < mmr·|pos|·m
		p = float64(a.Cash) / (float64(-a.Pos) * (1 + mmr))
	}
	if !(p > 0 && p < math.MaxInt64/2) {
		return 0, false
	}
	return int64(p), true
}

// Liquidations returns the accounts below maintenance margin at the current
// mark, in account order, with the order the liquidation engine sends.
func (v *Venue) Liquidations() []Liquidation {
	if v.mark <= 0 {
		return nil
	}
	var out []Liquidation
	for k, a := range v.list {
		if a.Pos == 0 || v.equity(a) >= v.maintenance(a) {
			continue
		}
		id := v.ids[k]
		l := Liquidation{Account: id, Qty: abs(a.Pos), Bankruptcy: bankruptcy(a), Mark: v.mark}
		band := ppm(v.mark, v.cfg.LiquidationBandPPM)
		if a.Pos > 0 {
			l.Side = orderbook.Sell
			l.Limit = max((v.mark-band)/v.cfg.Tick*v.cfg.Tick, v.cfg.Tick)
		} else {
			l.Side = orderbook.Buy
			l.Limit = (v.mark + band + v.cfg.Tick - 1) / v.cfg.Tick * v.cfg.Tick
		}
		// Worst loss the fund may have to absorb if the whole position fills at the limit.
		worst, err := mul(abs(a.Pos), abs(l.Bankruptcy-l.Limit))
		if err != nil || worst > v.fund {
			l.ADLOnly = true
		}
		out = append(out, l)
	}
	return out
}

// Settle finishes a liquidation once its IOC fills have been reported with
// Fill: the rest of the position is auto-deleveraged at the bankruptcy price,
// a negative equity is covered by the insurance fund, and a positive one pays
// the liquidation fee into it.
func (v *Venue) Settle(l Liquidation) (Settlement, error) {
	a := v.Account(l.Account)
	s := Settlement{Account: l.Account}
	if a.Pos != 0 {
		pb := bankruptcy(a)
		if pb <= 0 {
			pb = v.cfg.Tick
		}
		adl, err := v.deleverage(a, pb)
		if err != nil {
			return s, err
		}
		s.ADL = adl
	}
	notional, _ := mul(l.Qty, l.Mark)
	if a.Cash < 0 {
		loss := -a.Cash
		pay := min(loss, max(v.fund, 0))
		v.fund -= pay
		a.Cash += pay
		s.InsuranceLoss = pay
		if pay < loss {
			return s, fmt.Errorf("perp: account %d: insurance fund short by %d after liquidation", a.ID, loss-pay)
		}
	} else if fee := min(a.Cash, ppm(notional, v.cfg.LiquidationFeePPM)); fee > 0 {
		a.Cash -= fee
		v.fund += fee
		s.FeeToFund = fee
	}
	return s, nil
}

// deleverage closes a's position at price pb against the opposite positions
// ranked by profit ratio × effective leverage (ties: lower account id).
func (v *Venue) deleverage(a *Account, pb int64) ([]ADLFill, error) {
	type cand struct {
		acct  *Account
		score float64
	}
	var cs []cand
	for _, id := range v.sortedIDs() {
		c := v.accounts[id]
		if c == a || c.Pos == 0 || (c.Pos > 0) == (a.Pos > 0) {
			continue
		}
		val, _ := mul(c.Pos, v.mark)
		pnl := float64(val - c.Cost)
		eq := float64(v.Equity(id))
		score := pnl / math.Max(math.Abs(float64(c.Cost)), 1) * math.Abs(float64(val)) / math.Max(eq, 1)
		cs = append(cs, cand{c, score})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	var out []ADLFill
	for _, c := range cs {
		if a.Pos == 0 {
			break
		}
		q := min(abs(a.Pos), abs(c.acct.Pos))
		side := orderbook.Sell // a is long: a sells to the short counterparty
		if a.Pos < 0 {
			side = orderbook.Buy
		}
		if err := v.trade(a, side, pb, q); err != nil {
			return out, err
		}
		if err := v.trade(c.acct, side.Opposite(), pb, q); err != nil {
			return out, err
		}
		out = append(out, ADLFill{From: a.ID, To: c.acct.ID, Side: side, Qty: q, Price: pb})
	}
	if a.Pos != 0 {
		return out, fmt.Errorf("perp: account %d: %d left after auto-deleveraging every opposite position", a.ID, a.Pos)
	}
	return out, nil
}

// FundingDue reports whether a funding time has passed since the last one.
func (v *Venue) FundingDue(now int64) bool {
	if v.cfg.FundingInterval <= 0 {
		return false
	}
	if v.lastFund == 0 {
		v.lastFund = now - now%v.cfg.FundingInterval
	}
	return now >= v.lastFund+v.cfg.FundingInterval
}

// FundingRate is the rate (ppm) the next funding would charge.
func (v *Venue) FundingRate() int64 {
	prem := 0.0
	if v.premN > 0 {
		prem = v.premSum / float64(v.premN) * 1e6
	}
	r := prem + math.Max(-500, math.Min(500, float64(v.cfg.InterestPPM)-prem))
	c := float64(v.cfg.FundingCapPPM)
	if c > 0 {
		r = math.Max(-c, math.Min(c, r))
	}
	return int64(math.Round(r))
}

// Fund charges funding at time now: every position pays position × mark ×
// rate (longs pay when the rate is positive); the rounding residue goes to the
// insurance fund.
func (v *Venue) Funding(now int64) ([]FundingPayment, int64, error) {
	rate := v.FundingRate()
	var out []FundingPayment
	var sum int64
	for _, id := range v.sortedIDs() {
		a := v.accounts[id]
		if a.Pos == 0 {
			continue
		}
		val, err := mul(a.Pos, v.mark)
		if err != nil {
			return nil, rate, err
		}
		pay := ppm(val, rate)
		a.Cash -= pay
		a.Funding += pay
		sum += pay
		out = append(out, FundingPayment{Account: id, Amount: pay})
	}
	v.fund += sum // Σ payments is the rounding residue (positions sum to zero)
	v.premSum, v.premN = 0, 0
	v.lastFund = now - now%v.cfg.FundingInterval
	return out, rate, nil
}

// Conservation returns Σ(equity − deposits) + fees + (fund − initial fund):
// zero at every instant when money is conserved.
func (v *Venue) Conservation() int64 {
	var s int64
	var pos int64
	for _, a := range v.list {
		s += a.Cash - a.Deposits
		pos += a.Pos
	}
	u, _ := mul(pos, v.mark)
	return s + u + v.fees + v.fund - v.cfg.InsuranceFund
}
