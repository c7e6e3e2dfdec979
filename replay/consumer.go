package replay

import "context"

// Consumer reads the engine's record batches in order. The fan-out calls every
// consumer with the same immutable batch, concurrently with the other consumers
// but never concurrently with itself. detectors.Detector is adapted to this.
type Consumer interface {
	// Name identifies the consumer in errors (a detector instance id).
	Name() string
	// Start is called once before the first batch.
	Start(ctx context.Context, info *RunInfo) error
	// Consume reads one batch. It must not modify the batch or keep references to it.
	Consume(ctx context.Context, b *Batch) error
	// Finish is called once after the last batch.
	Finish(ctx context.Context) error
}
