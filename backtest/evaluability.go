package backtest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/scenarios"
)

// InstanceNeeds is what the evaluability of a detector instance's false
// alerts depends on: what its detector needs and the instruments it scopes
// (none: every instrument).
type InstanceNeeds struct {
	ID      string           `json:"id"`
	Needs   []detectors.Need `json:"needs,omitempty"`
	Symbols []string         `json:"symbols,omitempty"`
}

// InstrumentBackground is what an instrument's background events carried:
// the accounts behind orders and trades, and orders by id.
type InstrumentBackground struct {
	Symbol   string `json:"symbol"`
	Accounts bool   `json:"accounts"`
	OrderIDs bool   `json:"order_ids"`
}

// evaluability says, per detector instance, why its false alerts on this
// run's background cannot be measured: the detector needs something (the
// accounts behind orders, orders by id) that no instrument in its scope had
// in its background events — public historical feeds carry account 0, and
// an account-based detector skips account 0, so its zero false alerts there
// say nothing. Instances with nothing missing are absent.
func evaluability(insts []detectors.Instance, gen *scenarios.Generator, all []string) map[string]string {
	needs := make([]InstanceNeeds, len(insts))
	for i, in := range insts {
		needs[i] = InstanceNeeds{ID: in.ID, Needs: in.Needs(), Symbols: in.Symbols}
	}
	return NotEvaluable(needs, all, gen.BackgroundHas)
}

// NotEvaluable is evaluability over instances' needs, every instrument of
// the run (all, in its order) and what each instrument's background had
// (has): the whole run's verdicts from its parts' (package scaleout).
func NotEvaluable(insts []InstanceNeeds, all []string, has func(symbol string) (accounts, orderIDs bool)) map[string]string {
	out := map[string]string{}
	for _, in := range insts {
		scope := in.Symbols
		if len(scope) == 0 {
			scope = all
		}
		var missing []string
		for _, need := range in.Needs {
			have := false
			for _, sym := range scope {
				accounts, orderIDs := has(sym)
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
