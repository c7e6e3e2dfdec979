package detectors

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Needs:    []Need{NeedAccounts},
		Typology: replay.LiquidationSuicide,
		Spec: component.Spec{Name: "liquidation_abuse",
			Summary: "Liquidation abuse on perpetual swaps, from the venue's liquidation, fill, ADL and insurance fund events. " +
				"Each liquidation is examined three ways. liquidation_suicide: the share of the liquidation order's fills taken by accounts " +
				"linked to the liquidated one (same device, IP subnet or funding source shared by at most max_share accounts, or a referral), " +
				"weighted up when those orders were placed far_bps or more from the mark within lookback before, and by the insurance fund's " +
				"payment; accounts = the liquidated account, the linked makers and linked accounts that traded against it within lookback. " +
				"offsetting_positions: the share of the liquidated position that was opened against linked accounts, plus the share " +
				"deleveraged into linked accounts, times log2(1 + position / touch size). liquidation_cascade: min_liquidations or more liquidations each within " +
				"window of the previous; score = the initiator's share × (liquidations + 3 × price range in percent) × (1 + 4 √(share of the liquidation " +
				"orders' fills taken by the initiator or accounts linked to it)) × the share of the move the book drove " +
				"(the farthest the mark stood from the index, over the price range, at most 1: a cascade the index set off scores little), a tenth of that when the initiator " +
				"pushed against the position of an account linked to it, or is itself liquidated or linked to a liquidated account; accounts = the initiator, " +
				"the account of the largest non-liquidation order trading the cascade's way in the window before the first liquidation. Alerts claim the typology they found; an instance's results are split by typology.",
			Params: []component.Param{
				{Name: "lookback", Type: component.Duration, Default: 10 * time.Minute, Unit: "s", Meaning: "how far back orders and trades of linked accounts count"},
				{Name: "far_bps", Type: component.Float, Default: 100.0, Unit: "bps", Meaning: "an order this far from the mark when placed is a far order"},
				{Name: "max_share", Type: component.Int, Default: int64(12), Meaning: "an attribute value shared by more accounts than this is not a link"},
				{Name: "window", Type: component.Duration, Default: 10 * time.Second, Unit: "s", Meaning: "liquidations this close together belong to one cascade; takers this far before the first one are its candidate initiators"},
				{Name: "min_liquidations", Type: component.Int, Default: int64(1), Meaning: "liquidations that make a cascade (one is enough when a dominant order set it off: the score weighs that)"},
			}},
		New: func(p Params) (Detector, error) {
			return &liqAbuse{lookback: int64(p.Duration("lookback")), farBps: p.Float("far_bps"), maxShare: int(p.Int("max_share")),
				window: int64(p.Duration("window")), minLiqs: int(p.Int("min_liquidations"))}, nil
		},
	})
}

// farOrder is an order placed far from the mark: who, when.
type farOrder struct {
	account uint64
	ts      int64
}

// takerTrade is one aggressive fill, for looking back at who pushed.
type takerTrade struct {
	ts      int64
	account uint64
	side    orderbook.Side
	qty     int64
	liq     bool
}

// pendingLiq is a liquidation being examined until its settlement events pass.
type pendingLiq struct {
	ts, bankruptcy int64
	account        uint64
	side           orderbook.Side
	qty            int64
	mark           int64
	linkedQty      int64
	farLinkedQty   int64
	beyondQty      int64
	linkedAdl      int64
	fundLoss       int64
	linkedOpen     int64 // of the liquidated position, opened against linked accounts
	allOpen        int64
	partners       []uint64
	accounts       []uint64
	start          int64
	depth          int64
}

type liqSym struct {
	perp    bool
	mark    int64
	far     map[uint64]farOrder
	trades  []takerTrade // ring of recent aggressive fills
	pos     map[uint64]int64
	opened  map[uint64]map[uint64]int64 // account -> counterparty -> qty since it was last flat
	pending *pendingLiq
	// cascade
	burst            []int64 // liquidation times of the current burst
	burstHi, burstLo int64
	burstStart       int64
	burstInit        uint64
	burstDom         float64  // the initiator's share of the same-side taker volume before
	burstLiqd        []uint64 // accounts liquidated in the burst
	burstAbuse       bool     // the initiator pushed against a linked account's position
	burstBasis       float64  // the farthest the mark stood from the index during the burst (%)
	burstLiqQty      int64    // liquidation orders' fills in the burst
	burstCaught      int64    // of which the initiator or accounts linked to it took the other side
	index            int64    // the last index price (0: none published)
}

type liqAbuse struct {
	lookback, window int64
	farBps           float64
	maxShare         int
	minLiqs          int
	insts            []replay.Instrument
	links            *accountLinks
	syms             []liqSym
	first            int64
	seen             bool
}

