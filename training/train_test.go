package training

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/internal/golden"
	"github.com/tapetest/tapetest/internal/realdata"
)

// builtinCommand is the command recorded in the built-in model.
const builtinCommand = "tapetest train examples/pump-episodes/spec.yaml -o detectors/models/pump.json"

// TestBuiltinModelIsReproducible: training on the shared pump episodes
// with the defaults writes the built-in model byte for byte, and its
// cross-validated figures hold the bar of the pump detector issue: at least
// 95% of the pumps that moved the price caught within 60 s, at most 0.02
// false alerts per coin-day. -update rewrites the model.
func TestBuiltinModelIsReproducible(t *testing.T) {
	realdata.Path(t, "pump-trades-pugoev/trades")
	spec, _, err := backtest.Load("../examples/pump-episodes/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions()
	opts.Command, opts.SpecName = builtinCommand, "spec.yaml"
	m, err := Train(context.Background(), spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	fig, err := Evaluate(context.Background(), spec, m, "capacity 0.02")
	if err != nil {
		t.Fatal(err)
	}
	if err := AttachFigures(m, fig); err != nil {
		t.Fatal(err)
	}
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	const file = "../detectors/models/pump.json"
	golden.Check(t, file, b, "training wrote another model: run "+builtinCommand+", or go test ./training -update")
	var moved *struct{ labels, within60 int }
	for _, r := range fig.ByIntensity {
		if r.Intensity == "moved" {
			moved = &struct{ labels, within60 int }{r.Labels, r.DetectedWithin[0]}
		}
	}
	js, _ := json.Marshal(fig)
	t.Logf("cross-validated: %s", js)
	if moved == nil || float64(moved.within60) < 0.95*float64(moved.labels) {
		t.Errorf("moved pumps caught within 60 s: %+v, want at least 95%%", moved)
	}
	if fig.FalseAlertsPerInstrumentDay == nil || *fig.FalseAlertsPerInstrumentDay > 0.02 {
		t.Errorf("false alerts per coin-day %v, want at most 0.02", fig.FalseAlertsPerInstrumentDay)
	}
	if m.Training.Samples == 0 || len(m.Training.Inputs) != 28 || len(m.Episodes) != 27 {
		t.Errorf("training: %d samples, %d inputs, %d episodes", m.Training.Samples, len(m.Training.Inputs), len(m.Episodes))
	}
}
