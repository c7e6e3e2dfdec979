// Package bitmex reads BitMEX's websocket orderBookL2 table — a partial
// (the whole book), then insert, update and delete of price levels by level
// id (an update or delete names the id, not the price) — with its trade and
// quote tables, and verifies L2 reconstruction against the quote table,
// BitMEX's own top of book.
//
// Captures are text lines, each a received message with its receive time, as
// replay.CaptureLine reads them (cryptofeed's raw recorder or tapetest's
// collector). Several instruments may share a capture.
package bitmex
