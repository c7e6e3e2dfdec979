package detectors_test

import (
	"cmp"
	"context"
	"slices"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/replay"
)

// runDetector replays hand-built events (sorted by time, numbered in order)
// through one built-in detector at its defaults and returns its alerts.
func runDetector(t *testing.T, name string, inst replay.Instrument, evs []replay.Event, accounts []replay.AccountAttrs) []detectors.Alert {
	t.Helper()
	slices.SortStableFunc(evs, func(a, b replay.Event) int { return cmp.Compare(a.TS, b.TS) })
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
	}
	insts, err := detectors.Expand([]detectors.Config{{Name: name}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := insts[0].New()
	if err != nil {
		t.Fatal(err)
	}
	c := detectors.NewConsumer(insts[0].ID, insts[0].Typology, d)
	src := replay.NewMemSource([]replay.Instrument{inst}, evs)
	if _, err := replay.Run(context.Background(), src, []replay.Consumer{c}, replay.RunOptions{Info: replay.RunInfo{Accounts: accounts}}); err != nil {
		t.Fatal(err)
	}
	return c.Alerts()
}
