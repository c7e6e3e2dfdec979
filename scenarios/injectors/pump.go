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
		Name:    string(replay.PumpAndDump),
		Summary: "Pump-and-dump: organisers (a linked cluster) accumulate quietly, followers arrive in tiers after the announcement and buy, and the organisers dump into them.",
		Params: []component.Param{
			{Name: "accumulate_s", Type: component.Float, Meaning: "seconds of quiet accumulation before the announcement", ByIntensity: component.PerIntensity(600.0, 900.0, 1200.0, 1800.0)},
			{Name: "burst_s", Type: component.Float, Meaning: "seconds over which the followers arrive", ByIntensity: component.PerIntensity(60.0, 75.0, 240.0, 480.0)},
			{Name: "follower_size", Type: component.Float, Meaning: "each follower's buy size in typical sizes", ByIntensity: component.PerIntensity(20.0, 12.0, 2.0, 1.2)},
			{Name: "followers", Type: component.Int, Meaning: "follower accounts arriving after the announcement", ByIntensity: component.PerIntensity(int64(60), int64(50), int64(20), int64(10))},
			{Name: "hold_s", Type: component.Float, Meaning: "seconds the organisers hold at the top before they dump", ByIntensity: component.PerIntensity(20.0, 40.0, 60.0, 90.0)},
			{Name: "organisers", Type: component.Int, Meaning: "accounts of the organising cluster", ByIntensity: component.PerIntensity(int64(3), int64(3), int64(2), int64(2))},
		},
	}, newPump)
}

// pump: the organisers quietly accumulate with small buys, announce (the
// label starts at the announcement), followers pile in with market buys in
// tiers over the burst, and the organisers dump their position into the rise.
type pump struct {
	attack
	organisers []uint64
	followers  []uint64
	phase      int
	step       int
	announce   int64
}

func newPump(p Params) (venue.Injection, error) {
	k, err := resolve(p)
	if err != nil {
		return nil, err
	}
	return &pump{attack: attack{p: p, k: k}}, nil
}

// Label starts at the announcement, the moment a detector can first see the pump.
func (p *pump) Label() labels.Label {
	l := p.attack.Label()
	if p.announce > 0 {
		l.Start = p.announce
	}
	return l
}

// Prepare draws the organisers (a linked cluster) and the followers.
func (p *pump) Prepare(v venue.Venue) {
	p.organisers = v.AttackAccounts(p.k.i("organisers"), true)
	p.followers = v.AttackAccounts(p.k.i("followers"), false)
	p.accounts = append(append([]uint64(nil), p.organisers...), p.followers...)
}

// Lead is the accumulation before the announcement, where the label starts.
func (p *pump) Lead() int64 {
	return int64(p.k.f("accumulate_s")*float64(time.Second)) + int64(30*time.Second)
}

func (p *pump) Act(v venue.Venue) int64 {
	sym := p.p.Symbol
	in := v.Instrument(sym)
	now := v.Now()
	size := float64(p.p.Instrument.Size)
	switch p.phase {
	case 0: // accumulation: ~20 small buys over accumulate_s
		o := p.organisers[p.step%len(p.organisers)]
		v.Submit(sym, o, venue.OrderRequest{Side: orderbook.Buy, Type: orderbook.Market, Qty: venue.Lots(size*0.5, in.Lot)})
		p.step++
		if p.step >= 20 {
			p.phase, p.step = 1, 0
			p.announce = now + int64(30*time.Second)
			return p.announce
		}
		return now + int64(p.k.f("accumulate_s")/20*float64(time.Second))
	case 1: // burst: followers buy in three tiers
		p.mark(now)
		f := p.followers[p.step%len(p.followers)]
		v.Submit(sym, f, venue.OrderRequest{Side: orderbook.Buy, Type: orderbook.Market, Qty: venue.Lots(size*p.k.f("follower_size")*(0.5+p.p.Rand.Float64()), in.Lot)})
		p.step++
		if p.step >= len(p.followers) {
			p.phase, p.step = 2, 0
			return now + int64(p.k.f("hold_s")*float64(time.Second)) // the organisers sell at the top, a little later
		}
		tier := 1 + 2*p.step/len(p.followers) // later tiers arrive more slowly
		return now + int64(p.k.f("burst_s")/float64(len(p.followers))*float64(time.Second)*float64(tier)*0.6)
	case 2: // dump: organisers sell what they hold
		p.mark(now)
		for _, o := range p.organisers {
			if q := v.Position(sym, o); q > 0 {
				v.Submit(sym, o, venue.OrderRequest{Side: orderbook.Sell, Type: orderbook.Market, Qty: max(q/2, in.Lot)})
			}
		}
		p.step++
		if p.step >= 3 {
			return -1
		}
		return now + int64(5*time.Second)
	}
	return -1
}
