package injectors

import (
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/venue"
)

func init() {
	mustRegister(component.Spec{
		Name:    string(replay.Spoofing),
		Summary: "Spoofing and layering: large orders one tick behind the touch and deeper on one side, a genuine execution on the other (an immediate-or-cancel order priced so that it can never trade with the spoofer's own layers: no self-trades), then quick cancels.",
		Params: []component.Param{
			{Name: "cancel_after_s", Type: component.Float, Meaning: "seconds before the spoof orders are cancelled", ByIntensity: component.PerIntensity(0.5, 1.5, 4.0, 10.0)},
			{Name: "cycles", Type: component.Int, Meaning: "spoof-trade-cancel cycles", ByIntensity: component.PerIntensity(int64(6), int64(5), int64(4), int64(3))},
			{Name: "layers", Type: component.Int, Meaning: "price levels the spoof orders are layered on", ByIntensity: component.PerIntensity(int64(5), int64(3), int64(2), int64(1))},
			{Name: "size_x_touch", Type: component.Float, Meaning: "spoof size in multiples of the visible quantity at the touch", ByIntensity: component.PerIntensity(8.0, 4.0, 2.5, 1.5)},
		},
	}, newSpoof)
}

// spoof layers large orders on one side near the touch, trades a genuine
// order on the other side into the move it suggests, then cancels the layers.
type spoof struct {
	attack
	cycle   int
	phase   int // 0 place layers, 1 genuine trade, 2 cancel
	layers  []uint64
	touch   int64 // the touch price the layers were placed behind
	buySide bool
}

func newSpoof(p Params) (venue.Injection, error) {
	k, err := resolve(p)
	if err != nil {
		return nil, err
	}
	return &spoof{attack: attack{p: p, k: k}, buySide: p.Rand.IntN(2) == 0}, nil
}

// Prepare draws the spoofer's account.
func (s *spoof) Prepare(v venue.Venue) { s.accounts = v.AttackAccounts(1, false) }

func (s *spoof) Act(v venue.Venue) int64 {
	sym, acct := s.p.Symbol, s.accounts[0]
	in := v.Instrument(sym)
	now := v.Now()
	switch s.phase {
	case 0:
		if s.cycle >= s.k.i("cycles") {
			return -1
		}
		t := v.Top(sym)
		if t.BidQty == 0 || t.AskQty == 0 {
			return now + int64(time.Second)
		}
		side, ref, touch := orderbook.Buy, t.BidPrice, t.BidQty
		if !s.buySide {
			side, ref, touch = orderbook.Sell, t.AskPrice, t.AskQty
		}
		q := venue.Lots(float64(touch)*s.k.f("size_x_touch")*(0.8+0.4*s.p.Rand.Float64()), in.Lot)
		// The layers start one tick behind the touch, so that the genuine
		// order below (priced at the touch) can never trade with them: a
		// spoofer hitting its own layer made a self-trade, a wash-trading
		// signature this attack does not have.
		s.touch = ref
		for l := 1; l <= s.k.i("layers"); l++ {
			p := ref - int64(l)*in.Tick
			if side == orderbook.Sell {
				p = ref + int64(l)*in.Tick
			}
			if id, _, err := v.Submit(sym, acct, venue.OrderRequest{Side: side, Price: p, Qty: q}); err == nil {
				s.layers = append(s.layers, id)
			}
		}
		s.mark(now)
		s.phase = 1
		return now + int64(s.k.f("cancel_after_s")*float64(time.Second)*0.4)
	case 1:
		genuine := orderbook.Sell
		if !s.buySide {
			genuine = orderbook.Buy
		}
		// Immediate-or-cancel at the touch the layers were placed behind:
		// it takes only other accounts' orders at that price or better.
		v.Submit(sym, acct, venue.OrderRequest{Side: genuine, Type: orderbook.Limit, TIF: orderbook.IOC, Price: s.touch, Qty: venue.Lots(float64(s.p.Instrument.Size)*(1+s.p.Rand.Float64()), in.Lot)})
		s.mark(now)
		s.phase = 2
		return now + int64(s.k.f("cancel_after_s")*float64(time.Second)*0.6)
	default:
		for _, id := range s.layers {
			if _, live := v.Remaining(sym, id); live {
				v.Cancel(sym, id)
			}
		}
		s.layers = s.layers[:0]
		s.mark(now)
		s.phase = 0
		s.cycle++
		return now + int64(10*time.Second) + venue.ExpDuration(s.p.Rand, 10*time.Second)
	}
}
