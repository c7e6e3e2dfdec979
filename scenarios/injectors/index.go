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
		Name:    string(replay.IndexManipulation),
		Summary: "Index manipulation on a perpetual swap: attackers build a position, push the index constituents (spot venues the index takes the median of) to move the mark price, and close at the manipulated mark.",
		Params: []component.Param{
			{Name: "build_s", Type: component.Float, Meaning: "seconds over which they build it", ByIntensity: component.PerIntensity(120.0, 300.0, 600.0, 900.0)},
			{Name: "hold_s", Type: component.Float, Meaning: "seconds they are held while the attackers close", ByIntensity: component.PerIntensity(120.0, 150.0, 180.0, 240.0)},
			{Name: "push_bps", Type: component.Float, Meaning: "how far the constituents are pushed", ByIntensity: component.PerIntensity(1200.0, 700.0, 400.0, 250.0)},
			{Name: "ramp_s", Type: component.Float, Meaning: "seconds to push them there", ByIntensity: component.PerIntensity(20.0, 45.0, 90.0, 180.0)},
			{Name: "size_x", Type: component.Float, Meaning: "the attackers' position in typical order sizes", ByIntensity: component.PerIntensity(150.0, 120.0, 90.0, 70.0)},
			{Name: "sources", Type: component.Int, Meaning: "how many constituents are pushed", ByIntensity: component.PerIntensity(int64(2), int64(2), int64(2), int64(3))},
		},
	}, newIndexManip)
}

// indexManip is index manipulation in the manner of the 2022 Mango Markets
// case: two linked accounts build a position on the perpetual swap, then the
// spot prices the index is made of are pushed (on other venues: here the
// constituents are pinned) so the mark follows, liquidating leveraged
// traders on the other side; the attackers close into the move and the
// constituents are released.
type indexManip struct {
	perpAttack
	phase int
	up    bool
	qty   int64
	built int64
	base  int64
	t0    int64
}

func newIndexManip(p Params) (venue.Injection, error) {
	a, err := newPerpAttack(p)
	if err != nil {
		return nil, err
	}
	return &indexManip{perpAttack: a, up: p.Rand.IntN(2) == 0}, nil
}

// Prepare draws the two linked attackers.
func (m *indexManip) Prepare(v venue.Venue) {
	m.prepare(v, 2, true)
	m.lossWindow = int64(2 * time.Minute)
}

func (m *indexManip) Act(v venue.Venue) int64 {
	if m.pv == nil {
		return -1
	}
	sym, pv := m.p.Symbol, m.pv
	in := v.Instrument(sym)
	now := v.Now()
	side := orderbook.Buy
	if !m.up {
		side = orderbook.Sell
	}
	size := float64(m.p.Instrument.Size)
	switch m.phase {
	case 0: // build the position in slices over build_s
		if m.qty == 0 {
			m.qty = venue.Lots(size*m.k.f("size_x"), in.Lot)
			for _, a := range m.accounts {
				fund(pv, sym, a, m.qty, refPrice(pv, sym), 3)
			}
		}
		if m.built >= m.qty {
			m.phase, m.base, m.t0 = 1, pv.Index(sym), now
			return now + int64(5*time.Second)
		}
		q := min(venue.Lots(size*(0.5+m.p.Rand.Float64()), in.Lot), m.qty-m.built)
		acct := m.accounts[int(m.built/venue.Lots(size, in.Lot))%len(m.accounts)]
		v.Submit(sym, acct, venue.OrderRequest{Side: side, Type: orderbook.Market, Qty: q})
		m.built += q
		m.mark(now)
		slices := float64(m.qty) / size
		return now + int64(m.k.f("build_s")/slices*float64(time.Second)*(0.5+m.p.Rand.Float64()))
	case 1: // ramp the constituents
		frac := min(float64(now-m.t0)/(m.k.f("ramp_s")*1e9), 1)
		bps := m.k.f("push_bps") * frac
		if !m.up {
			bps = -bps
		}
		p := venue.RoundTick(float64(m.base)*(1+bps/1e4), in.Tick)
		n := min(m.k.i("sources"), pv.IndexSources(sym))
		for k := 0; k < n; k++ {
			pv.PushIndex(sym, k, p)
		}
		m.mark(now)
		if frac >= 1 {
			m.phase, m.t0 = 2, now
		}
		return now + int64(time.Second)
	case 2: // hold the push while closing into the move
		flat := closeAll(v, sym, m.accounts, venue.Lots(size*2, in.Lot))
		m.mark(now)
		if (flat && now-m.t0 > int64(30*time.Second)) || now-m.t0 > int64(m.k.f("hold_s")*1e9) {
			for k := 0; k < pv.IndexSources(sym); k++ {
				pv.PushIndex(sym, k, 0)
			}
			m.phase = 3
			return now + int64(10*time.Second)
		}
		return now + int64(2*time.Second)
	default: // flatten whatever is left once the index is back
		done := closeAll(v, sym, m.accounts, venue.Lots(size*2, in.Lot))
		m.mark(now)
		if done || now-m.t0 > int64(15*time.Minute) {
			return -1
		}
		return now + int64(5*time.Second)
	}
}
