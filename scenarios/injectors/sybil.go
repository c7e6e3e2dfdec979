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
		Name:    string(replay.SybilCluster),
		Summary: "Sybil cluster: accounts sharing attributes (device, subnet, funding, referrer) trading in coordinated rounds.",
		Params: []component.Param{
			{Name: "accounts", Type: component.Int, Meaning: "accounts in the cluster", ByIntensity: component.PerIntensity(int64(8), int64(6), int64(4), int64(3))},
			{Name: "gap_s", Type: component.Float, Meaning: "seconds between members within a round", ByIntensity: component.PerIntensity(0.5, 2.0, 6.0, 15.0)},
			{Name: "rounds", Type: component.Int, Meaning: "coordinated rounds", ByIntensity: component.PerIntensity(int64(10), int64(8), int64(6), int64(5))},
			{Name: "size", Type: component.Float, Meaning: "order size in typical sizes", ByIntensity: component.PerIntensity(1.0, 0.8, 0.6, 0.5)},
		},
	}, newSybil)
}

// sybil is a cluster of accounts controlled by one operator (they share a
// funding source and a device or subnet) trading in coordination: in each
// round every member takes the same side within seconds of the others.
type sybil struct {
	attack
	round, member int
	side          orderbook.Side
}

func newSybil(p Params) (venue.Injection, error) {
	k, err := resolve(p)
	if err != nil {
		return nil, err
	}
	return &sybil{attack: attack{p: p, k: k}, side: orderbook.Buy}, nil
}

// Prepare draws the cluster's linked accounts.
func (s *sybil) Prepare(v venue.Venue) {
	s.accounts = v.AttackAccounts(max(s.k.i("accounts"), 2), true)
}

func (s *sybil) Act(v venue.Venue) int64 {
	if s.round >= s.k.i("rounds") {
		return -1
	}
	in := v.Instrument(s.p.Symbol)
	acct := s.accounts[s.member]
	v.Submit(s.p.Symbol, acct, venue.OrderRequest{Side: s.side, Type: orderbook.Market, Qty: venue.Lots(float64(s.p.Instrument.Size)*s.k.f("size")*(0.9+0.2*s.p.Rand.Float64()), in.Lot)})
	s.mark(v.Now())
	s.member++
	if s.member < len(s.accounts) {
		return v.Now() + int64(s.k.f("gap_s")*float64(time.Second)*(0.5+s.p.Rand.Float64()))
	}
	s.member = 0
	s.round++
	s.side = s.side.Opposite()
	return v.Now() + int64(30*time.Second) + venue.ExpDuration(s.p.Rand, 30*time.Second)
}
