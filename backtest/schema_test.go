package backtest

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// TestSchemaIsCurrent: spec.schema.json is what Schema generates (run with -update to refresh).
func TestSchemaIsCurrent(t *testing.T) {
	got, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile("spec.schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("spec.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("spec.schema.json is stale: run go test ./backtest -run TestSchemaIsCurrent -update")
	}
	for _, key := range []string{`"injections"`, `"intensity"`, `"budget_per_day"`, `"additionalProperties": false`, `"wash_pairs"`, `"spoofing"`, `"lobster"`, `"price_band"`, `"max_maker_age"`, `"size_x_touch"`, `"halt_pct"`} {
		if !bytes.Contains(got, []byte(key)) {
			t.Errorf("schema lacks %s", key)
		}
	}
}
