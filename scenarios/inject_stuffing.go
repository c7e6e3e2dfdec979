package scenarios

import (
	"time"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	registerInjector(replay.QuoteStuffing, newStuffing, stuffingDefaults, InjectorDoc{
		Summary: "Quote stuffing: bursts of orders near the touch, cancelled within milliseconds.",
		Params: map[string]string{
			"bursts":     "bursts",
			"orders":     "orders per burst",
			"burst_ms":   "burst length in milliseconds",
			"away_ticks": "how far from the touch the orders sit, in ticks",
			"life_ms":    "each order's lifetime in milliseconds",
		},
	})
}

// stuffingDefaults by intensity: bursts, orders per burst, burst length,
// how far from the touch the orders sit (ticks), and their lifetime.
var stuffingDefaults = map[labels.Intensity]map[string]float64{
	"blatant":  {"bursts": 8, "orders": 300, "burst_ms": 1000, "away_ticks": 3, "life_ms": 20},
	"standard": {"bursts": 6, "orders": 150, "burst_ms": 1000, "away_ticks": 5, "life_ms": 50},
	"subtle":   {"bursts": 5, "orders": 60, "burst_ms": 1500, "away_ticks": 8, "life_ms": 150},
	"evasive":  {"bursts": 4, "orders": 25, "burst_ms": 3000, "away_ticks": 12, "life_ms": 400},
}

// stuffing floods the book with small orders near the touch and cancels each
// a few milliseconds later, in bursts, to slow other participants' feeds.
type stuffing struct {
	attack
	burst, sent int
	open        []uint64
}

func newStuffing(p InjectionParams) (Injection, error) {
	k, err := resolve(p, stuffingDefaults)
	if err != nil {
		return nil, err
	}
	return &stuffing{attack: attack{p: p, k: k}}, nil
}

// Prepare draws the stuffer's account.
func (s *stuffing) Prepare(v Venue) { s.accounts = v.AttackAccounts(1, false) }

func (s *stuffing) Act(v Venue) int64 {
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
		if id, _, err := v.Submit(sym, s.accounts[0], OrderRequest{Side: side, Price: p, Qty: in.Lot}); err == nil {
			s.open = append(s.open, id)
		}
		s.sent++
	}
	s.mark(now)
	if s.sent >= s.k.i("orders") {
		s.sent = 0
		s.burst++
		return now + step + int64(20*time.Second) + expDur(s.p.Rand, 20*time.Second)
	}
	return now + step
}
