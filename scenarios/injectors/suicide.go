package injectors

import (
	"math"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/venue"
)

func init() {
	mustRegister(component.Spec{
		Name:    string(replay.LiquidationSuicide),
		Summary: "Liquidation suicide on a perpetual swap: a victim account takes a highly leveraged position, linked accounts rest orders beyond its bankruptcy price, and a pusher drives the price to liquidate it into their orders.",
		Params: []component.Param{
			{Name: "beyond_bps", Type: component.Float, Meaning: "how far beyond the bankruptcy price the collecting orders rest", ByIntensity: component.PerIntensity(150.0, 100.0, 60.0, 30.0)},
			{Name: "chunk_x", Type: component.Float, Meaning: "the pusher's market orders in typical sizes", ByIntensity: component.PerIntensity(3.0, 2.0, 1.5, 1.0)},
			{Name: "collectors", Type: component.Int, Meaning: "linked accounts sharing the collecting orders", ByIntensity: component.PerIntensity(int64(1), int64(1), int64(2), int64(3))},
			{Name: "leverage", Type: component.Float, Meaning: "the victim's leverage (the risk tiers must allow it)", ByIntensity: component.PerIntensity(90.0, 75.0, 60.0, 45.0)},
			{Name: "size_x", Type: component.Float, Meaning: "the victim's position in typical order sizes", ByIntensity: component.PerIntensity(18.0, 15.0, 12.0, 10.0)},
			{Name: "wait_s", Type: component.Float, Meaning: "seconds between the victim's position and the collecting orders", ByIntensity: component.PerIntensity(20.0, 60.0, 180.0, 600.0)},
		},
	}, newSuicide)
}

// suicide is a liquidation "suicide" attack on a perpetual swap: a victim
// account opens a highly leveraged position; linked collecting accounts rest
// orders beyond the victim's bankruptcy price on the side the victim's liquidation will trade;
// a linked pushing account trades the thin book against the victim until the
// mark liquidates it, and the liquidation order fills into the collectors'
// orders at prices beyond the victim's bankruptcy price, so the insurance fund
// pays the difference. The collectors and the pusher then unwind.
type suicide struct {
	perpAttack
	phase      int
	long       bool // the victim's position
	qty        int64
	pushes     int
	orders     []uint64
	unwinds    int
	opened     int64
	pusherBook bookPusher
	collectAt  int64 // price of the collecting order nearest the mark
}

// push clears the book against the victim down (or up) to just above the
// collecting orders, and rests the rest of its order there: the mid — and with
// it the mark — falls to where the victim is liquidated, and the collectors'
// orders are the best ones its liquidation order meets. Without collecting
// orders it pushes to where the victim's maintenance margin breaks, a little
// further with every try.
func (s *suicide) push(v venue.Venue, sym uint32, side orderbook.Side, in *replay.Instrument) {
	ref := refPrice(s.pv, sym)
	dist := (1/s.k.f("leverage") - 0.005) * (1.3 + 0.2*float64(s.pushes))
	target := venue.RoundTick(float64(ref)*(1-dist), in.Tick)
	if side == orderbook.Buy {
		target = venue.RoundTick(float64(ref)*(1+dist), in.Tick)
	}
	if s.collectAt != 0 && s.pushes == 0 {
		target = s.collectAt + in.Tick
		if side == orderbook.Buy {
			target = s.collectAt - in.Tick
		}
	}
	s.pusherBook.account = s.pusher()
	s.pusherBook.push(v, s.pv, sym, side, target, venue.Lots(float64(s.p.Instrument.Size)*s.k.f("chunk_x"), in.Lot))
}

func newSuicide(p Params) (venue.Injection, error) {
	a, err := newPerpAttack(p)
	if err != nil {
		return nil, err
	}
	return &suicide{perpAttack: a, long: p.Rand.IntN(2) == 0}, nil
}

