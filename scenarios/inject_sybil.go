package scenarios

import (
	"time"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	registerInjector(replay.SybilCluster, newSybil, sybilDefaults, InjectorDoc{
		Summary: "Sybil cluster: accounts sharing attributes (device, subnet, funding, referrer) trading in coordinated rounds.",
		Params: map[string]string{
			"accounts": "accounts in the cluster",
			"rounds":   "coordinated rounds",
			"gap_s":    "seconds between members within a round",
			"size":     "order size in typical sizes",
		},
	})
}

// sybilDefaults by intensity: accounts in the cluster, coordinated rounds,
// seconds between members within a round, order size in typical sizes.
var sybilDefaults = map[labels.Intensity]map[string]float64{
	"blatant":  {"accounts": 8, "rounds": 10, "gap_s": 0.5, "size": 1},
	"standard": {"accounts": 6, "rounds": 8, "gap_s": 2, "size": 0.8},
	"subtle":   {"accounts": 4, "rounds": 6, "gap_s": 6, "size": 0.6},
	"evasive":  {"accounts": 3, "rounds": 5, "gap_s": 15, "size": 0.5},
}

// sybil is a cluster of accounts controlled by one operator (they share a
// funding source and a device or subnet) trading in coordination: in each
// round every member takes the same side within seconds of the others.
type sybil struct {
	attack
	round, member int
	side          orderbook.Side
}

func newSybil(p InjectionParams) (Injection, error) {
	k, err := resolve(p, sybilDefaults)
	if err != nil {
		return nil, err
	}
	return &sybil{attack: attack{p: p, k: k}, side: orderbook.Buy}, nil
}

// Prepare draws the cluster's linked accounts.
func (s *sybil) Prepare(v Venue) { s.accounts = v.AttackAccounts(max(s.k.i("accounts"), 2), true) }

func (s *sybil) Act(v Venue) int64 {
	if s.round >= s.k.i("rounds") {
		return -1
	}
	in := v.Instrument(s.p.Symbol)
	acct := s.accounts[s.member]
	v.Submit(s.p.Symbol, acct, OrderRequest{Side: s.side, Type: orderbook.Market, Qty: lots(float64(s.p.Instrument.Size)*s.k.f("size")*(0.9+0.2*s.p.Rand.Float64()), in.Lot)})
	s.mark(v.Now())
	s.member++
	if s.member < len(s.accounts) {
		return v.Now() + int64(s.k.f("gap_s")*float64(time.Second)*(0.5+s.p.Rand.Float64()))
	}
	s.member = 0
	s.round++
	s.side = s.side.Opposite()
	return v.Now() + int64(30*time.Second) + expDur(s.p.Rand, 30*time.Second)
}
