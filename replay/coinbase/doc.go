// Package coinbase reads Coinbase Exchange's websocket level2 channel (a
// snapshot, then l2update changes [side, price, new size], size 0 removing
// the level) with its matches and ticker channels, and verifies L2
// reconstruction against the ticker's best bid and ask, aligned by the
// exchange's own timestamps.
//
// Captures are text lines, each a received message with its receive time, as
// replay.CaptureLine reads them. Several products may share a capture.
package coinbase
