package scenarios

import (
	"time"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	registerInjector(replay.IndexManipulation, newIndexManip, indexDefaults, InjectorDoc{
		Summary: "Index manipulation on a perpetual swap: attackers build a position, push the index constituents (spot venues the index takes the median of) to move the mark price, and close at the manipulated mark.",
		Params: map[string]string{
			"size_x":   "the attackers' position in typical order sizes",
			"build_s":  "seconds over which they build it",
			"push_bps": "how far the constituents are pushed",
			"sources":  "how many constituents are pushed",
			"ramp_s":   "seconds to push them there",
			"hold_s":   "seconds they are held while the attackers close",
		},
	})
}

// indexDefaults by intensity:
//   - size_x: the attackers' position in multiples of the typical order size;
//   - build_s: seconds over which they build it;
//   - push_bps: how far the manipulated index constituents are pushed;
//   - sources: how many constituents are pushed (the index is their median);
//   - ramp_s: seconds to push them there; hold_s: seconds they are held while the attackers close.
var indexDefaults = map[labels.Intensity]map[string]float64{
	"blatant":  {"size_x": 150, "build_s": 120, "push_bps": 1200, "sources": 2, "ramp_s": 20, "hold_s": 120},
	"standard": {"size_x": 120, "build_s": 300, "push_bps": 700, "sources": 2, "ramp_s": 45, "hold_s": 150},
	"subtle":   {"size_x": 90, "build_s": 600, "push_bps": 400, "sources": 2, "ramp_s": 90, "hold_s": 180},
	"evasive":  {"size_x": 70, "build_s": 900, "push_bps": 250, "sources": 3, "ramp_s": 180, "hold_s": 240},
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

func newIndexManip(p InjectionParams) (Injection, error) {
	a, err := newPerpAttack(p, indexDefaults)
	if err != nil {
		return nil, err
	}
	return &indexManip{perpAttack: a, up: p.Rand.IntN(2) == 0}, nil
}

// Prepare draws the two linked attackers.
func (m *indexManip) Prepare(v Venue) {
	m.prepare(v, 2, true)
	m.lossWindow = int64(2 * time.Minute)
}

func (m *indexManip) Act(v Venue) int64 {
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
			m.qty = lots(size*m.k.f("size_x"), in.Lot)
			for _, a := range m.accounts {
				fund(pv, sym, a, m.qty, refPrice(pv, sym), 3)
			}
		}
		if m.built >= m.qty {
			m.phase, m.base, m.t0 = 1, pv.Index(sym), now
			return now + int64(5*time.Second)
		}
		q := min(lots(size*(0.5+m.p.Rand.Float64()), in.Lot), m.qty-m.built)
		acct := m.accounts[int(m.built/lots(size, in.Lot))%len(m.accounts)]
		v.Submit(sym, acct, OrderRequest{Side: side, Type: orderbook.Market, Qty: q})
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
		p := roundTick(float64(m.base)*(1+bps/1e4), in.Tick)
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
		flat := closeAll(v, sym, m.accounts, lots(size*2, in.Lot))
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
		done := closeAll(v, sym, m.accounts, lots(size*2, in.Lot))
		m.mark(now)
		if done || now-m.t0 > int64(15*time.Minute) {
			return -1
		}
		return now + int64(5*time.Second)
	}
}
