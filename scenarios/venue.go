package scenarios

import (
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// AgentVenue is the venue as the synthetic background's agents see it:
// everything an actor sees, and the synthetic market's latent state the
// agents trade on — the fair value, when the market makers stand aside — and
// the amendment of a resting order. Injections see only Venue.
type AgentVenue interface {
	venue.Venue
	// Fair is sym's latent fair value, in price units (a float).
	Fair(sym uint32) float64
	// SetFair sets it; FairMoved then tells the market makers and ladder
	// traders that it moved from before (they reprice when it moved more
	// than their tolerance).
	SetFair(sym uint32, value float64)
	FairMoved(sym uint32, before float64)
	// MakersPausedUntil is when sym's market makers quote again (a time
	// not after Now: they quote).
	MakersPausedUntil(sym uint32) int64
	// Order is a live order's side, price, quantity and account.
	Order(sym uint32, id uint64) (orderbook.OrderInfo, bool)
	// Modify gives a live order a new price and quantity (an amendment:
	// the order keeps its id).
	Modify(sym uint32, id uint64, price, qty int64)
	// Spec is sym's instrument as the scenario describes it.
	Spec(sym uint32) *InstrumentSpec
}

// Agent is a background agent: it acts on the AgentVenue at the times it
// asks for, as an Actor acts on the Venue.
type Agent interface {
	Act(v AgentVenue) (next int64)
}