func (d *liqAbuse) Start(info *replay.RunInfo) error {
	d.insts = info.Instruments
	d.links = newAccountLinks(info.Accounts, d.maxShare)
	d.syms = make([]liqSym, len(info.Instruments))
	for i, in := range info.Instruments {
		d.syms[i] = liqSym{perp: in.Kind == replay.Perpetual, far: map[uint64]farOrder{}, pos: map[uint64]int64{}, opened: map[uint64]map[uint64]int64{}}
	}
	return nil
}

func (d *liqAbuse) Consume(b *replay.Batch, emit func(Alert)) error {
	for i := range b.Records {
		r := &b.Records[i]
		ev := &r.Event
		s := &d.syms[ev.Symbol]
		if !d.seen {
			d.first, d.seen = ev.TS, true
		}
		if !s.perp && ev.Action != replay.ActionMark && ev.Action != replay.ActionLiquidation {
			continue
		}
		s.perp = true
		if s.pending != nil && ev.TS > s.pending.ts {
			d.finishLiq(ev.Symbol, s, emit)
		}
		if len(s.burst) > 0 && ev.TS > s.burst[len(s.burst)-1]+d.window {
			d.finishBurst(ev.Symbol, s, ev.TS, emit)
		}
		switch ev.Action {
		case replay.ActionMark:
			s.mark = ev.Price
			if len(s.burst) > 0 {
				s.burstBasis = max(s.burstBasis, s.basis())
			}
		case replay.ActionIndex:
			if ev.OrderID == 0 { // the index itself, not a constituent
				s.index = ev.Price
			}
		case replay.ActionLiquidation:
			if s.pending != nil {
				d.finishLiq(ev.Symbol, s, emit)
			}
			p := &pendingLiq{ts: ev.TS, account: ev.Account, side: ev.Side, qty: ev.Qty, bankruptcy: ev.Price, mark: s.mark, start: ev.TS,
				depth: r.Top.BidQty + r.Top.AskQty}
			// Who the position was opened against, before the liquidation closes it.
			for c, x := range s.opened[ev.Account] {
				p.allOpen += x
				if d.links.linked(ev.Account, c) {
					p.linkedOpen += x
					p.partners = append(p.partners, c)
				}
			}
			s.pending = p
			d.noteBurst(s, ev.TS, ev.Side)
			s.burstLiqd = append(s.burstLiqd, ev.Account)
		case replay.ActionADL:
			if p := s.pending; p != nil && p.account == ev.Account && d.links.linked(ev.Account, ev.OrderID) {
				p.linkedAdl += ev.Qty
				p.accounts = append(p.accounts, ev.OrderID)
			}
			d.move(s, ev.Account, ev.OrderID, ev.Side, ev.Qty)
		case replay.ActionFund:
			if p := s.pending; p != nil && p.account == ev.Account && ev.Qty < 0 {
				p.fundLoss += -ev.Qty
			}
		case replay.ActionAdd:
			if s.mark > 0 && ev.Flags&replay.FlagLiquidation == 0 && r.FillEnd == r.FillStart {
				if dist := math.Abs(float64(ev.Price-s.mark)) / float64(s.mark) * 1e4; dist >= d.farBps {
					s.far[ev.OrderID] = farOrder{account: ev.Account, ts: ev.TS}
				}
			}
		}
		fills := b.FillsOf(i)
		liq := ev.Flags&replay.FlagLiquidation != 0
		if len(fills) > 0 {
			// One entry per aggressive order: its taker, side and total quantity.
			var q int64
			for _, f := range fills {
				q += f.Qty
			}
			if len(s.trades) >= 4096 {
				s.trades = s.trades[:copy(s.trades, s.trades[2048:])]
			}
			s.trades = append(s.trades, takerTrade{ts: ev.TS, account: fills[0].TakerAccount, side: fills[0].Aggressor, qty: q, liq: liq})
		}
		for _, f := range fills {
			d.move(s, f.TakerAccount, f.MakerAccount, f.Aggressor, f.Qty)
			if len(s.burst) > 0 || liq {
				s.burstLo = minNZ(s.burstLo, f.Price)
				s.burstHi = max(s.burstHi, f.Price)
			}
			if liq && len(s.burst) > 0 {
				s.burstLiqQty += f.Qty
				if init := s.burstInit; init != 0 && (f.MakerAccount == init || d.links.linked(init, f.MakerAccount)) {
					s.burstCaught += f.Qty
				}
			}
			if p := s.pending; liq && p != nil && f.TakerAccount == p.account {
				if d.links.linked(p.account, f.MakerAccount) {
					p.linkedQty += f.Qty
					if fo, ok := s.far[f.MakerOrder]; ok && ev.TS-fo.ts <= d.lookback {
						p.farLinkedQty += f.Qty
						p.start = min(p.start, fo.ts)
					}
					p.accounts = append(p.accounts, f.MakerAccount)
				}
				if (p.side == orderbook.Sell && f.Price < p.bankruptcy) || (p.side == orderbook.Buy && f.Price > p.bankruptcy) {
					p.beyondQty += f.Qty
				}
			}
		}
		if len(s.far) > 4096 {
			for id, fo := range s.far {
				if ev.TS-fo.ts > d.lookback {
					delete(s.far, id)
				}
			}
		}
	}
	return nil
}

