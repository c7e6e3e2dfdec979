package detectors_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios"
)

// recorded is a consumer that keeps copies of every batch (benchmark input).
type recorded struct {
	info    replay.RunInfo
	batches []replay.Batch
	records int
}

func (r *recorded) Name() string { return "recorder" }
func (r *recorded) Start(_ context.Context, info *replay.RunInfo) error {
	r.info = *info
	return nil
}
func (r *recorded) Finish(context.Context) error { return nil }
func (r *recorded) Consume(_ context.Context, b *replay.Batch) error {
	r.batches = append(r.batches, replay.Batch{Seq: b.Seq, Records: append([]replay.Record(nil), b.Records...), Fills: append(b.Fills[:0:0], b.Fills...), Traded: append([]uint32(nil), b.Traded...), Makers: append(b.Makers[:0:0], b.Makers...)})
	r.records += len(b.Records)
	return nil
}

var benchInput struct {
	once sync.Once
	rec  recorded
}

// defaultSuiteBatches replays one simulated hour of the default suite once and keeps its batches.
func defaultSuiteBatches(b *testing.B) *recorded {
	benchInput.once.Do(func() {
		gen, evs := hourOfEvents(b)
		start, end := gen.Span()
		if _, err := replay.Run(context.Background(), replay.NewMemSource(gen.Instruments(), evs), []replay.Consumer{&benchInput.rec}, replay.RunOptions{Info: replay.RunInfo{Accounts: gen.Accounts(), Start: start, End: end}}); err != nil {
			b.Fatal(err)
		}
	})
	return &benchInput.rec
}

// BenchmarkDetectors measures each built-in's cost per record on an hour of
// the default suite (records prebuilt: the engine is not timed). Each batch
// is copied into one of a ring of batches before the detector reads it, as
// the engine writes a batch just before the fan-out hands it over, and only
// Consume is timed (ns/record): the hour's 220 MB of records read straight
// from memory made the cheap detectors' figures their reading of memory,
// not what they cost in a run.
func BenchmarkDetectors(b *testing.B) {
	rec := defaultSuiteBatches(b)
	var ring [8]replay.Batch
	for _, d := range detectors.All() {
		if d.Name == "external" {
			continue // needs a program; see external_test.go
		}
		insts, _ := detectors.Expand([]detectors.Config{{Name: d.Name}})
		b.Run(d.Name, func(b *testing.B) {
			b.ReportAllocs()
			var timed time.Duration
			for i := 0; i < b.N; i++ {
				det, _ := insts[0].New()
				det.Start(&rec.info)
				emit := func(detectors.Alert) {}
				for k := range rec.batches {
					hot := &ring[k%len(ring)]
					from := &rec.batches[k]
					hot.Seq = from.Seq
					hot.Records = append(hot.Records[:0], from.Records...)
					hot.Fills = append(hot.Fills[:0], from.Fills...)
					hot.Traded = append(hot.Traded[:0], from.Traded...)
					hot.Makers = append(hot.Makers[:0], from.Makers...)
					began := time.Now()
					det.Consume(hot, emit)
					timed += time.Since(began)
				}
				det.Finish(emit)
			}
			b.ReportMetric(float64(timed.Nanoseconds())/float64(b.N*rec.records), "ns/record")
		})
	}
}

// BenchmarkAllDetectorsParallel runs every built-in at its defaults side by side
// through the real fan-out (engine included) on the same hour; run with -cpu 2.
func BenchmarkAllDetectorsParallel(b *testing.B) {
	gen, evs := hourOfEvents(b)
	var cfgs []detectors.Config
	for _, d := range detectors.All() {
		if d.Name != "external" {
			cfgs = append(cfgs, detectors.Config{Name: d.Name})
		}
	}
	insts, _ := detectors.Expand(cfgs)
	b.ReportAllocs()
	replayTimed(b, gen, evs, func() []replay.Consumer {
		var cons []replay.Consumer
		for _, in := range insts {
			d, _ := in.New()
			cons = append(cons, detectors.NewConsumer(in.ID, in.Typology, d))
		}
		return cons
	})
}

// hourOfEvents generates one simulated hour of the default suite.
func hourOfEvents(b *testing.B) (*scenarios.Generator, []replay.Event) {
	spec, err := scenarios.Default()
	if err != nil {
		b.Fatal(err)
	}
	spec.Duration = scenarios.Duration(60 * 60e9)
	gen, evs := generated(b, spec)
	return gen, evs
}

// replayTimed replays evs through the engine and the fan-out to the
// consumers fresh makes, b.N times, and reports records a second.
func replayTimed(b *testing.B, gen *scenarios.Generator, evs []replay.Event, fresh func() []replay.Consumer) {
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := replay.Run(context.Background(), replay.NewMemSource(gen.Instruments(), evs), fresh(), replay.RunOptions{Info: replay.RunInfo{Accounts: gen.Accounts()}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// recordReader is a consumer that reads every record's time, action and
// book top and does nothing else: what a detector costs at the least.
type recordReader struct{ sum int64 }

func (r *recordReader) Name() string                                 { return "reader" }
func (r *recordReader) Start(context.Context, *replay.RunInfo) error { return nil }
func (r *recordReader) Finish(context.Context) error                 { return nil }
func (r *recordReader) Consume(_ context.Context, b *replay.Batch) error {
	for i := range b.Records {
		rec := &b.Records[i]
		r.sum += rec.Event.TS + int64(rec.Event.Action) + rec.Top.AskQty
	}
	return nil
}

// BenchmarkRecordReaders is BenchmarkAllDetectorsParallel with every
// detector replaced by a consumer that only reads the records: the ceiling
// the engine (one goroutine) and the fan-out set on the detectors' row,
// and what streaming the batches to that many readers costs.
func BenchmarkRecordReaders(b *testing.B) {
	gen, evs := hourOfEvents(b)
	for _, n := range []int{1, 13} {
		b.Run(fmt.Sprintf("readers=%d", n), func(b *testing.B) {
			replayTimed(b, gen, evs, func() []replay.Consumer {
				cons := make([]replay.Consumer, n)
				for k := range cons {
					cons[k] = &recordReader{}
				}
				return cons
			})
		})
	}
}
