package realism

import (
	"context"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
)

// BenchmarkRealismDraws is `tapetest realism --real <the two BTCUSDT days>
// --synthetic default --draws 5`: the real days' facts, and five draws of
// the default suite's first instrument generated and measured (in parallel,
// as the command does). One op is the whole comparison.
func BenchmarkRealismDraws(b *testing.B) {
	days := []string{
		realdata.Path(b, "binance-l2-feed-hftbacktest/spot_btcusdt_20240808.gz"),
		realdata.Path(b, "binance-l2-feed-hftbacktest/spot_btcusdt_20240809.gz"),
	}
	ctx := context.Background()
	var events int64
	for i := 0; i < b.N; i++ {
		real, err := MeasureInput(ctx, strings.Join(days, ","), MeasureOptions{})
		if err != nil {
			b.Fatal(err)
		}
		spec, err := InputSpec("default")
		if err != nil {
			b.Fatal(err)
		}
		syns, err := MeasureDraws(ctx, spec, 5, MeasureOptions{})
		if err != nil {
			b.Fatal(err)
		}
		events = real.Events
		for _, s := range syns {
			events += s.Events
		}
	}
	b.ReportMetric(float64(events), "events/op")
}
