// Package lobster reads LOBSTER files (lobsterdata.com: NASDAQ TotalView-ITCH
// reconstructed per ticker and day) and checks tapetest's L3 book against
// LOBSTER's own reconstruction.
//
// # Files
//
// A message file TICKER_YYYY-MM-DD_START_END_message_L.csv has one event per
// line: time (seconds after midnight, US/Eastern, up to 9 decimals), type,
// order id, size (shares), price (USD×10000) and direction (1 buy, -1 sell;
// for executions the side of the resting order). The orderbook file
// ..._orderbook_L.csv has, per message, the top L levels after it: ask price,
// ask size, bid price, bid size for each level; empty levels are padded with
// 9999999999 / -9999999999 and size 0. L (1 to 50 and more) is read from the
// column count. Either file may be gzipped (told by its magic bytes, not its
// name). [MessageReader] and [BookReader] parse them by hand, line by line,
// with no allocation per row; a malformed row is a *replay.RowError that reads
// "file:line: field: reason".
//
// # Events
//
// [NewSource] is a replay.EventSource over a message file (what `tapetest
// import --format lobster` uses): type 1 → add, 2 → reduce, 3 → cancel, 4 →
// execute (by resting id), 5 → trade with FlagHidden, 6 → trade with
// FlagAuction, 7 (halt, quote and resume indicators) → counted as
// "halt_message" and not emitted, since a halt changes no order. The symbol
// and date come from the file name unless given as options. Times are
// converted from US/Eastern local time on that date to Unix nanoseconds UTC
// with the America/New_York zone (embedded with time/tzdata, so the result
// does not depend on the machine; daylight saving is honoured). The
// instrument is an equity with PriceExp 4, tick 100 (one cent), QtyExp 0,
// lot 1, and ReportsExecutions set.
//
// # The level-L window rule
//
// LOBSTER writes only the messages that change the first L price levels.
// Orders resting beyond level L, and orders in the book before the first
// message, are invisible: when the book thins, their level enters the window
// with no message, and later messages refer to order ids the replay never saw.
// [Verify] replays every message through an orderbook.Book and, after each
// one, compares per side every price at least as good as the reference's
// L-th level (all prices when the reference shows fewer than L levels). A
// difference at price p is explained only when
//
//  1. p lay strictly beyond the previous row's window on that side (the
//     previous row showed L levels and p is worse than its L-th price): a
//     level re-entering the window; or
//  2. the row is the first one (the opening book, built before the first
//     message); or
//  3. this row's message referred to quantity the book could not account
//     for — an id the book never saw with no placeholder at its price, or a
//     delete, execution or partial cancel larger (or a delete smaller) than
//     the known order — and the difference at p is at most that quantity and
//     at most the quantity of known orders at p that have been beyond the
//     window since they arrived (only those can have changed unseen; for a
//     smaller delete, the deleted order itself must have been beyond).
//
// Explained differences are resynchronised from the reference (missing
// quantity becomes a placeholder order; surplus is removed from placeholders
// first, then from known orders that have been beyond the window, then from
// the others, newest first) and the row counts as resynced. Messages for
// unknown ids draw down the placeholder at their price. Every reconciliation
// and every differing level (by the clause that explains it) is counted by
// kind. To tell which known orders have been beyond the window, the check
// keeps each order's arrival row and a monotone stack of past window edges.
//
// Any other difference is unexplained: no event that LOBSTER leaves out could
// cause it, so a dropped, duplicated or misapplied message or a faulty book
// did. It is resynchronised too (so one fault counts once) and described in
// the report.
//
// # Reconciled replay
//
// [NewSource] with SourceOptions.Book (on the command line: `tapetest import -f
// lobster MESSAGES ORDERBOOK`, `tapetest realism --real MESSAGES,ORDERBOOK`; in a
// scenario, the two files one after the other in background.files) replays
// the message file through the same check and turns every change it makes to
// its book into an event, so that an engine replaying the events holds
// LOBSTER's own book after every message, level for level, at any file depth
// — a level-1 file included, which cannot rebuild the book by itself.
//
//   - Messages for known orders become the usual events.
//   - A message for quantity the book never saw takes it from the placeholder
//     at its price: a delete or reduce cancels or reduces the placeholder, an
//     execution executes it (a trade print). An execution of quantity no
//     placeholder holds is printed as an ActionTrade (the aggressor's side,
//     no order id); the resynchronisation then removes the stale quantity.
//   - Resting orders an add would cross are stale (the feed reports every
//     execution): they are cancelled first, flagged FlagReconciled, as
//     replay.Engine would; counted as add_crossed_stale_removed.
//   - After each message the book is resynchronised to the orderbook row
//     (placeholders added, modified or reduced, stale known orders reduced),
//     every such change an event flagged FlagReconciled.
//   - The last event of each message's group carries FlagLastInGroup.
//
// Counts are Verify's reconciliation counts, plus rows_resynced and
// rows_unexplained (rows no event LOBSTER leaves out could explain: a
// mismatched pair of files). TestReconciledReplayIsLOBSTERsBook replays the
// GOOG level-1, 5 and 10 days and the AAPL level-1 day through replay.Engine
// and finds LOBSTER's book on every row.
//
// The rule is tested to catch faults, not only to pass: single dropped or
// altered messages in the real GOOG day, single injected book faults, and
// every single dropped message of a synthetic exchange whose faithful
// level-1..50 output verifies clean all yield unexplained rows, as do
// executions and deletes of order ids that never existed.
package lobster
