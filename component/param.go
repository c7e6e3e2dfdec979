package component

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/labels"
)

// Type is a parameter's type.
type Type string

// Parameter types and the Go type of their values.
const (
	Duration Type = "duration" // time.Duration, written as 60s, 5m, 1h30m
	Int      Type = "int"      // int64
	Float    Type = "float"    // float64, finite
	String   Type = "string"   // string
	Bool     Type = "bool"     // bool
)

// Param documents and types one parameter.
type Param struct {
	Name    string `json:"name"`
	Type    Type   `json:"type"`
	Unit    string `json:"unit,omitempty"`
	Meaning string `json:"meaning"`
	// Default is the value when none is given, of the type's Go type (a
	// string parameter may default to "": nothing given).
	Default any `json:"default,omitempty"`
	// ByIntensity are an injector's defaults, one per injection intensity, in
	// place of Default.
	ByIntensity map[labels.Intensity]any `json:"by_intensity,omitempty"`
}

// PerIntensity gives a parameter's defaults at the intensities blatant,
// standard, subtle and evasive, in that order.
func PerIntensity(blatant, standard, subtle, evasive any) map[labels.Intensity]any {
	return map[labels.Intensity]any{labels.Blatant: blatant, labels.Standard: standard, labels.Subtle: subtle, labels.Evasive: evasive}
}

func (t Type) known() bool {
	switch t {
	case Duration, Int, Float, String, Bool:
		return true
	}
	return false
}

// check reports whether v is a value of type t.
func (t Type) check(v any) error {
	ok := false
	switch t {
	case Duration:
		_, ok = v.(time.Duration)
	case Int:
		_, ok = v.(int64)
	case Float:
		var f float64
		f, ok = v.(float64)
		if ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return errors.New("not a finite number")
		}
	case String:
		_, ok = v.(string)
	case Bool:
		_, ok = v.(bool)
	}
	if !ok {
		return fmt.Errorf("a %T, not a %s (%s)", v, t, t.goType())
	}
	return nil
}

func (t Type) goType() string {
	switch t {
	case Duration:
		return "time.Duration"
	case Int:
		return "int64"
	case Float:
		return "float64"
	}
	return string(t)
}

// Parse converts a value as a spec file or a flag gives it (a string, a
// number, a bool) to the parameter's type. Durations must be positive, numbers
// finite; an int parameter takes only whole numbers.
func (p Param) Parse(v any) (any, error) {
	if p.Type.check(v) == nil {
		if d, ok := v.(time.Duration); ok && d <= 0 {
			return nil, errors.New("want a positive duration such as 60s")
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, errors.New("want a non-empty string")
		}
		return v, nil
	}
	s := strings.TrimSpace(fmt.Sprint(v))
	switch p.Type {
	case Duration:
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%v: want a positive duration such as 60s", v)
		}
		return d, nil
	case Int:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), nil
		}
		return nil, fmt.Errorf("%v: want a whole number", v)
	case Float:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%v: want a finite number", v)
		}
		return f, nil
	case String:
		if s == "" {
			return nil, errors.New("want a non-empty string")
		}
		return s, nil
	case Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%v: want true or false", v)
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown parameter type %q", p.Type)
}

// FormatValue writes a parameter value as a spec file or flag would give it:
// 1m0s, 3, 0.5, text.
func FormatValue(v any) string {
	if d, ok := v.(time.Duration); ok {
		return d.String()
	}
	return fmt.Sprint(v)
}
