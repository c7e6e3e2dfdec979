package backtest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/scoring"
)

// ParseDetectorFlag reads a detector entry written on one line, as the
// command line's --detector takes it: NAME[:param=value,...], where
// value1|value2|... is a grid axis (one instance per value); threshold=X and
// select=RULE (select=capacity 24) state the entry's operating point;
// symbols=A+B scopes it to those instruments.
func ParseDetectorFlag(s string) (detectors.Config, error) {
	name, rest, _ := strings.Cut(s, ":")
	cfg := detectors.Config{Name: strings.TrimSpace(name), Params: map[string]any{}}
	if cfg.Name == "" {
		return cfg, errors.New("no detector name")
	}
	if rest == "" {
		return cfg, nil
	}
	for _, kv := range strings.Split(rest, ",") {
		kv = strings.TrimSpace(kv)
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return cfg, fmt.Errorf("%q is not param=value", kv)
		}
		switch k = strings.TrimSpace(k); k {
		case "threshold":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return cfg, fmt.Errorf("threshold %q is not a number", v)
			}
			cfg.Threshold = &f
			continue
		case "select":
			cfg.Select = v
			continue
		case "symbols":
			for _, sym := range strings.Split(v, "+") {
				if sym = strings.TrimSpace(sym); sym != "" {
					cfg.Symbols = append(cfg.Symbols, sym)
				}
			}
			continue
		}
		if strings.Contains(v, "|") {
			var list []any
			for _, x := range strings.Split(v, "|") {
				list = append(list, x)
			}
			cfg.Params[k] = list
		} else {
			cfg.Params[k] = v
		}
	}
	if _, err := scoring.ParseSelection(cfg.Threshold, cfg.Select); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// InheritScopes gives each command-line entry without symbols the scope of
// the spec's entry for the same detector (when the spec has exactly one
// scope for it): `sweep --detector flash_crash:window=10s|30s` over the
// default suite scores the spot markets as its run does, instead of every
// instrument. It returns the entries that inherited a scope.
func InheritScopes(flags []detectors.Config, spec []detectors.Config) []string {
	scopes := map[string][]string{}
	many := map[string]bool{}
	for _, c := range spec {
		if prev, ok := scopes[c.Name]; ok && strings.Join(prev, "+") != strings.Join(c.Symbols, "+") {
			many[c.Name] = true
		}
		scopes[c.Name] = c.Symbols
	}
	var inherited []string
	for i := range flags {
		c := &flags[i]
		if len(c.Symbols) > 0 || many[c.Name] || len(scopes[c.Name]) == 0 {
			continue
		}
		c.Symbols = append([]string(nil), scopes[c.Name]...)
		inherited = append(inherited, c.Name+"@"+strings.Join(c.Symbols, "+"))
	}
	return inherited
}
