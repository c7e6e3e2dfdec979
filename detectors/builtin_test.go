package detectors_test

import (
	"testing"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/detectors/detectortest"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios"
)

// shortSuite generates the default suite cut to d, with one attack of each
// entry: every market and every injected typology in a few minutes.
func shortSuite(t *testing.T, d time.Duration) (*scenarios.Generator, []replay.Event) {
	t.Helper()
	spec, err := scenarios.Default()
	if err != nil {
		t.Fatal(err)
	}
	spec.Duration = scenarios.Duration(d)
	for i := range spec.Injections {
		spec.Injections[i].Count = 1
	}
	gen, evs := generated(t, spec)
	return gen, evs
}

// TestBuiltinsConform runs every built-in through the conformance suite on a
// short generated market with attacks of every injected typology.
func TestBuiltinsConform(t *testing.T) {
	gen, evs := shortSuite(t, 12*time.Minute)
	if len(evs) > 60_000 {
		evs = evs[:60_000] // batch size 1 is slow: keep the suite quick
	}
	for _, d := range detectors.All() {
		if d.Name == "external" {
			continue // tested with its example program in external_test.go
		}
		insts, err := detectors.Expand([]detectors.Config{{Name: d.Name}})
		if err != nil {
			t.Fatal(err)
		}
		in := insts[0]
		t.Run(d.Name, func(t *testing.T) {
			detectortest.RunWithAccounts(t, in.ID, in.Typology, in.New, gen.Instruments(), gen.Accounts(), evs)
		})
	}
}
