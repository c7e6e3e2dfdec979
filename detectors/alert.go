package detectors

import "github.com/tapetest/tapetest/replay"

// Alert is one candidate alert raised by a detector instance.
type Alert struct {
	Instance string          `json:"instance"`  // detector instance id, e.g. wash_cycle{window=60s,min_legs=3}
	Typology replay.Typology `json:"typology"`  // the abuse it claims
	Symbol   string          `json:"symbol"`    // instrument symbol
	RaisedAt int64           `json:"raised_at"` // ns: replay time at which the detector could raise it
	Start    int64           `json:"start"`     // ns: window of the suspicious activity
	End      int64           `json:"end"`
	Accounts []uint64        `json:"accounts,omitempty"` // accounts involved, sorted ascending; empty if unknown
	Score    float64         `json:"score"`              // continuous, finite, higher = more suspicious
	Evidence string          `json:"evidence"`           // human-readable
}
