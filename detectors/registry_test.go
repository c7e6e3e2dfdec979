package detectors

import (
	"errors"
	"reflect"
	"testing"
	"time"
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
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Detector != c.det || ce.Param != c.param {
			t.Errorf("%+v: err = %v", c.cfg, err)
		}
	}
	if _, err := Expand([]Config{{Name: "pump_zscore"}, {Name: "pump_zscore"}}); err == nil {
		t.Error("a duplicate instance was accepted")
	}
}
