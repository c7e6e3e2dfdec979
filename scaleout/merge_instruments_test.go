package scaleout

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios"
)

// historicalSpec writes the shortened default suite as history: one
// canonical event file per instrument (a symbol's events, accounts and
// orders by id as generated) and its labels as a label list; the spec
// replays them with nothing injected. start and duration, when given, are
// the spec's span; else the files set it.
func historicalSpec(t *testing.T, withSpan bool) (*backtest.Spec, []byte) {
	t.Helper()
	short, _ := shortSpec(t)
	gen, err := scenarios.NewGenerator(short.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := replay.ReadAll(gen)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	for s, in := range gen.Instruments() {
		if in.Kind == replay.Perpetual {
			continue // a swap's history needs its venue's own feed: the spot books are enough here
		}
		var own []replay.Event
		for _, ev := range evs {
			if ev.Symbol == uint32(s) {
				ev.Symbol = 0
				own = append(own, ev)
			}
		}
		name := fmt.Sprintf("%s.parquet", strings.ReplaceAll(in.Symbol, "/", "-"))
		if _, err := replay.WriteEventFile(context.Background(), replay.NewMemSource([]replay.Instrument{in}, own), filepath.Join(dir, name), replay.EventFileOptions{}, "test"); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	f, err := os.Create(filepath.Join(dir, "labels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var lbls []labels.Label
	for _, l := range gen.Labels() {
		if slices.ContainsFunc(files, func(n string) bool { return n == strings.ReplaceAll(l.Symbol, "/", "-")+".parquet" }) {
			lbls = append(lbls, l)
		}
	}
	if err := labels.WriteFile(f, lbls); err != nil {
		t.Fatal(err)
	}
	f.Close()
	start, end := gen.Span()
	gen.Close()
	text := "name: history\nseed: 1\nlabels: labels.csv\nbackground:\n  files:\n"
	for _, n := range files {
		text += "    - " + n + "\n"
	}
	if withSpan {
		text += fmt.Sprintf("start: %s\nduration: %s\n", time.Unix(0, start).UTC().Format(time.RFC3339Nano), time.Duration(end-start))
	}
	if err := os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, _, err := backtest.Load(filepath.Join(dir, "spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("the suite has %d spot instruments: the test wants 3 or more", len(files))
	}
	return rs, []byte(text)
}

// TestMergeOfInstruments: a historical run dealt out by instrument — each
// shard replaying only its part's files — merges byte-identical to the
// single run, for 2, 3 and 7 shards (more shards than instruments: parts
// and groups of detector instances together), with the span from the files
// and from the spec.
func TestMergeOfInstruments(t *testing.T) {
	if testing.Short() {
		t.Skip("replays history a dozen times")
	}
	for _, withSpan := range []bool{false, true} {
		t.Run(fmt.Sprintf("span-in-spec=%v", withSpan), func(t *testing.T) {
			spec, text := historicalSpec(t, withSpan)
			ref := singleRun(t, spec, text)
			order := rand.New(rand.NewPCG(3, 4))
			for _, n := range []int{2, 3, 7} {
				t.Run(fmt.Sprintf("shards=%d", n), func(t *testing.T) {
					p, err := NewPlan("run", spec, text, "short", "test", opts(text), nil, "", 0, n)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Contains(p.Axes, AxisInstruments) || p.Parts < 2 {
						t.Fatalf("axes %v, %d parts; not used: %v", p.Axes, p.Parts, p.NotUsed)
					}
					if n > len(p.Symbols) && !slices.Contains(p.Axes, AxisInstances) {
						t.Fatalf("%d shards over %d instruments: axes %v", n, len(p.Symbols), p.Axes)
					}
					store := openStore(t, filepath.Join(t.TempDir(), "store"))
					runShards(t, store, p, spec, text, order)
					mergeIsSingle(t, store, ref, n)
				})
			}
		})
	}
}
