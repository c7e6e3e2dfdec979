// Package labels owns the ground truth of a backtest: the Label of one attack
// (injected or historically documented), its typed Intensity, and the reader of
// external incident lists (docs/labels.md). Scoring and results import this
// package, not the simulator that produces labels.
package labels

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tapetest/tapetest/replay"
)

// Label is the ground truth of one injected (or historically documented) attack.
// Labels live in their own table and never reach a detector.
type Label struct {
	ID            string          `json:"id" parquet:"id"`
	Typology      replay.Typology `json:"typology" parquet:"typology,dict"`
	Symbol        string          `json:"symbol" parquet:"symbol,dict"`
	Start         int64           `json:"start" parquet:"start,timestamp(nanosecond)"`
	End           int64           `json:"end" parquet:"end,timestamp(nanosecond)"`
	Accounts      []uint64        `json:"accounts" parquet:"accounts,list"`                  // ground-truth attacker accounts, sorted; empty if unknown
	Intensity     Intensity       `json:"intensity" parquet:"intensity,dict"`                // blatant, standard, subtle, evasive; or historical
	Params        string          `json:"params" parquet:"params"`                           // JSON object of the injector's parameters
	InsuranceLoss int64           `json:"insurance_loss,omitempty" parquet:"insurance_loss"` // perpetual attacks: insurance fund loss (quote fixed point)
}

// SortByStart puts labels in the order a run lists them: by start, then by
// id.
func SortByStart(ls []Label) {
	slices.SortFunc(ls, func(a, b Label) int {
		if c := cmp.Compare(a.Start, b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