func minNZ(a, b int64) int64 {
	if a == 0 || b < a {
		return b
	}
	return a
}

// move books a trade of qty between taker (trading side) and maker, tracking
// positions and, per account, who its open position was traded against.
func (d *liqAbuse) move(s *liqSym, taker, maker uint64, side orderbook.Side, qty int64) {
	signed := qty
	if side == orderbook.Sell {
		signed = -qty
	}
	for _, x := range [2]struct {
		a, c uint64
		q    int64
	}{{taker, maker, signed}, {maker, taker, -signed}} {
		if x.a == 0 {
			continue
		}
		before := s.pos[x.a]
		after := before + x.q
		s.pos[x.a] = after
		if after == 0 || (before != 0 && (before > 0) != (after > 0)) {
			delete(s.opened, x.a)
			if after == 0 {
				delete(s.pos, x.a)
				continue
			}
		}
		if abs(after) > abs(before) {
			m := s.opened[x.a]
			if m == nil {
				m = map[uint64]int64{}
				s.opened[x.a] = m
			}
			m[x.c] += abs(after) - abs(before)
		}
	}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// finishLiq scores a liquidation once its order, ADL and fund events passed.
func (d *liqAbuse) finishLiq(sym uint32, s *liqSym, emit func(Alert)) {
	p := s.pending
	s.pending = nil
	q := float64(max(p.qty, 1))
	sym0 := d.insts[sym].Symbol
	// Who pushed: linked accounts that traded against the liquidated side within lookback.
	var pushers []uint64
	var pushQty int64
	for j := len(s.trades) - 1; j >= 0; j-- {
		t := s.trades[j]
		if p.ts-t.ts > d.lookback {
			break
		}
		if !t.liq && t.side == p.side && d.links.linked(p.account, t.account) {
			pushQty += t.qty
			if !slices.Contains(pushers, t.account) {
				pushers = append(pushers, t.account)
			}
			p.start = min(p.start, t.ts)
		}
	}
	// liquidation_suicide
	linkedShare := float64(p.linkedQty) / q
	farShare := float64(p.farLinkedQty) / q
	beyond := float64(p.beyondQty) / q
	loss := 0.0
	if p.fundLoss > 0 {
		loss = 1
	}
	push := 0.0
	if pushQty > 0 {
		push = 0.25 * math.Log2(1+float64(pushQty)/q) * (1 + loss) // a linked account drove the price into it, and the fund paid
	}
	score := linkedShare*(1+farShare+beyond+loss) + push + 0.05*beyond
	accts := append([]uint64{p.account}, p.accounts...)
	accts = append(accts, pushers...)
	emit(Alert{Typology: replay.LiquidationSuicide, Symbol: sym0, RaisedAt: p.ts, Start: p.start, End: p.ts, Accounts: sortedUnique(accts), Score: score,
		Evidence: fmt.Sprintf("liquidation of %d (qty %d at bankruptcy %d, mark %d): %.0f%% filled by linked accounts (%.0f%% on far orders), %.0f%% beyond bankruptcy, insurance fund paid %d, %d linked accounts traded %d against it before",
			p.account, p.qty, p.bankruptcy, p.mark, 100*linkedShare, 100*farShare, 100*beyond, p.fundLoss, len(pushers), pushQty)})
	// offsetting_positions
	linkedOpen, allOpen, partners := p.linkedOpen, p.allOpen, p.partners
	share := float64(linkedOpen)/math.Max(float64(allOpen), 1) + float64(p.linkedAdl)/q
	size := math.Log2(1 + q/math.Max(float64(p.depth), 1))
	emit(Alert{Typology: replay.OffsettingPositions, Symbol: sym0, RaisedAt: p.ts, Start: max(p.ts-d.lookback, d.first), End: p.ts,
		Accounts: sortedUnique(append([]uint64{p.account}, partners...)), Score: share * size,
		Evidence: fmt.Sprintf("liquidation of %d (qty %d, %.1f× the touch): %.0f%% of the position was opened against %d linked accounts; %d deleveraged into linked accounts",
			p.account, p.qty, q/math.Max(float64(p.depth), 1), 100*float64(linkedOpen)/math.Max(float64(allOpen), 1), len(partners), p.linkedAdl)})
	delete(s.opened, p.account)
}

// noteBurst adds a liquidation to the current cascade (or starts one); side
// is the liquidation order's side, the direction the cascade pushes.
func (d *liqAbuse) noteBurst(s *liqSym, ts int64, side orderbook.Side) {
	if len(s.burst) == 0 {
		s.burstStart = ts
		s.burstHi, s.burstLo = s.mark, s.mark
		s.burstBasis = s.basis()
		// The initiator: the account of the largest non-liquidation order
		// trading the same way in the window before.
		var best takerTrade
		var total int64
		for j := len(s.trades) - 1; j >= 0; j-- {
			t := s.trades[j]
			if ts-t.ts > d.window {
				break
			}
			if t.liq || t.side != side {
				continue
			}
			total += t.qty
			if t.qty > best.qty || (t.qty == best.qty && t.account < best.account) {
				best = t
			}
		}
		s.burstInit, s.burstDom = best.account, 0
		// Does the initiator push against a linked account's position (a
		// suicide or offsetting push), or is it liquidated itself?
		s.burstAbuse = best.account != 0 && d.links.any(best.account, func(b uint64) bool {
			p := s.pos[b]
			return (side == orderbook.Sell && p > 0) || (side == orderbook.Buy && p < 0)
		})
		if total > 0 {
			s.burstDom = float64(best.qty) / float64(total)
			s.burstStart = min(s.burstStart, best.ts)
		}
	}
	s.burst = append(s.burst, ts)
}

func (d *liqAbuse) finishBurst(sym uint32, s *liqSym, now int64, emit func(Alert)) {
	n := len(s.burst)
	if n >= d.minLiqs {
		move := 0.0
		if s.burstLo > 0 {
			move = float64(s.burstHi-s.burstLo) / float64(s.burstLo) * 100
		}
		var accts []uint64
		if s.burstInit != 0 {
			accts = []uint64{s.burstInit}
		}
		end := s.burst[n-1]
		score := s.burstDom * (float64(n) + 3*move) // a cascade is a price event: the move weighs most
		note := ""
		// An initiator linked to an account it liquidated is abusing the
		// liquidation (suicide, offsetting positions), not setting off a
		// cascade: its linked collectors taking the liquidation is that abuse.
		abuse := s.burstAbuse || slices.ContainsFunc(s.burstLiqd, func(a uint64) bool { return a == s.burstInit || d.links.linked(s.burstInit, a) })
		caught := float64(s.burstCaught) / math.Max(float64(s.burstLiqQty), 1)
		if caught > 0 && !abuse {
			// The initiator (or a linked account) bought the liquidated
			// positions back cheaper: the cascade paid whoever set it off.
			score *= 1 + 4*math.Sqrt(caught)
			note = fmt.Sprintf("; the initiator's side took %.0f%% of the liquidation orders", 100*caught)
		}
		if s.index > 0 && move > 0 {
			// Set off by the book or by the index? A push through the book
			// drags the mark away from the index (up to the mark band); when
			// the index itself moved (manipulated constituents, news), the
			// mark follows it and the two stay together.
			driven := min(1, s.burstBasis/move)
			score *= driven
			note += fmt.Sprintf("; the mark stood up to %.2f%% from the index (the book drove %.0f%% of the move)", s.burstBasis, 100*driven)
		}
		if abuse {
			score *= 0.1
			note += "; the initiator pushed against a linked account's position or was liquidated itself (see liquidation_suicide and offsetting_positions)"
		}
		emit(Alert{Typology: replay.LiquidationCascade, Symbol: d.insts[sym].Symbol, RaisedAt: now, Start: s.burstStart, End: end, Accounts: accts,
			Score: score, Evidence: fmt.Sprintf("%d liquidations within %v of each other, price range %.2f%%; largest order the same way before: account %d (%.0f%% of that volume)%s",
				n, time.Duration(d.window), move, s.burstInit, 100*s.burstDom, note)})
	}
	s.burst, s.burstLiqd = s.burst[:0], s.burstLiqd[:0]
	s.burstLiqQty, s.burstCaught = 0, 0
	s.burstHi, s.burstLo = 0, 0
}

func (d *liqAbuse) Finish(emit func(Alert)) error {
	for i := range d.syms {
		s := &d.syms[i]
		if s.pending != nil {
			d.finishLiq(uint32(i), s, emit)
		}
		if len(s.burst) > 0 {
			d.finishBurst(uint32(i), s, s.burst[len(s.burst)-1], emit)
		}
	}
	return nil
}

// basis is how far the mark stands from the index, in percent (0 before
// either is published).
func (s *liqSym) basis() float64 {
	if s.index <= 0 || s.mark <= 0 {
		return 0
	}
	return math.Abs(float64(s.mark-s.index)) / float64(s.index) * 100
}

func sortedUnique(xs []uint64) []uint64 {
	slices.Sort(xs)
	return slices.Compact(xs)
}