// Prepare draws the linked accounts: victim, pusher and the collectors.
func (s *suicide) Prepare(v venue.Venue) {
	s.prepare(v, 2+max(s.k.i("collectors"), 1), true)
	s.lossOf = s.accounts[:1]
}

func (s *suicide) victim() uint64 { return s.accounts[0] }
func (s *suicide) pusher() uint64 { return s.accounts[1] }
func (s *suicide) collectors() []uint64 {
	return s.accounts[2:]
}

func (s *suicide) Act(v venue.Venue) int64 {
	if s.pv == nil {
		return -1
	}
	sym, pv := s.p.Symbol, s.pv
	in := v.Instrument(sym)
	now := v.Now()
	size := float64(s.p.Instrument.Size)
	side := orderbook.Buy // the victim's opening side
	if !s.long {
		side = orderbook.Sell
	}
	switch s.phase {
	case 0: // the victim opens its leveraged position
		ref := refPrice(pv, sym)
		s.qty = venue.Lots(size*s.k.f("size_x")*(0.9+0.2*s.p.Rand.Float64()), in.Lot)
		fund(pv, sym, s.victim(), s.qty, ref, s.k.f("leverage"))
		if _, _, err := v.Submit(sym, s.victim(), venue.OrderRequest{Side: side, Type: orderbook.Market, Qty: s.qty}); err != nil {
			return -1 // margin refused: the attack does not happen (counted by the venue)
		}
		s.qty = abs64(v.Position(sym, s.victim()))
		s.opened = now
		s.mark(now)
		s.phase = 1
		return now + int64(s.k.f("wait_s")*float64(time.Second)*(0.8+0.4*s.p.Rand.Float64()))
	case 1: // collectors rest orders far beyond the mark
		ref := refPrice(pv, sym)
		cs := s.collectors()
		per := venue.Lots(float64(s.qty)/float64(len(cs)), in.Lot)
		for i, c := range cs {
			bps := 1e4/s.k.f("leverage") + s.k.f("beyond_bps")*(1-0.2*float64(i)/float64(len(cs)))
			p, oside := float64(ref)*(1-bps/1e4), side // victim long: its liquidation sells, so collectors bid below
			if !s.long {
				p = float64(ref) * (1 + bps/1e4)
			}
			fund(pv, sym, c, per, ref, 5)
			px := venue.RoundTick(p, in.Tick)
			if id, _, err := v.Submit(sym, c, venue.OrderRequest{Side: oside, Price: px, Qty: per}); err == nil {
				s.orders = append(s.orders, id)
				if s.collectAt == 0 || (s.long && px > s.collectAt) || (!s.long && px < s.collectAt) {
					s.collectAt = px // the collecting order nearest the mark
				}
			}
		}
		pv.Deposit(sym, s.pusher(), int64(float64(s.qty)*float64(ref)*3))
		s.mark(now)
		s.phase = 2
		return now + int64(2*time.Second)
	case 2: // push the book against the victim until the mark liquidates it
		if pv.Liquidated(sym, s.victim(), s.opened, now) || v.Position(sym, s.victim()) == 0 || s.pushes >= 6 {
			s.pusherBook.cancel(v, sym)
			s.phase = 3
			return now + int64(time.Second)
		}
		s.push(v, sym, side.Opposite(), in)
		s.pushes++
		s.mark(now)
		return now + int64(300*time.Millisecond)
	case 3: // collectors pull what was not filled
		for _, id := range s.orders {
			if _, live := v.Remaining(sym, id); live {
				v.Cancel(sym, id)
			}
		}
		s.mark(now)
		s.phase = 4
		return now + int64(30*time.Second) + venue.ExpDuration(s.p.Rand, 60*time.Second)
	default: // everyone unwinds into the recovered book
		flat := closeAll(v, sym, s.accounts[1:], venue.Lots(size*2, in.Lot))
		s.mark(now)
		s.unwinds++
		if flat || s.unwinds > 200 {
			return -1
		}
		return now + int64(math.Round(float64(2*time.Second)*(0.5+s.p.Rand.Float64())))
	}
}
