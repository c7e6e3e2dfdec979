package detectors

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/tapetest/tapetest/replay"
)

// ModelFormat is the format tag of a model file.
const ModelFormat = "tapetest-model/1"

// PumpFeatureSet names the features NewPumpFeatures computes; a model of
// another feature set cannot be scored by the learned detector.
const PumpFeatureSet = "pump/v1"

// Model is a learned detector's model file: a logistic regression over a
// feature set, the data it was trained on, and how well it did on data it
// was not trained on. tapetest train writes it; the learned detector reads
// it.
type Model struct {
	Format     string          `json:"format"`
	Typology   replay.Typology `json:"typology"`
	FeatureSet string          `json:"feature_set"`
	Features   []string        `json:"features"`
	// Transform is applied to each feature before standardising: asinh
	// (a signed logarithm for large values, linear near zero).
	Transform string `json:"transform"`
	// Full is the model fitted on every training episode: it scores data
	// outside them.
	Full LogisticFit `json:"full"`
	// Folds are the models fitted without one fold of the training
	// episodes each: on a training episode the model that did not see it
	// scores (cross-fitting), so a run over the training data is out of
	// sample for the fit.
	Folds    []LogisticFit  `json:"folds"`
	Episodes []ModelEpisode `json:"episodes"`
	Training ModelTraining  `json:"training"`
	// CrossValidated are the training's out-of-fold figures (train's report).
	CrossValidated json.RawMessage `json:"cross_validated,omitempty"`
}

// LogisticFit is one fitted logistic regression: features are transformed,
// standardised with Mean and Scale, and the score is Intercept + Weights·x,
// the log-odds of "a pump began in the last positive window".
type LogisticFit struct {
	Mean      []float64 `json:"mean"`
	Scale     []float64 `json:"scale"`
	Weights   []float64 `json:"weights"`
	Intercept float64   `json:"intercept"`
}

// ModelEpisode is a training episode: one instrument's data around a label,
// and the fold it was held out in.
type ModelEpisode struct {
	Symbol string `json:"symbol"`
	Start  int64  `json:"start"` // ns, first sample
	End    int64  `json:"end"`   // ns, last sample
	Label  string `json:"label,omitempty"`
	Fold   int    `json:"fold"`
}

// ModelTraining records what the model was trained on and how.
type ModelTraining struct {
	Command string `json:"command"` // the command that reproduces the file
	Spec    string `json:"spec"`    // the spec's file name
	// Inputs are the historical files and label list the spec read (base
	// name and SHA-256), the training data's digest.
	Inputs          []ModelInput `json:"inputs"`
	Samples         int          `json:"samples"`
	Positives       int          `json:"positives"`
	PositiveWindowS float64      `json:"positive_window_s"` // a sample is positive within this long after a label's start (or Lead before)
	LeadS           float64      `json:"lead_s"`
	ExclusionS      float64      `json:"exclusion_s"` // samples this close to a label, not positive, are left out
	L2              float64      `json:"l2"`
	Folds           int          `json:"folds"`
}

// ModelInput is one training input file.
type ModelInput struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// Score is the fit's log-odds for features f (raw, untransformed).
func (m *LogisticFit) Score(f []float64) float64 {
	s := m.Intercept
	for i, w := range m.Weights {
		s += w * (math.Asinh(f[i]) - m.Mean[i]) / m.Scale[i]
	}
	return s
}

// Check reports what makes the model unusable by the learned detector.
func (m *Model) Check() error {
	switch {
	case m.Format != ModelFormat:
		return fmt.Errorf("model format %q, want %q", m.Format, ModelFormat)
	case m.FeatureSet != PumpFeatureSet:
		return fmt.Errorf("model feature set %q: the learned detector computes %q", m.FeatureSet, PumpFeatureSet)
	case m.Transform != "asinh":
		return fmt.Errorf("model transform %q: want asinh", m.Transform)
	case len(m.Features) != PumpNumFeatures:
		return fmt.Errorf("model has %d features, the feature set %d", len(m.Features), PumpNumFeatures)
	}
	for i, f := range m.Features {
		if f != PumpFeatureNames[i] {
			return fmt.Errorf("model feature %d is %q, the feature set's %q", i, f, PumpFeatureNames[i])
		}
	}
	fits := append([]LogisticFit{m.Full}, m.Folds...)
	for i, f := range fits {
		if len(f.Mean) != PumpNumFeatures || len(f.Scale) != PumpNumFeatures || len(f.Weights) != PumpNumFeatures {
			return fmt.Errorf("model fit %d: want %d means, scales and weights", i, PumpNumFeatures)
		}
		for j := range f.Weights {
			if !finite(f.Mean[j]) || !finite(f.Weights[j]) || !(f.Scale[j] > 0) || !finite(f.Scale[j]) {
				return fmt.Errorf("model fit %d, feature %s: mean, weight and scale must be finite (scale > 0)", i, m.Features[j])
			}
		}
		if !finite(f.Intercept) {
			return fmt.Errorf("model fit %d: intercept must be finite", i)
		}
	}
	for _, e := range m.Episodes {
		if e.Fold < 0 || e.Fold >= len(m.Folds) {
			return fmt.Errorf("model episode %s %d–%d: fold %d of %d", e.Symbol, e.Start, e.End, e.Fold, len(m.Folds))
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Encode writes the model as indented JSON, the same bytes for the same
// model.
func (m *Model) Encode() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// builtinPumpModel is the model the learned detector uses by default:
// trained on the 27 shared pump episodes by
// `tapetest train examples/pump-episodes/spec.yaml -o detectors/models/pump.json`.
//
//go:embed models/pump.json
var builtinPumpModel []byte

// BuiltinPumpModel is the name of the embedded pump model.
const BuiltinPumpModel = "builtin:pump"

// LoadModel reads a model file (BuiltinPumpModel for the embedded one),
// strictly: unknown fields and an unusable model are errors naming the file.
func LoadModel(path string) (*Model, error) {
	b := builtinPumpModel
	if path != BuiltinPumpModel && path != "" {
		var err error
		if b, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
	} else {
		path = BuiltinPumpModel
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	sort.SliceStable(m.Episodes, func(i, j int) bool {
		if m.Episodes[i].Symbol != m.Episodes[j].Symbol {
			return m.Episodes[i].Symbol < m.Episodes[j].Symbol
		}
		return m.Episodes[i].Start < m.Episodes[j].Start
	})
	return &m, nil
}

// fitAt is the fit that scores symbol at ts: the fold model that did not
// see the training episode holding it, else the full model.
func (m *Model) fitAt(symbol string, ts int64) *LogisticFit {
	i := sort.Search(len(m.Episodes), func(i int) bool {
		e := &m.Episodes[i]
		return e.Symbol > symbol || (e.Symbol == symbol && e.Start > ts)
	})
	if i > 0 {
		if e := &m.Episodes[i-1]; e.Symbol == symbol && ts <= e.End {
			return &m.Folds[e.Fold]
		}
	}
	return &m.Full
}
