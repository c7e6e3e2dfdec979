package scenarios

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// ActionHalt and ActionResume are the price band's venue events: trading on
// the instrument stops (Price: the trade that set it off) and starts again
// (Price: the reference price).
var ActionHalt, ActionResume = mustDeclare("halt"), mustDeclare("resume")

func mustDeclare(name string) replay.Action {
	a, err := replay.DeclareVenueAction(name)
	if err != nil {
		panic(err)
	}
	return a
}

// ErrOutsideBand refuses a limit order priced outside the band; ErrHalted
// refuses every order while trading is halted.
var (
	ErrOutsideBand = errors.New("price outside the band")
	ErrHalted      = errors.New("trading halted")
)

func init() {
	mustRegisterVenueRule(component.Spec{
		Name: "price_band",
		Summary: "A spot price band with a circuit breaker, as crypto venues run them: a limit order priced more than band_pct from the " +
			"reference price is refused (Binance's PERCENT_PRICE filter), and a trade halt_pct or more from the reference halts " +
			"trading on the instrument for halt (new orders are refused, cancels go through), with halt and resume venue events. The " +
			"reference is the volume-weighted average trade price over the last average (Binance's avgPrice), the last price before any trade. " +
			"It applies to the orders the scenario generates, not to a historical feed's own events.",
		Params: []component.Param{
			{Name: "band_pct", Type: component.Float, Default: 5.0, Unit: "%", Meaning: "a limit order priced more than this from the reference is refused"},
			{Name: "halt_pct", Type: component.Float, Default: 10.0, Unit: "%", Meaning: "a trade this far or more from the reference halts trading"},
			{Name: "halt", Type: component.Duration, Default: 5 * time.Minute, Meaning: "how long a halt lasts"},
			{Name: "average", Type: component.Duration, Default: 5 * time.Minute, Meaning: "the window of the volume-weighted average price that is the reference"},
		},
	}, newPriceBand)
}

// priceBand is the price_band rule on one instrument.
type priceBand struct {
	band, halt float64 // fractions of the reference
	haltFor    int64
	average    int64

	ref         int64   // reference price
	nextRef     int64   // when the reference is next taken from the window's trades
	sumPQ, sumQ float64 // the window's trades
	haltedUntil int64   // 0: trading
}

func newPriceBand(_ *replay.Instrument, p *component.Values) (VenueRule, error) {
	r := &priceBand{band: p.Float("band_pct") / 100, halt: p.Float("halt_pct") / 100, haltFor: int64(p.Duration("halt")), average: int64(p.Duration("average"))}
	if !(r.band > 0) || !(r.halt > 0) {
		return nil, &component.Error{Kind: component.VenueRule, Component: "price_band", Msg: fmt.Sprintf("band_pct %v and halt_pct %v must be positive", r.band*100, r.halt*100)}
	}
	return r, nil
}

// off is how far price is from the reference, as a fraction of it.
func (r *priceBand) off(price int64) float64 {
	return math.Abs(float64(price-r.ref)) / float64(r.ref)
}

func (r *priceBand) PreTrade(v RuleVenue, _ uint64, o venue.OrderRequest) error {
	if r.haltedUntil > 0 {
		v.Count("price_band_rejected_halted", 1)
		return ErrHalted
	}
	if o.Type == orderbook.Limit && r.ref > 0 && r.off(o.Price) > r.band {
		v.Count("price_band_rejected_outside_band", 1)
		return ErrOutsideBand
	}
	return nil
}

func (r *priceBand) PostTrade(v RuleVenue, _ uint64, fills []orderbook.Fill) {
	for _, f := range fills {
		r.sumPQ += float64(f.Price) * float64(f.Qty)
		r.sumQ += float64(f.Qty)
	}
	if len(fills) == 0 || r.ref <= 0 || r.haltedUntil > 0 {
		return
	}
	if last := fills[len(fills)-1].Price; r.off(last) >= r.halt {
		r.haltedUntil = v.Now() + r.haltFor
		v.Count("price_band_halts", 1)
		v.Emit(replay.Event{Action: ActionHalt, Price: last})
	}
}

func (r *priceBand) OnTime(v RuleVenue) int64 {
	now := v.Now()
	if r.nextRef == 0 { // the start
		r.ref, r.nextRef = v.LastPrice(), now+r.average
	}
	if r.haltedUntil > 0 && now >= r.haltedUntil {
		r.haltedUntil = 0
		v.Emit(replay.Event{Action: ActionResume, Price: r.ref})
	}
	if now >= r.nextRef {
		if r.sumQ > 0 {
			r.ref = int64(math.Round(r.sumPQ / r.sumQ))
		}
		r.sumPQ, r.sumQ, r.nextRef = 0, 0, now+r.average
	}
	next := now + int64(time.Second)
	if r.haltedUntil > 0 {
		next = min(next, r.haltedUntil)
	}
	return next
}
