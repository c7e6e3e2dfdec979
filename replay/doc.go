// Package replay owns the canonical event and record types, the Parquet event
// codec, the importers of real feeds, the deterministic merge of sources, the
// engine that drives one order book per instrument, and the parallel fan-out of
// immutable record batches to consumers (detectors).
package replay
