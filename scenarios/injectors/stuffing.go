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
		Name:    string(replay.QuoteStuffing),
		Summary: "Quote stuffing: bursts of orders near the touch, cancelled within milliseconds.",
		Params: []component.Param{
			{Name: "away_ticks", Type: component.Int, Meaning: "how far from the touch the orders sit, in ticks", ByIntensity: component.PerIntensity(int64(3), int64(5), int64(8), int64(12))},
			{Name: "burst_ms", Type: component.Float, Meaning: "burst length in milliseconds", ByIntensity: component.PerIntensity(1000.0, 1000.0, 1500.0, 3000.0)},
			{Name: "bursts", Type: component.Int, Meaning: "bursts", ByIntensity: component.PerIntensity(int64(8), int64(6), int64(5), int64(4))},
			{Name: "life_ms", Type: component.Float, Meaning: "each order's lifetime in milliseconds", ByIntensity: component.PerIntensity(20.0, 50.0, 150.0, 400.0)},
			{Name: "orders", Type: component.Int, Meaning: "orders per burst", ByIntensity: component.PerIntensity(int64(300), int64(150), int64(60), int64(25))},
		},
	}, newStuffing)
}

// stuffing floods the book with small orders near the touch and cancels each
// a few milliseconds later, in bursts, to slow other participants' feeds.
type stuffing struct {
	attack
	burst, sent int
	open        []uint64
}

func newStuffing(p Params) (venue.Injection, error) {
	k, err := resolve(p)
	if err != nil {
		return nil, err
	}
	return &stuffing{attack: attack{p: p, k: k}}, nil
}

// Prepare draws the stuffer's account.
func (s *stuffing) Prepare(v venue.Venue) { s.accounts = v.AttackAccounts(1, false) }

func (s *stuffing) Act(v venue.Venue) int64 {
	sym, in, now := s.p.Symbol, v.Instrument(s.p.Symbol), v.Now()
	// Cancel what the previous step placed (their lifetime is one step).
	for _, id := range s.open {
		if _, live := v.Remaining(sym, id); live {
			v.Cancel(sym, id)
		}
	}
	s.open = s.open[:0]
	if s.burst >= s.k.i("bursts") {
		return -1
	}
	step := int64(s.k.f("life_ms") * float64(time.Millisecond))
	perStep := max(1, int(float64(s.k.i("orders"))*float64(step)/(s.k.f("burst_ms")*float64(time.Millisecond))))
	t := v.Top(sym)
	for i := 0; i < perStep && s.sent < s.k.i("orders"); i++ {
		side, ref := orderbook.Buy, t.BidPrice
		if s.p.Rand.IntN(2) == 0 {
			side, ref = orderbook.Sell, t.AskPrice
		}
		if ref == 0 {
			ref = v.LastPrice(sym)
		}
		away := int64(1+s.p.Rand.IntN(max(s.k.i("away_ticks"), 1))) * in.Tick
		p := ref - away
		if side == orderbook.Sell {
			p = ref + away
		}
		if p < in.Tick {
			p = in.Tick
		}
		if id, _, err := v.Submit(sym, s.accounts[0], venue.OrderRequest{Side: side, Price: p, Qty: in.Lot}); err == nil {
			s.open = append(s.open, id)
		}
		s.sent++
	}
	s.mark(now)
	if s.sent >= s.k.i("orders") {
		s.sent = 0
		s.burst++
		return now + step + int64(20*time.Second) + venue.ExpDuration(s.p.Rand, 20*time.Second)
	}
	return now + step
}
