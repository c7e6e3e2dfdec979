package backtest

import (
	"fmt"
	"strings"

	"github.com/tapetest/tapetest/results"
)

// BaselinePrefix marks the instance ids of baseline detectors run beside the
// candidates (Options.BaselineDetectors).
const BaselinePrefix = "baseline/"

// SplitBaseline splits the summary of one run made with baseline detectors
// into the baseline's instances (their prefix removed, so that they pair with
// the candidates by id) and the candidate's. It is an error when the run had
// no baseline detectors.
func SplitBaseline(one *results.Summary) (base, cand *results.Summary, err error) {
	base, cand = &results.Summary{}, &results.Summary{}
	for _, in := range one.Instances {
		if id, ok := strings.CutPrefix(in.Instance, BaselinePrefix); ok {
			in.Instance = id
			base.Instances = append(base.Instances, in)
		} else {
			cand.Instances = append(cand.Instances, in)
		}
	}
	if len(base.Instances) == 0 {
		return nil, nil, fmt.Errorf("no %s instances (run it with --baseline-detector)", BaselinePrefix)
	}
	return base, cand, nil
}
