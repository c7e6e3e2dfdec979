package extending

import (
	"errors"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// ErrTooLarge refuses an order above the venue's maximum quantity.
var ErrTooLarge = errors.New("order above the maximum quantity")

// RegisterMaxOrderQty registers the max_order_qty venue rule: an order of
// more than max_lots lots is refused (Binance's LOT_SIZE maxQty).
func RegisterMaxOrderQty() error {
	return scenarios.RegisterVenueRule(component.Spec{Name: "max_order_qty", Summary: "Refuses an order of more than max_lots lots.",
		Params: []component.Param{
			{Name: "max_lots", Type: component.Int, Default: int64(1_000_000), Meaning: "the largest order the venue takes"},
		}}, func(in *replay.Instrument, p *component.Values) (scenarios.VenueRule, error) {
		return &maxOrderQty{max: p.Int("max_lots") * in.Lot}, nil
	})
}

type maxOrderQty struct{ max int64 }

func (r *maxOrderQty) PreTrade(v scenarios.RuleVenue, _ uint64, o venue.OrderRequest) error {
	if o.Qty > r.max {
		v.Count("max_order_qty_rejected", 1)
		return ErrTooLarge
	}
	return nil
}

func (r *maxOrderQty) PostTrade(scenarios.RuleVenue, uint64, []orderbook.Fill) {}

// OnTime: the rule needs no clock.
func (r *maxOrderQty) OnTime(scenarios.RuleVenue) int64 { return -1 }
