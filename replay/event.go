package replay

import "github.com/tapetest/tapetest/orderbook"

// Action is what an event does to the book.
type Action uint8

// Actions of the canonical event, modelled on market-by-order feeds.
const (
	ActionAdd     Action = 1 // new limit order (may cross and trade in simulated markets)
	ActionCancel  Action = 2 // full cancel of a live order by id
	ActionReduce  Action = 3 // partial cancel: Qty is the amount removed
	ActionModify  Action = 4 // new Price and Qty for a live order by id
	ActionExecute Action = 5 // fill of a resting order by id (Qty executed at Price), as reported by a feed; Account, when set, is the aggressor's
	ActionMarket  Action = 6 // aggressive order with no resting remainder
	ActionTrade   Action = 7 // a print with no book effect (trades-only data, hidden executions)
	ActionLevel   Action = 8 // L2: set the total Qty at (Side, Price); Qty 0 deletes the level
	ActionClear   Action = 9 // book reset for Symbol

	// Venue events of perpetual swaps (orderbook/perp): the venue's own story,
	// written by the venue between book actions. None has a book effect. They
	// are part of the canonical schema (declared in venue_action.go); a venue
	// rule declares its own with DeclareVenueAction.
	ActionIndex       Action = 10 // index price for Symbol: Price; OrderID 0 is the venue's index, k > 0 its constituent k (an external price input)
	ActionMark        Action = 11 // mark price: Price
	ActionLiquidation Action = 12 // the venue takes over Account's position: Side is the liquidation order's side, Qty the position, Price the bankruptcy price; the flagged IOC order follows
	ActionADL         Action = 13 // auto-deleveraging transfer at Price of Qty from Account (liquidated, trading Side) to the counterparty account in OrderID
	ActionFund        Action = 14 // insurance fund: Price is the new balance and Qty the change, both raw money (price × qty units); Account is the account that caused it (0 for funding)
	ActionFunding     Action = 15 // funding charged: Price is the rate in parts per million (longs pay when positive)
)

// String returns the action's name as written in files.
func (a Action) String() string {
	if int(a) < len(actionNames) && actionNames[a] != "" {
		return actionNames[a]
	}
	return "unknown"
}

// maxActions bounds the action codes: book actions and venue actions alike.
const maxActions = 64

// actionNames are the book actions' names; venue actions add theirs when
// declared (venue_action.go).
var actionNames = [maxActions]string{
	ActionAdd: "add", ActionCancel: "cancel", ActionReduce: "reduce", ActionModify: "modify",
	ActionExecute: "execute", ActionMarket: "market", ActionTrade: "trade", ActionLevel: "level",
	ActionClear: "clear",
}

// ParseAction is the inverse of Action.String.
func ParseAction(s string) (Action, bool) {
	actionsMu.RLock()
	defer actionsMu.RUnlock()
	for i, n := range actionNames {
		if n != "" && n == s {
			return Action(i), true
		}
	}
	return 0, false
}

// Flags qualify an event.
type Flags uint32

// Event flags.
const (
	FlagIOC         Flags = 1 << 0 // immediate or cancel
	FlagFOK         Flags = 1 << 1 // fill or kill
	FlagPostOnly    Flags = 1 << 2 // rejected if it would cross
	FlagHidden      Flags = 1 << 3 // hidden liquidity (executions leave the visible book alone)
	FlagLiquidation Flags = 1 << 4 // order sent by a venue's liquidation engine
	FlagSnapshot    Flags = 1 << 5 // part of a snapshot (L2 levels after a Clear)
	FlagLastInGroup Flags = 1 << 6 // last event of an atomic group (snapshot, diff message)
	FlagAuction     Flags = 1 << 7 // auction or cross trade
	FlagADL         Flags = 1 << 8 // auto-deleveraging fill
	// FlagReconciled marks a book change a source made so that its book
	// agrees with a reference (a LOBSTER orderbook file): liquidity the
	// message feed never showed, added or taken away. It is no market message.
	FlagReconciled Flags = 1 << 9
)

// Event is the canonical event: one book action. It is the only input the engine
// knows. Nothing in an event says whether it was injected by a scenario.
type Event struct {
	TS      int64  // nanoseconds since the Unix epoch, UTC
	Seq     uint64 // the source's own order; ties on TS keep Seq order
	Symbol  uint32 // index into the run's instrument table
	Action  Action
	Side    orderbook.Side
	Flags   Flags
	OrderID uint64 // 0 when the action has no order (trade, level, clear)
	Account uint64 // 0 = unknown
	Price   int64  // fixed point, scale in the instrument's PriceExp
	Qty     int64  // fixed point, scale in the instrument's QtyExp
}
