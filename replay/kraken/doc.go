// Package kraken reads Kraken's websocket v1 book channel ("book-N": a
// snapshot {as, bs}, then updates {a} / {b} with a CRC32 checksum "c" of the
// top ten levels after each message) and verifies L2 reconstruction against
// that checksum after every update — the venue's own statement of its book.
//
// Captures are text lines, each a received message with its receive time:
// cryptofeed's raw recorder ("<epoch seconds>: <json>", lines it sent or
// connection notes skipped) or tapetest's collector form ("<receive_ns>
// <json>"). Several pairs may share a capture; each is its own book.
package kraken
