package oracle

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/tapetest/tapetest/scoring"
)

// known are the labels of the run the oracle watches.
var known []labels.Label

type oracle struct {
	typ     replay.Typology
	names   []string
	pending map[uint32][]labels.Label // by symbol index, in start order
}

func (o *oracle) Start(info *replay.RunInfo) error {
	idx := map[string]uint32{}
	for i, in := range info.Instruments {
		idx[in.Symbol] = uint32(i)
		o.names = append(o.names, in.Symbol)
	}
	o.pending = map[uint32][]labels.Label{}
	for _, l := range known {
		if l.Typology == o.typ {
			if i, ok := idx[l.Symbol]; ok {
				o.pending[i] = append(o.pending[i], l)
			}
		}
	}
	for _, ls := range o.pending {
		sort.Slice(ls, func(a, b int) bool { return ls[a].Start < ls[b].Start })
	}
	return nil
}

// Consume alerts on a label at the first event of its symbol at or after its
// start.
func (o *oracle) Consume(b *replay.Batch, emit func(detectors.Alert)) error {
	for i := range b.Records {
		e := &b.Records[i].Event
		ls := o.pending[e.Symbol]
		for len(ls) > 0 && ls[0].Start <= e.TS {
			l := ls[0]
			emit(detectors.Alert{Typology: o.typ, Symbol: o.names[e.Symbol], RaisedAt: e.TS, Start: l.Start, End: l.End, Accounts: l.Accounts, Score: 1, Evidence: "oracle " + l.ID})
			ls = ls[1:]
		}
		o.pending[e.Symbol] = ls
	}
	return nil
}

func (o *oracle) Finish(func(detectors.Alert)) error { return nil }

func init() {
	err := detectors.Register(detectors.Definition{
		Spec: component.Spec{Name: "test_oracle", Summary: "alerts on every label of its typology at the first event inside it (the oracle test only)",
			Params: []component.Param{{Name: "typology", Type: component.String, Default: "wash_trading", Meaning: "the labels' typology"}}},
		New: func(p detectors.Params) (detectors.Detector, error) {
			return &oracle{typ: replay.Typology(p.String("typology"))}, nil
		},
	})
	if err != nil {
		panic(err)
	}
}

// labelsOf generates the scenario once and returns its labels.
func labelsOf(t *testing.T, spec *backtest.Spec) []labels.Label {
	t.Helper()
	g, err := scenarios.NewGenerator(spec.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, err := replay.ReadAll(g); err != nil {
		t.Fatal(err)
	}
	return g.Labels()
}

// checkOracle runs the spec with one oracle per typology its labels have and
// requires recall 1 for every typology and intensity.
func checkOracle(t *testing.T, spec *backtest.Spec, name string) {
	known = labelsOf(t, spec)
	typs := map[replay.Typology]bool{}
	for _, l := range known {
		typs[l.Typology] = true
	}
	var cfgs []detectors.Config
	for typ := range typs {
		cfgs = append(cfgs, detectors.Config{Name: "test_oracle", Params: map[string]any{"typology": string(typ)}})
	}
	sort.Slice(cfgs, func(i, j int) bool { return cfgs[i].Params["typology"].(string) < cfgs[j].Params["typology"].(string) })
	out, err := backtest.Run(context.Background(), spec, backtest.Options{SpecName: name, SpecText: []byte(name), ToolVersion: "test", Detectors: cfgs})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents.Failures) > 0 {
		t.Fatalf("failures: %+v", out.Contents.Failures)
	}
	if got := len(out.Contents.Labels); got != len(known) {
		t.Fatalf("the run has %d labels, the generation %d: not deterministic", got, len(known))
	}
	res := scoringOf(out)
	checked := 0
	for _, in := range res {
		m := in.All
		if m.Labels == 0 {
			continue
		}
		checked++
		var missed []string
		for _, bi := range m.ByIntensity {
			if bi.Detected != bi.Labels {
				missed = append(missed, string(bi.Intensity))
			}
		}
		if m.Detected != m.Labels {
			t.Errorf("%s: the oracle detects %d of %d %s labels (intensities missed: %s)", name, m.Detected, m.Labels, in.Typology, strings.Join(missed, ", "))
		}
	}
	if checked != len(typs) {
		t.Fatalf("%d typologies scored, %d labelled", checked, len(typs))
	}
	t.Logf("%s: %d labels of %d typologies, every one caught by the oracle", name, len(known), len(typs))
}

// TestOracleOnTheDefaultSuite: every injector of the default suite, at every
// intensity it uses, leaves labels an oracle catches — on a shortened suite
// with every injection kept.
func TestOracleOnTheDefaultSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite")
	}
	spec, err := backtest.Default()
	if err != nil {
		t.Fatal(err)
	}
	spec.Scenario.Duration = scenarios.Duration(90 * 60e9)
	checkOracle(t, spec, "default-90m")
}

// TestOracleOnAHistoricalBackground: the injectors that act on an equity
// order book, at every intensity, injected into the real GOOG day.
func TestOracleOnAHistoricalBackground(t *testing.T) {
	if testing.Short() {
		t.Skip("replays a LOBSTER day")
	}
	dir := realdata.Path(t, "lobster-goog-full-day")
	var inj strings.Builder
	for _, typ := range []string{"spoofing", "wash_trading", "quote_stuffing", "flash_crash", "momentum_ignition", "marking_the_close", "pump_and_dump"} {
		for _, in := range []string{"blatant", "standard", "subtle", "evasive"} {
			inj.WriteString("  - {typology: " + typ + ", symbol: GOOG, count: 1, intensity: " + in + "}\n")
		}
	}
	text := "name: goog-oracle\nseed: 5\nduration: 4h\nbackground:\n  format: lobster\n  accounts: 300\n  files:\n" +
		"    - " + dir + "/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz\n" +
		"    - " + dir + "/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz\n" +
		"injections:\n" + inj.String()
	spec, err := backtest.Parse("goog-oracle.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	checkOracle(t, spec, "goog-oracle")
}

func scoringOf(out *backtest.Outcome) []scoring.InstanceResult {
	c := out.Contents
	return scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...).Instances
}

// TestOracleOnThePumpEpisodes: the 27 real pumps' labels (the announced
// minute, from a list) all have trades of their coin inside them.
func TestOracleOnThePumpEpisodes(t *testing.T) {
	if testing.Short() {
		t.Skip("replays the pump episodes")
	}
	realdata.Path(t, "pump-trades-pugoev/trades")
	spec, _, err := backtest.Load("../../examples/pump-episodes/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checkOracle(t, spec, "pump-episodes")
}
