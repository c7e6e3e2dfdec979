// Package agents is the synthetic background market: the agents that trade
// on a simulated instrument — its fundamental value, market makers, noise,
// momentum, mean-reversion and informed traders, depth providers and ladder
// traders — written against the agent-facing Venue. The generator (package
// scenarios) implements the Venue, builds each instrument's agents with
// Populate and runs them in time order.
package agents

import (
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// Venue is the venue as the background's agents see it: everything an actor
// sees (venue.Venue), and the synthetic market's latent state the agents
// trade on — the fair value, when the market makers stand aside — and the
// amendment of a resting order. Injections see only venue.Venue.
type Venue interface {
	venue.Venue
	// Fair is sym's latent fair value, in price units (a float).
	Fair(sym uint32) float64
	// SetFair sets it; FairMoved then tells the instrument's crowd (its
	// market makers and ladder traders) that it moved from before.
	SetFair(sym uint32, value float64)
	FairMoved(sym uint32, before float64)
	// MakersPausedUntil is when sym's market makers quote again (a time
	// not after Now: they quote).
	MakersPausedUntil(sym uint32) int64
	// Order is a live order's side, price, quantity and account.
	Order(sym uint32, id uint64) (orderbook.OrderInfo, bool)
	// Move gives a live order a new price, keeping its open quantity (an
	// amendment: the order keeps its id), and returns the price it rests
	// at after and whether it still rests (a move that crosses may trade
	// it away).
	Move(sym uint32, id uint64, price int64) (at int64, live bool)
	// Pull cancels an order if it is live and reports whether it was: an
	// owner that does not know whether its order traded away pulls it
	// without looking it up first.
	Pull(sym uint32, id uint64) bool
	// NewWatcher, Watch and WatchLeft are sym's book's watchers
	// (orderbook.Book.Watch): an agent holding many orders marks them and
	// learns which of them left the book, without looking each one up.
	NewWatcher(sym uint32) (uint16, error)
	Watch(sym uint32, id uint64, w uint16) (orderbook.OrderInfo, bool)
	WatchLeft(sym uint32, w uint16, dst []uint64) (ids []uint64, complete bool)
}

// Agent is a background agent: it acts on the Venue at the times it asks
// for, as a venue.Actor acts on the venue.Venue.
type Agent interface {
	Act(v Venue) (next int64)
	// describe says what the agent is, where and from which account.
	describe() Identity
}

// Identity is what an agent is, on which instrument, trading from which
// account (0 for the fundamental value, which trades none).
type Identity struct {
	Kind    Kind
	Sym     uint32
	Account uint64
}

// Describe tells an agent's identity.
func Describe(a Agent) Identity { return a.describe() }

// Kind is what an agent is. The numbers key the agents' random streams and
// are part of every seed's output: never renumber.
type Kind uint64

// The kinds of agent. PerpVenue and Leveraged are the perpetual venue's own
// actors (package scenarios); their numbers are kept here so that every
// stream key has one list.
const (
	Fundamental   Kind = 0 // the fair value's random walk
	MarketMaker   Kind = 1
	Noise         Kind = 2
	Depth         Kind = 3
	Momentum      Kind = 4
	PerpVenue     Kind = 5 // the perpetual venue's index constituents
	Leveraged     Kind = 6 // the perpetual venue's leveraged traders
	Ladder        Kind = 7
	MeanReversion Kind = 8
	Informed      Kind = 9
)

// Market is an instrument as its agents trade it: units, the fair value's
// dynamics and the shape of the book (the scenario spec's instrument fields
// of the same names).
type Market struct {
	Tick, Lot, Size int64 // fixed-point units; Size is the typical order size
	RoundLot        int64 // resting orders are multiples of it (0: off)
	Volatility      float64
	JumpProb        float64
	VolOfVol        float64
	ShocksPerHour   *float64
	NewsLag         float64
	TradeImpact     float64
	HalfSpread      float64
	Touch           float64
	SizeDispersion  float64
	SizeMedian      float64
	LadderTraders   int
}

// Counts are how many agents of each kind an instrument has.
type Counts struct {
	MarketMakers, NoiseTraders, MomentumTraders, MeanReversionTraders, InformedTraders, DepthProviders int
	NoiseRate                                                                                          float64 // orders per minute per noise trader
}
