// Package detectors owns the Detector contract, alerts, the registry of built-in
// detectors with typed parameter specs, parameter grids, external-process
// detectors, and a conformance suite for detector authors.
package detectors

import "github.com/tapetest/tapetest/replay"

// Detector is a candidate market-abuse detector. An instance consumes the
// engine's record batches in order and emits every candidate alert with a
// continuous score; thresholds are applied after the run by scoring.
//
// The engine calls Start once, Consume for each batch in order, then Finish.
// Calls on one instance never overlap. Batches are shared with other instances
// running concurrently: a detector must not modify a batch or retain it (or
// slices of it) after Consume returns.
type Detector interface {
	Start(info *replay.RunInfo) error
	Consume(b *replay.Batch, emit func(Alert)) error
	Finish(emit func(Alert)) error
}
