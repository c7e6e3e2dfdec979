package injectors

import (
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/venue"
)

func init() {
	mustRegister(component.Spec{
		Name:    string(replay.MarkingTheClose),
		Summary: "Marking the close: aggressive trading just before a reference time (a close, a funding or index fixing) to move the reference price, unwound after it.",
		Params: []component.Param{
			{Name: "lead_s", Type: component.Float, Meaning: "seconds before the reference the attacker starts trading", ByIntensity: component.PerIntensity(20.0, 30.0, 60.0, 120.0)},
			{Name: "orders", Type: component.Int, Meaning: "aggressive orders before the reference", ByIntensity: component.PerIntensity(int64(20), int64(12), int64(8), int64(6))},
			{Name: "period_s", Type: component.Float, Meaning: "seconds between reference times (aligned to the epoch)", ByIntensity: component.PerIntensity(3600.0, 3600.0, 3600.0, 3600.0)},
			{Name: "size", Type: component.Float, Meaning: "order size in typical sizes", ByIntensity: component.PerIntensity(2.0, 1.5, 1.0, 0.6)},
		},
	}, newMarkClose)
}

// markClose buys aggressively in the last seconds before a reference time to
// push the reference price, then unwinds after it.
type markClose struct {
	attack
	ref     int64
	sent    int
	unwound bool
	side    orderbook.Side
}

func newMarkClose(p Params) (venue.Injection, error) {
	k, err := resolve(p)
	if err != nil {
		return nil, err
	}
	side := orderbook.Buy
	if p.Rand.IntN(2) == 0 {
		side = orderbook.Sell
	}
	return &markClose{attack: attack{p: p, k: k}, side: side}, nil
}

// Prepare draws the attacker's account.
func (m *markClose) Prepare(v venue.Venue) { m.accounts = v.AttackAccounts(1, false) }

func (m *markClose) Act(v venue.Venue) int64 {
	now := v.Now()
	period := int64(m.k.f("period_s") * float64(time.Second))
	lead := int64(m.k.f("lead_s") * float64(time.Second))
	if m.ref == 0 {
		m.ref = (now/period + 1) * period
		if m.ref-lead < now {
			m.ref += period
		}
		return m.ref - lead
	}
	in := v.Instrument(m.p.Symbol)
	n := m.k.i("orders")
	if m.sent < n {
		v.Submit(m.p.Symbol, m.accounts[0], venue.OrderRequest{Side: m.side, Type: orderbook.Market, Qty: venue.Lots(float64(m.p.Instrument.Size)*m.k.f("size"), in.Lot)})
		m.mark(now)
		m.sent++
		if m.sent == n {
			return m.ref + int64(30*time.Second)
		}
		return now + lead/int64(n)
	}
	if !m.unwound {
		if q := v.Position(m.p.Symbol, m.accounts[0]); q != 0 {
			side := orderbook.Sell
			if q < 0 {
				side, q = orderbook.Buy, -q
			}
			v.Submit(m.p.Symbol, m.accounts[0], venue.OrderRequest{Side: side, Type: orderbook.Market, Qty: q})
		}
		m.unwound = true
	}
	return -1
}

// Label spans the aggressive trading up to the reference time.
func (m *markClose) Label() labels.Label {
	l := m.attack.Label()
	if m.ref > 0 && l.End < m.ref {
		l.End = m.ref
	}
	return l
}
