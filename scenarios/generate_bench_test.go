package scenarios

import (
	"errors"
	"io"
	"testing"

	"github.com/tapetest/tapetest/replay"
)

// BenchmarkGenerateDefaultSuite generates the embedded default suite (every
// event, nothing consuming them): what `tapetest gen` and the first half of
// `tapetest run` cost. events/s is per op.
func BenchmarkGenerateDefaultSuite(b *testing.B) {
	buf := make([]replay.Event, 4096)
	var n int64
	for b.Loop() {
		spec, err := Default()
		if err != nil {
			b.Fatal(err)
		}
		g, err := NewGenerator(spec)
		if err != nil {
			b.Fatal(err)
		}
		n = 0
		for {
			k, err := g.Read(buf)
			n += int64(k)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		g.Close()
	}
	b.ReportMetric(float64(n), "events/op")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
