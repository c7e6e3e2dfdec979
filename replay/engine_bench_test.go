package replay_test

import (
	"context"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/replay"
)

// lightDetector does what a cheap detector does per record: reads the event,
// its fills and the top of book, and keeps a little state.
type lightDetector struct{ n, vol, spread int64 }

func (d *lightDetector) Start(*replay.RunInfo) error { return nil }
func (d *lightDetector) Consume(b *replay.Batch, emit func(detectors.Alert)) error {
	for i := range b.Records {
		r := &b.Records[i]
		d.n++
		if r.Top.AskQty > 0 && r.Top.BidQty > 0 {
			d.spread += r.Top.AskPrice - r.Top.BidPrice
		}
		for _, f := range b.Fills[r.FillStart:r.FillEnd] {
			d.vol += f.Qty
		}
	}
	return nil
}
func (d *lightDetector) Finish(func(detectors.Alert)) error { return nil }

// BenchmarkReplayEndToEnd replays 2M synthetic events (adds, crossing orders,
// cancels, markets on three symbols) through the engine with 8 lightweight
// detectors; run with -cpu 2 for the figure.
func BenchmarkReplayEndToEnd(b *testing.B) {
	evs := marketEvents(2_000_000, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cons := make([]replay.Consumer, 8)
		for k := range cons {
			cons[k] = detectors.NewConsumer("light", replay.WashTrading, &lightDetector{})
		}
		if _, err := replay.Run(context.Background(), replay.NewMemSource(fanInsts, evs), cons, replay.RunOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
