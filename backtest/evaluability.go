package backtest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/scenarios"
)

// evaluability says, per detector instance, why its false alerts on this
// run's background cannot be measured: the detector needs something (the
// accounts behind orders, orders by id) that no instrument in its scope had
// in its background events — public historical feeds carry account 0, and
// an account-based detector skips account 0, so its zero false alerts there
// say nothing. Instances with nothing missing are absent.
func evaluability(insts []detectors.Instance, gen *scenarios.Generator) map[string]string {
	out := map[string]string{}
	all := gen.Instruments()
	for _, in := range insts {
		scope := in.Symbols
		if len(scope) == 0 {
			for _, i := range all {
				scope = append(scope, i.Symbol)
			}
		}
		var missing []string
		for _, need := range in.Needs() {
			have := false
			for _, sym := range scope {
				accounts, orderIDs := gen.BackgroundHas(sym)
				have = have || (need == detectors.NeedAccounts && accounts) || (need == detectors.NeedOrderIDs && orderIDs)
			}
			if !have {
				missing = append(missing, string(need))
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			out[in.ID] = fmt.Sprintf("false alerts not evaluable on this background (its precision and background alerts per day count the attacks only): the detector needs %s, which the background events of %s do not carry", strings.Join(missing, " and "), strings.Join(scope, ", "))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
