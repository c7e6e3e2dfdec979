package backtest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tapetest/tapetest/detectors"
)

// ParseDetectorFlag reads a detector entry written on one line, as the
// command line's --detector takes it: NAME[:param=value,...], where
// value1|value2|... is a grid axis (one instance per value).
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
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return cfg, fmt.Errorf("%q is not param=value", kv)
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
	return cfg, nil
}
