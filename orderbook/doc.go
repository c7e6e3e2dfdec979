// Package orderbook implements price-time-priority matching books, one per
// instrument: an L3 market-by-order Book (limit, market, IOC, FOK, post-only,
// cancel, reduce, modify, feed-reported executions, hidden executions,
// self-trade prevention) and an L2 DepthBook of price levels.
//
// Prices and quantities are int64 fixed point in the instrument's units; prices
// must lie on the tick grid and quantities on the lot grid. Internally price
// levels are indexed by tick in a dense window (a two-level bitmap finds the next
// non-empty level), far-away prices (a fat-finger order) live in a small sorted
// overflow list, orders sit in a slab linked by int32 index whose first slots
// are a ring indexed by the order id (an order whose slot is taken goes to an
// overflow slot behind an open-addressed hash). In steady state no operation
// allocates. A caller that knows which orders it will touch next (the replay
// engine, from its batch of events) names them to Prefetch a few operations
// ahead: in a book larger than the core's cache their lines are then on their
// way when the operation reads them.
//
// An owner of many resting orders (a simulated trader) marks them for a
// watcher (NewWatcher, Watch) and learns which of them left the book from
// WatchLeft instead of looking each one up; it amends one at its open
// quantity with Move and pulls one that may be gone with CancelLive, one
// lookup each.
//
// A rejected operation returns an *OpError naming the operation and the
// offending values, wrapping one of the sentinel errors, and leaves the book
// exactly as it was.
package orderbook
