package orderbook

// Side is the side of an order or the aggressor side of a trade.
type Side uint8

// Sides. SideNone marks a trade whose aggressor is unknown.
const (
	SideNone Side = 0
	Buy      Side = 1
	Sell     Side = 2
)

// Opposite returns the other side (SideNone stays SideNone).
func (s Side) Opposite() Side {
	switch s {
	case Buy:
		return Sell
	case Sell:
		return Buy
	}
	return SideNone
}

// String returns "buy", "sell" or "none".
func (s Side) String() string {
	switch s {
	case Buy:
		return "buy"
	case Sell:
		return "sell"
	}
	return "none"
}

// TIF is an order's time in force.
type TIF uint8

// Times in force.
const (
	GTC      TIF = 0 // rests until cancelled
	IOC      TIF = 1 // immediate or cancel: the unfilled remainder is cancelled
	FOK      TIF = 2 // fill or kill: fills completely at once or not at all
	PostOnly TIF = 3 // rejected with ErrWouldCross if any part would trade on arrival
)

// OrderType tells a limit order from a market order.
type OrderType uint8

// Order types.
const (
	Limit  OrderType = 0
	Market OrderType = 1 // no price limit; never rests
)

// Order is a new order submitted to a Book.
type Order struct {
	ID      uint64 // unique among live orders of the book; 0 is invalid
	Account uint64 // owner; 0 = unknown (public data)
	Group   uint64 // optional self-trade-prevention group; 0 = none (then Account is the STP key)
	Side    Side
	Type    OrderType
	TIF     TIF
	Price   int64 // in price units (not ticks); must lie on the tick grid for limit orders
	Qty     int64 // in quantity units; must be > 0 and on the lot grid
	// Time is when the order is placed, on the caller's clock (a replay's
	// event time). The book never reads it: with Config.KeepPlaced it keeps
	// it beside the order and tells it, with the order's quantity, in the
	// Placed of every fill the order makes as a maker (Book.Makers).
	Time int64
}

// Placed is when a resting order was placed (its Order.Time) and its
// quantity then, before anything filled or reduced it; a Modify keeps both.
// It is what a wash-trade check reads of the maker of a fill: how old and how
// big the resting order was.
type Placed struct{ Time, Size int64 }

// Fill is one match between a resting (maker) order and an aggressor (taker).
// For executions reported by a feed (Book.Execute) the taker is unknown: TakerOrder
// and TakerAccount are 0.
type Fill struct {
	MakerOrder   uint64
	TakerOrder   uint64
	MakerAccount uint64
	TakerAccount uint64
	Price        int64
	Qty          int64
	Aggressor    Side // side of the taker
	Hidden       bool // execution against hidden liquidity; the visible book is unchanged
}

// Level is one price level of a depth snapshot.
type Level struct {
	Price  int64
	Qty    int64 // total visible quantity at the level
	Orders int32 // number of orders at the level (0 for L2 books, which do not know it)
}

// Top is the best bid and ask. A side with no orders has Qty 0 (and Price 0).
type Top struct {
	BidPrice int64
	BidQty   int64
	AskPrice int64
	AskQty   int64
}

// STPMode is a self-trade-prevention mode, as offered by real venues.
type STPMode uint8

// Self-trade-prevention modes. Two orders are "the same owner" when their Group is
// equal and non-zero, or, when either Group is zero, their Account is equal and non-zero.
const (
	STPOff         STPMode = 0 // self-trades are allowed (needed to simulate wash trading)
	STPExpireTaker STPMode = 1 // the incoming order's remainder is cancelled
	STPExpireMaker STPMode = 2 // the resting order is cancelled and matching continues
	STPExpireBoth  STPMode = 3 // both are cancelled
	STPDecrement   STPMode = 4 // the smaller quantity is cancelled from both; the larger rests with the difference
)

// String returns the mode's configuration name.
func (m STPMode) String() string {
	switch m {
	case STPOff:
		return "off"
	case STPExpireTaker:
		return "expire_taker"
	case STPExpireMaker:
		return "expire_maker"
	case STPExpireBoth:
		return "expire_both"
	case STPDecrement:
		return "decrement"
	}
	return "unknown"
}
