package detectors_test

import (
	"testing"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios"
)

// generated generates spec's events, all of them in memory: the input of
// the tests and benchmarks that replay a scenario through detectors.
func generated(tb testing.TB, spec *scenarios.Spec) (*scenarios.Generator, []replay.Event) {
	tb.Helper()
	gen, err := scenarios.NewGenerator(spec)
	if err != nil {
		tb.Fatal(err)
	}
	evs, err := replay.ReadAll(gen)
	if err != nil {
		tb.Fatal(err)
	}
	return gen, evs
}
