package layering

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/tapetest/tapetest"

// layers is docs/architecture.md's import graph: a package imports only
// packages of a lower layer. A new package needs a line here.
var layers = map[string]int{
	"internal/yamlbound":         0,
	"internal/realdata":          0,
	"internal/staging":           0,
	"internal/ahead":             0,
	"internal/swar":              0,
	"internal/golden":            0,
	"orderbook":                  0,
	"orderbook/perp":             1,
	"replay":                     1,
	"replay/lobster":             2,
	"replay/binance":             2,
	"replay/csvfeed":             2,
	"replay/kraken":              2,
	"replay/bitmex":              2,
	"replay/coinbase":            2,
	"replay/orderlog":            2,
	"labels":                     2,
	"component":                  3,
	"scenarios/venue":            3,
	"scenarios/injectors":        4,
	"scenarios/agents":           4,
	"replay/formats":             4,
	"detectors":                  4,
	"detectors/detectortest":     5,
	"scenarios":                  5,
	"scoring":                    5,
	"realism":                    6,
	"results":                    6,
	"backtest":                   7,
	"training":                   8,
	"scaleout":                   8,
	"cmd/tapetest":               9,
	"detectors/examples/extwash": 8,
	"examples/extending":         8,
	"internal/layering":          10,
	"internal/oracle":            9,
}

// TestImportsFlowOneWay: no package imports a package of its own layer or
// above (tests included: an in-package test cannot break the graph either).
func TestImportsFlowOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p struct {
			ImportPath           string
			Imports, TestImports []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		layer, ok := layers[name]
		if !ok {
			t.Errorf("%s has no layer: add it to docs/architecture.md and to this test", name)
			continue
		}
		seen++
		for _, imp := range append(p.Imports, p.TestImports...) {
			dep, ok := strings.CutPrefix(imp, module+"/")
			if !ok || dep == name {
				continue
			}
			if l, known := layers[dep]; known && l >= layer {
				t.Errorf("%s (layer %d) imports %s (layer %d)", name, layer, dep, l)
			}
		}
	}
	if seen < 15 {
		t.Fatalf("only %d packages listed", seen)
	}
}
