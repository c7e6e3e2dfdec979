// Package detectortest is a conformance suite for detector authors, in the
// spirit of testing/fstest: it replays a stream of events through the engine
// at several batch sizes and checks that a detector is deterministic across
// batch sizes, never modifies the batches it reads, emits finite scores,
// raises alerts inside the replayed time range, and lists accounts sorted and
// without duplicates.
package detectortest

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/replay"
)

// Run checks the detector that newDetector builds against the events.
func Run(t *testing.T, id string, typology replay.Typology, newDetector func() (detectors.Detector, error), insts []replay.Instrument, evs []replay.Event) {
	t.Helper()
	RunWithAccounts(t, id, typology, newDetector, insts, nil, evs)
}

// RunWithAccounts is Run with the account attributes a venue holds (detectors
// that link accounts by shared attributes need them to do anything).
func RunWithAccounts(t *testing.T, id string, typology replay.Typology, newDetector func() (detectors.Detector, error), insts []replay.Instrument, accounts []replay.AccountAttrs, evs []replay.Event) {
	t.Helper()
	if len(evs) == 0 {
		t.Fatal("detectortest: no events")
	}
	var ref string
	for _, bs := range []int{1, 7, 4096} {
		d, err := newDetector()
		if err != nil {
			t.Fatalf("%s: new: %v", id, err)
		}
		g := &guard{inner: detectors.NewConsumer(id, typology, d)}
		_, err = replay.Run(context.Background(), replay.NewMemSource(insts, evs), []replay.Consumer{g}, replay.RunOptions{BatchSize: bs,
			Info: replay.RunInfo{Accounts: accounts, Start: evs[0].TS, End: evs[len(evs)-1].TS}})
		if err != nil {
			t.Fatalf("%s: batch size %d: %v", id, bs, err)
		}
		if g.mutated != "" {
			t.Fatalf("%s: batch size %d: the detector modified its input: %s", id, bs, g.mutated)
		}
		alerts := g.inner.Alerts()
		for i, a := range alerts {
			switch {
			case math.IsNaN(a.Score) || math.IsInf(a.Score, 0):
				t.Fatalf("%s: alert %d has a non-finite score %v", id, i, a.Score)
			case a.RaisedAt < evs[0].TS || a.RaisedAt > evs[len(evs)-1].TS+1:
				t.Fatalf("%s: alert %d raised at %d, outside the replayed range [%d, %d]", id, i, a.RaisedAt, evs[0].TS, evs[len(evs)-1].TS)
			case a.Start > a.End:
				t.Fatalf("%s: alert %d window starts after it ends", id, i)
			case !slices.IsSorted(a.Accounts) || len(slices.Compact(slices.Clone(a.Accounts))) != len(a.Accounts):
				t.Fatalf("%s: alert %d accounts not sorted and unique: %v", id, i, a.Accounts)
			case a.Instance != id || a.Typology == "":
				t.Fatalf("%s: alert %d instance %q typology %q", id, i, a.Instance, a.Typology)
			}
		}
		b, _ := json.Marshal(alerts)
		if bs == 1 {
			ref = string(b)
		} else if string(b) != ref {
			t.Fatalf("%s: alerts with batch size %d differ from batch size 1", id, bs)
		}
	}
}

// guard hashes every batch before and after the detector reads it.
type guard struct {
	inner   *detectors.Consumer
	mutated string
}

func (g *guard) Name() string { return g.inner.Name() }
func (g *guard) Start(ctx context.Context, info *replay.RunInfo) error {
	return g.inner.Start(ctx, info)
}
func (g *guard) Finish(ctx context.Context) error { return g.inner.Finish(ctx) }
func (g *guard) Consume(ctx context.Context, b *replay.Batch) error {
	before := hashBatch(b)
	err := g.inner.Consume(ctx, b)
	if after := hashBatch(b); after != before && g.mutated == "" {
		g.mutated = fmt.Sprintf("batch %d", b.Seq)
	}
	return err
}

func hashBatch(b *replay.Batch) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%v%v%v%v", b.Records, b.Fills, b.Traded, b.Makers)
	return h.Sum64()
}
