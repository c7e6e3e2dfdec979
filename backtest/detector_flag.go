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
// select=RULE (select=capacity 24) state the entry's operating point.
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
