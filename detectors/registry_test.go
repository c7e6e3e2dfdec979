package detectors

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tapetest/tapetest/component"
)

func TestExpandGrid(t *testing.T) {
	insts, err := Expand([]Config{
		{Name: "wash_pairs", Params: map[string]any{"window": []any{"60s", "300s"}, "min_trades": []any{2, 3}}},
		{Name: "pump_zscore"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, in := range insts {
		ids = append(ids, in.ID)
	}
	want := []string{
		"wash_pairs{min_trades=2,window=1m0s}", "wash_pairs{min_trades=2,window=5m0s}",
		"wash_pairs{min_trades=3,window=1m0s}", "wash_pairs{min_trades=3,window=5m0s}", "pump_zscore",
	}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids %v", ids)
	}
	if insts[1].Params.Duration("window") != 5*time.Minute || insts[4].Params.Float("min_z") != 2 {
		t.Fatalf("params %v %v", insts[1].Params, insts[4].Params)
	}
	for _, in := range insts {
		if _, err := in.New(); err != nil {
			t.Fatalf("%s: %v", in.ID, err)
		}
	}
}

func TestExpandErrors(t *testing.T) {
	cases := []struct {
		cfg        Config
		det, param string
	}{
		{Config{Name: "nope"}, "nope", ""},
		{Config{Name: "wash_pairs", Params: map[string]any{"windw": "60s"}}, "wash_pairs", "windw"},
		{Config{Name: "wash_pairs", Params: map[string]any{"window": "soon"}}, "wash_pairs", "window"},
		{Config{Name: "wash_pairs", Params: map[string]any{"min_trades": 2.5}}, "wash_pairs", "min_trades"},
		{Config{Name: "wash_pairs", Params: map[string]any{"min_trades": []any{}}}, "wash_pairs", "min_trades"},
	}
	for _, c := range cases {
		_, err := Expand([]Config{c.cfg})
		var ce *component.Error
		if !errors.As(err, &ce) || ce.Kind != component.Detector || ce.Component != c.det || ce.Param != c.param {
			t.Errorf("%+v: err = %v", c.cfg, err)
		}
	}
	if _, err := Expand([]Config{{Name: "pump_zscore"}, {Name: "pump_zscore"}}); err == nil {
		t.Error("a duplicate instance was accepted")
	}
}

// TestBuildReportsParameterMistakes: a constructor that reads a parameter its
// spec does not declare, or as another type, fails with an error naming the
// detector and the parameter (it used to panic inside the run).
func TestBuildReportsParameterMistakes(t *testing.T) {
	spec := component.Spec{Kind: component.Detector, Name: "sloppy", Summary: "reads what it never declared",
		Params: []component.Param{{Name: "window", Type: component.Duration, Default: time.Minute, Meaning: "how far back"}}}
	for _, c := range []struct {
		read func(Params)
		want string
	}{
		{func(p Params) { p.Duration("windw") }, "detector sloppy: parameter windw: read but not declared"},
		{func(p Params) { p.Int("window") }, "detector sloppy: parameter window: read as int, declared duration"},
	} {
		d := Definition{Spec: spec, New: func(p Params) (Detector, error) { c.read(p); return nil, nil }}
		if _, err := d.build(spec.Defaults("")); err == nil || err.Error() != c.want {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
	if err := Register(Definition{Spec: spec}); err == nil || !strings.Contains(err.Error(), "no constructor") {
		t.Errorf("a detector without a constructor registered: %v", err)
	}
	if err := Register(Definition{Spec: component.Spec{Name: "wash_pairs", Summary: "again"}, New: func(Params) (Detector, error) { return nil, nil }}); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Errorf("a second wash_pairs registered: %v", err)
	}
}
