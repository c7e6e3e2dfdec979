package scenarios

import (
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// Venue is the simulated exchange that background agents and attack injectors act
// on while a scenario is generated. Every call happens on the generator's single
// goroutine, in timestamp order, so generation is deterministic. Every order goes
// through the same matching engine; the venue writes the canonical events.
type Venue interface {
	// Now is the current simulated time, ns since the Unix epoch.
	Now() int64
	// Instrument returns the instrument with index sym.
	Instrument(sym uint32) *replay.Instrument
	// Top is the book's best bid and ask.
	Top(sym uint32) orderbook.Top
	// Depth fills dst (up to cap(dst) levels) from the best price outward.
	Depth(sym uint32, side orderbook.Side, dst []orderbook.Level) []orderbook.Level
	// LastPrice is the last trade price, or the mid (or reference price) before any trade.
	LastPrice(sym uint32) int64
	// Submit sends a new order from account at Now. The venue assigns the order id
	// from the same sequence for everyone (ids never tell injected from background).
	Submit(sym uint32, account uint64, o OrderRequest) (id uint64, fills []orderbook.Fill, err error)
	// Cancel cancels a live order; Reduce removes qty from it; both fail on unknown ids.
	Cancel(sym uint32, id uint64) error
	Reduce(sym uint32, id uint64, qty int64) error
	// Remaining is a live order's open quantity (false when it is no longer live).
	Remaining(sym uint32, id uint64) (int64, bool)
	// Position is account's net position in sym (bought minus sold) from all its fills.
	Position(sym uint32, account uint64) int64
	// AttackAccounts returns n accounts drawn from the same population, id range and
	// attribute distributions as the background. When linked is true they share
	// attributes (device, IP subnet, funding source, referrer) as a Sybil cluster does.
	AttackAccounts(n int, linked bool) []uint64
}

// OrderRequest is a new order as an agent sends it.
type OrderRequest struct {
	Side  orderbook.Side
	Type  orderbook.OrderType
	TIF   orderbook.TIF
	Price int64 // ignored for market orders
	Qty   int64
	Flags replay.Flags
}

// Actor is anything that acts on the venue over time: a background agent or an
// injection. The generator calls Act at the time the actor asked for.
type Actor interface {
	// Act does what the actor does at v.Now() and returns the next time (ns) it
	// wants to act, or a negative number when it is done.
	Act(v Venue) (next int64)
}

// AgentVenue is the venue as the synthetic background's agents see it:
// everything an actor sees, and the synthetic market's latent state the
// agents trade on — the fair value, when the market makers stand aside — and
// the amendment of a resting order. Injections see only Venue.
type AgentVenue interface {
	Venue
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

// Injection is one planned attack: an Actor that also knows its ground truth.
type Injection interface {
	Actor
	// Start is the first time the injection acts.
	Start() int64
	// Label is the ground truth; called once the actor is done (or at the end of the run).
	Label() labels.Label
}

// leader is an Injection whose labelled attack begins a known time after it
// starts acting (a pump's quiet accumulation before the announcement): the
// generator keeps attacks of one typology apart by when they become visible.
type leader interface {
	Lead() int64
}
