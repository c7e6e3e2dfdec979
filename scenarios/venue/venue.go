// Package venue is the simulated exchange as the actors of a scenario see it:
// the Venue interface an attack injector (and everything else that acts)
// trades on, the perpetual swap's extra methods, the order an actor sends, and
// the units arithmetic every actor shares. The generator (package scenarios)
// implements it; injectors (package injectors) are written against it only.
package venue

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

// Injection is one planned attack: an Actor that also knows its ground truth.
type Injection interface {
	Actor
	// Start is the first time the injection acts.
	Start() int64
	// Label is the ground truth; called once the actor is done (or at the end of the run).
	Label() labels.Label
}

// PerpVenue is what perpetual-swap injectors need beyond Venue. The
// generator implements it; every method fails or returns zero for a spot
// instrument.
type PerpVenue interface {
	Venue
	// Deposit adds collateral (raw money: price × quantity fixed point) to account.
	Deposit(sym uint32, account uint64, amount int64)
	// Mark and Index are the current mark and index prices.
	Mark(sym uint32) int64
	Index(sym uint32) int64
	// IndexSources is the number of index constituents.
	IndexSources(sym uint32) int
	// PushIndex pins constituent k (0-based) at price; price 0 releases it.
	PushIndex(sym uint32, k int, price int64)
	// Equity is the account's collateral plus its position at the mark (raw money).
	Equity(sym uint32, account uint64) int64
	// MoneyScale is the raw money units per quote currency unit.
	MoneyScale(sym uint32) float64
	// InsuranceLoss is what the insurance fund paid for liquidations of the given
	// accounts (nil: any account) between from and to (ns, inclusive).
	InsuranceLoss(sym uint32, accounts []uint64, from, to int64) int64
	// Liquidated reports whether account was liquidated between from and to.
	Liquidated(sym uint32, account uint64, from, to int64) bool
	// LiquidationPrices are the estimated liquidation marks of every open
	// long (long true) or short position, nearest the mark first: the
	// liquidation heatmap a hunter reads.
	LiquidationPrices(sym uint32, long bool) []int64
}

// MakerPauser is a venue whose market makers can be made to stand aside: a
// liquidity withdrawal (a flash crash injector) pulls the makers' quotes as
// its own. The generator implements it.
type MakerPauser interface {
	// PauseMakers makes sym's market makers pull their quotes and stand aside
	// until the given time.
	PauseMakers(sym uint32, until int64)
}
