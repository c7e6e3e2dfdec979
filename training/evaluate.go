package training

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/scoring"
)

// Figures are a model's cross-validated figures: the learned detector run
// over the training spec with the model (each episode scored by the fold
// model that did not see it), at the threshold a rule chooses on folds of
// episodes that do not hold what it is measured on.
type Figures struct {
	Select         string    `json:"select"`
	Split          string    `json:"split"`
	Threshold      *float64  `json:"threshold"`
	FoldThresholds []float64 `json:"fold_thresholds,omitempty"`
	Labels         int       `json:"labels"`
	Detected       int       `json:"detected"`
	Recall         *float64  `json:"recall"`
	// RecallWithin are recall within 60 s and 5 min of a label's start.
	RecallWithin []scoring.RecallWithin `json:"recall_within"`
	// ByIntensity is recall over each kind of label (in the pump example:
	// the episodes whose price moved, and those where it did not).
	ByIntensity                 []scoring.IntensityRecall `json:"by_intensity,omitempty"`
	Alerts                      int                       `json:"alerts"`
	FalseAlerts                 int                       `json:"false_alerts"`
	CoveredDays                 float64                   `json:"covered_days"`
	InstrumentDays              float64                   `json:"instrument_days"`
	FalseAlertsPerDay           *float64                  `json:"false_alerts_per_day"`
	FalseAlertsPerInstrumentDay *float64                  `json:"false_alerts_per_instrument_day"`
	Precision                   *float64                  `json:"precision"`
	F1                          *float64                  `json:"f1"`
	TTDP50                      *float64                  `json:"ttd_p50_s"`
}

// num is v, or nil (null) when it is not a finite number.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// Evaluate runs the learned detector with model m over spec, selecting its
// threshold by rule (capacity 0.02, best_f1, …), and returns its measured
// figures. The scoring's split applies (the default: folds of episodes).
func Evaluate(ctx context.Context, spec *backtest.Spec, m *detectors.Model, rule string) (*Figures, error) {
	b, err := m.Encode()
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp("", "tapetest-model-*.json")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	cfg := detectors.Config{Name: "learned", Params: map[string]any{"model": tmp.Name()}, Select: rule}
	out, err := backtest.Run(ctx, spec, backtest.Options{SpecName: "training", SpecText: []byte("training"), ToolVersion: "train", NoCases: true, Detectors: []detectors.Config{cfg}})
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	c := out.Contents
	ev := scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...)
	for _, r := range ev.Instances {
		if r.Typology != m.Typology || r.Test == nil {
			continue
		}
		t, op := r.Test, r.OperatingPoint
		return &Figures{Select: rule, Split: op.Split, Threshold: num(op.Threshold), FoldThresholds: op.FoldThresholds,
			Labels: t.Labels, Detected: t.Detected, Recall: num(t.Recall), RecallWithin: finiteWithin(t.RecallWithin), ByIntensity: t.ByIntensity,
			Alerts: t.Alerts, FalseAlerts: t.BackgroundAlert, CoveredDays: t.ExposureDays, InstrumentDays: t.ExposureInstrumentDays,
			FalseAlertsPerDay: num(t.AlertsPerDay), FalseAlertsPerInstrumentDay: num(t.FalseAlertsPerInstrumentDay),
			Precision: num(t.Precision), F1: num(t.F1), TTDP50: num(t.TTDP50)}, nil
	}
	return nil, fmt.Errorf("evaluate: the run scored no %s instance", m.Typology)
}

func finiteWithin(rs []scoring.RecallWithin) []scoring.RecallWithin {
	out := append([]scoring.RecallWithin(nil), rs...)
	for i := range out {
		if math.IsNaN(out[i].Recall) {
			out[i].Recall = 0
		}
		for j := range out[i].CI {
			if math.IsNaN(out[i].CI[j]) {
				out[i].CI[j] = 0
			}
		}
	}
	return out
}

// AttachFigures records f in m's cross_validated.
func AttachFigures(m *detectors.Model, f *Figures) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	m.CrossValidated = b
	return nil
}
