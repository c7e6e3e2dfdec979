package component

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tapetest/tapetest/labels"
)

func windowSpec() Spec {
	return Spec{Name: "w", Summary: "a window", Params: []Param{
		{Name: "window", Type: Duration, Default: time.Minute, Meaning: "how far back"},
		{Name: "min", Type: Int, Default: int64(2), Meaning: "at least"},
		{Name: "z", Type: Float, Default: 1.5, Meaning: "threshold"},
		{Name: "cmd", Type: String, Default: "", Meaning: "command"},
		{Name: "on", Type: Bool, Default: true, Meaning: "switch"},
	}}
}

// TestRegisterChecksSpecs: Register refuses a spec whose defaults are not of
// their parameter's type, whose parameters are untyped, undocumented or
// doubled, or whose name is taken, naming the component and parameter.
func TestRegisterChecksSpecs(t *testing.T) {
	mod := func(f func(*Spec)) Spec { s := windowSpec(); f(&s); return s }
	cases := []struct {
		name  string
		spec  Spec
		param string
		msg   string
	}{
		{"int default given as int", mod(func(s *Spec) { s.Params[1].Default = 2 }), "min", "a int, not a int (int64)"},
		{"duration default as seconds", mod(func(s *Spec) { s.Params[0].Default = 60 }), "window", "not a duration"},
		{"NaN default", mod(func(s *Spec) { s.Params[2].Default = nan() }), "z", "not a finite number"},
		{"unknown type", mod(func(s *Spec) { s.Params[2].Type = "decimal" }), "z", "unknown type"},
		{"no meaning", mod(func(s *Spec) { s.Params[2].Meaning = "" }), "z", "a meaning is required"},
		{"doubled", mod(func(s *Spec) { s.Params[2].Name = "min" }), "min", "unique"},
		{"no summary", mod(func(s *Spec) { s.Summary = "" }), "", "summary"},
		{"bad name", mod(func(s *Spec) { s.Name = "a b" }), "", "name"},
		{"mixed intensity defaults", mod(func(s *Spec) { s.Params[0].ByIntensity = PerIntensity(1, 2, 3, 4) }), "window", "by intensity"},
	}
	for _, c := range cases {
		r := NewRegistry[int](Detector)
		err := r.Register(c.spec, 1)
		var ce *Error
		if !errors.As(err, &ce) || ce.Kind != Detector || ce.Param != c.param || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v", c.name, err)
		}
		if r.Has(c.spec.Name) {
			t.Errorf("%s: registered anyway", c.name)
		}
	}
	r := NewRegistry[int](Detector)
	if err := r.Register(windowSpec(), 1); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(windowSpec(), 2); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Errorf("duplicate: %v", err)
	}
	if _, _, err := r.Lookup("x"); err == nil || !strings.Contains(err.Error(), "unknown detector (registered: w)") {
		t.Errorf("unknown: %v", err)
	}
}

func nan() float64 { z := 0.0; return z / z }

// TestInjectorDefaults: per-intensity defaults must cover every intensity,
// each of the parameter's type; Resolve takes an intensity's.
func TestInjectorDefaults(t *testing.T) {
	spec := Spec{Name: "i", Summary: "an attack", Params: []Param{
		{Name: "layers", Type: Int, Meaning: "levels", ByIntensity: PerIntensity(int64(5), int64(3), int64(2), int64(1))},
		{Name: "size", Type: Float, Meaning: "size", ByIntensity: PerIntensity(8.0, 4.0, 2.5, 1.5)},
	}}
	r := NewRegistry[int](Injector)
	if err := r.Register(spec, 1); err != nil {
		t.Fatal(err)
	}
	s, _, _ := r.Lookup("i")
	v, err := s.Resolve(map[string]any{"size": "3"}, labels.Subtle)
	if err != nil || v.Int("layers") != 2 || v.Float("size") != 3 || v.Float("layers") != 2 || v.Err() != nil {
		t.Fatalf("resolve: %v %v", v, err)
	}
	if _, err := s.Resolve(nil, "ferocious"); err == nil || !strings.Contains(err.Error(), "unknown intensity") {
		t.Errorf("intensity: %v", err)
	}
	bad := spec
	bad.Params = []Param{{Name: "layers", Type: Int, Meaning: "levels", ByIntensity: map[labels.Intensity]any{labels.Blatant: int64(5)}}}
	if err := NewRegistry[int](Injector).Register(bad, 1); err == nil || !strings.Contains(err.Error(), "no default for intensity standard") {
		t.Errorf("missing intensity: %v", err)
	}
	bad.Params = []Param{{Name: "layers", Type: Int, Meaning: "levels", ByIntensity: PerIntensity(int64(5), 3.5, int64(2), int64(1))}}
	if err := NewRegistry[int](Injector).Register(bad, 1); err == nil || !strings.Contains(err.Error(), "at intensity standard") {
		t.Errorf("mistyped intensity default: %v", err)
	}
}

// TestValues: values parse to their types, an unknown name lists the valid
// ones, and reading a value back by a wrong name or type is a sticky error
// naming the parameter, not a panic.
func TestValues(t *testing.T) {
	s := windowSpec()
	s.Kind = Detector
	for _, c := range []struct {
		name string
		raw  any
		want any
		err  string
	}{
		{"window", "90s", 90 * time.Second, ""},
		{"window", "0s", nil, "positive duration"},
		{"window", 60, nil, "positive duration"},
		{"min", 3.0, int64(3), ""},
		{"min", "3", int64(3), ""},
		{"min", 2.5, nil, "whole number"},
		{"z", "1e3", 1000.0, ""},
		{"z", ".nan", nil, "finite number"},
		{"z", "Inf", nil, "finite number"},
		{"cmd", "", nil, "non-empty"},
		{"on", "false", false, ""},
		{"wndow", "1s", nil, "unknown parameter (valid: cmd, min, on, window, z)"},
	} {
		v := s.Defaults("")
		err := v.Set(c.name, c.raw)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "detector w: parameter "+c.name) {
				t.Errorf("%s=%v: %v, want %q", c.name, c.raw, err, c.err)
			}
			continue
		}
		if got, _ := v.Get(c.name); err != nil || got != c.want {
			t.Errorf("%s=%v: %v (%T) %v, want %v", c.name, c.raw, got, got, err, c.want)
		}
	}
	v := s.Defaults("")
	if v.Duration("window") != time.Minute || v.Int("min") != 2 || v.Float("z") != 1.5 || v.String("cmd") != "" || !v.Bool("on") || v.Err() != nil {
		t.Fatalf("defaults: %v", v.Map())
	}
	if v.Float("min") != 2 || v.Err() != nil {
		t.Fatal("an int reads as a float")
	}
	if v.Int("windw") != 0 || v.Err() == nil || !strings.Contains(v.Err().Error(), "parameter windw: read but not declared") {
		t.Fatalf("wrong name: %v", v.Err())
	}
	v = s.Defaults("")
	if v.Int("z") != 0 || v.Err() == nil || !strings.Contains(v.Err().Error(), "parameter z: read as int, declared float") {
		t.Fatalf("wrong type: %v", v.Err())
	}
}
