package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
)

// checkFinite walks a decoded spec and refuses the first NaN or infinite
// number anywhere in it — in a field, a list or a map, including values
// decoded into interfaces (detector and injection parameters) — naming its
// path by the YAML keys, and any negative duration (none has a meaning), (e.g. "instruments[1].perp.funding_rate"). Each
// block's own validator checks ranges; this holds for every number, present
// and future, that none can be NaN (".nan" used to collapse a market to
// prices of 0–5 ticks without an error).
func checkFinite(v reflect.Value, path string) error {
	if v.Type() == durationType && v.Int() < 0 {
		return fmt.Errorf("%s: %v: a duration cannot be negative", path, time.Duration(v.Int()))
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%s: %v is not a finite number", path, f)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkFinite(v.Elem(), path)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			p := path
			switch {
			case strings.Contains(opts, "inline") || (f.Anonymous && name == ""):
			case name == "-":
				continue
			case name == "":
				p = join(path, strings.ToLower(f.Name))
			default:
				p = join(path, name)
			}
			if err := checkFinite(v.Field(i), p); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := checkFinite(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		var first error
		var firstKey string
		for iter.Next() {
			key := fmt.Sprint(iter.Key().Interface())
			if err := checkFinite(iter.Value(), join(path, key)); err != nil && (first == nil || key < firstKey) {
				first, firstKey = err, key // the same key whatever the map's order
			}
		}
		return first
	}
	return nil
}

var durationType = reflect.TypeOf(Duration(0))

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
