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
	return alertsOf(t, insts[0], []replay.Instrument{inst}, evs, replay.RunInfo{Accounts: accounts})
}

// alertsOf replays evs through a fresh detector of instance in and returns
// its alerts.
func alertsOf(t *testing.T, in detectors.Instance, insts []replay.Instrument, evs []replay.Event, info replay.RunInfo) []detectors.Alert {
	t.Helper()
	d, err := in.New()
	if err != nil {
		t.Fatal(err)
	}
	c := detectors.NewConsumer(in.ID, in.Typology, d)
	if _, err := replay.Run(context.Background(), replay.NewMemSource(insts, evs), []replay.Consumer{c}, replay.RunOptions{Info: info}); err != nil {
		t.Fatal(err)
	}
	return c.Alerts()
}
