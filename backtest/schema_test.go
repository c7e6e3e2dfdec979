package backtest

import (
	"bytes"
	"testing"

	"github.com/tapetest/tapetest/internal/golden"
)

// TestSchemaIsCurrent: spec.schema.json is what Schema generates (run with -update to refresh).
func TestSchemaIsCurrent(t *testing.T) {
	got, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden.Check(t, "spec.schema.json", got, "spec.schema.json is stale: run go test ./backtest -run TestSchemaIsCurrent -update")
	for _, key := range []string{`"injections"`, `"intensity"`, `"budget_per_day"`, `"additionalProperties": false`, `"wash_pairs"`, `"spoofing"`, `"lobster"`, `"price_band"`, `"max_maker_age"`, `"size_x_touch"`, `"halt_pct"`} {
		if !bytes.Contains(got, []byte(key)) {
			t.Errorf("schema lacks %s", key)
		}
	}
}
