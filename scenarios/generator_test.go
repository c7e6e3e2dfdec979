package scenarios

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
)

func hashEvents(t *testing.T, g *Generator) ([32]byte, int) {
	t.Helper()
	evs, err := replay.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	var b [8]byte
	for _, e := range evs {
		for _, x := range []uint64{uint64(e.TS), e.Seq, uint64(e.Symbol), uint64(e.Action), uint64(e.Side), uint64(e.Flags), e.OrderID, e.Account, uint64(e.Price), uint64(e.Qty)} {
			binary.LittleEndian.PutUint64(b[:], x)
			h.Write(b[:])
		}
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out, len(evs)
}

func shortSpec(t *testing.T) *Spec {
	t.Helper()
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	s.Duration = Duration(20 * 60e9)
	for i := range s.Injections {
		s.Injections[i].Count = 1
	}
	return s
}

func TestGenerationIsDeterministicAndLabelled(t *testing.T) {
	g1, err := NewGenerator(shortSpec(t))
	if err != nil {
		t.Fatal(err)
	}
	h1, n := hashEvents(t, g1)
	g2, _ := NewGenerator(shortSpec(t))
	h2, _ := hashEvents(t, g2)
	if h1 != h2 {
		t.Fatal("the same spec and seed generated different events")
	}
	if n < 10_000 {
		t.Fatalf("only %d events in 20 minutes", n)
	}
	labels := g1.Labels()
	if want := len(shortSpec(t).Injections); len(labels) != want {
		t.Fatalf("%d labels, want %d", len(labels), want)
	}
	for _, l := range labels {
		if len(l.Accounts) == 0 || l.End < l.Start || l.Params == "" {
			t.Errorf("label %+v", l)
		}
	}
	if len(g1.Accounts()) != 3000 {
		t.Fatalf("%d accounts", len(g1.Accounts()))
	}
}

func TestSpecErrorsNamePositions(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"name: x\nseeed: 1\n", "x.yaml:2:1"},
		{"name: x\nseed: abc\n", "x.yaml:2:7"},
		{"name: x\nduration: 5 minutes\n", "not a duration"},
		{"name: x\nseed: 1\nduration: 1h\ninstruments: [{symbol: X, tick: 1, lot: 1, price: 100, size: 1, volatility: 0.01}]\nbackground: {accounts: 10, market_makers: 1}\n", "start: missing"},
	}
	for _, c := range cases {
		_, err := Parse("x.yaml", []byte(c.yaml))
		var se *SpecError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.yaml, err, c.want)
		}
	}
	// A value out of range names its field and value.
	for _, c := range []struct {
		set  func(*InstrumentSpec)
		want string
	}{
		{func(in *InstrumentSpec) { in.TradeImpact = 2 }, "trade_impact 2 out of [0, 1]"},
		{func(in *InstrumentSpec) { in.NewsLag = 1 }, "news_lag 1 out of [0, 1)"},
		{func(in *InstrumentSpec) { in.HalfSpread = -1 }, "half_spread -1 out of [0, 10000]"},
		{func(in *InstrumentSpec) { in.RoundLot = 7; in.Lot = 2 }, "round_lot 7 is not a multiple of lot 2"},
	} {
		s, _ := Default()
		c.set(&s.Instruments[0])
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
	s, _ := Default()
	s.Background.NoiseTraders = 1_000_000
	s.Background.Accounts = 1_000_000
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "would generate about") {
		t.Fatalf("memory-exhausting spec accepted: %v", err)
	}
}

// TestInjectionParamRanges: a parameter given as a range is drawn for each
// attack from the attack's own stream — every draw inside the range, not all
// the same, the same again for the same seed, and recorded in the label — and
// a malformed range is refused with the parameter's name.
func TestInjectionParamRanges(t *testing.T) {
	text := string(DefaultSpecText())
	labelsOf := func(params string) ([]labels.Label, error) {
		spec, err := Parse("r.yaml", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		spec.Duration = Duration(40 * time.Minute)
		var p map[string]any
		if err := yaml.Unmarshal([]byte(params), &p); err != nil {
			t.Fatal(err)
		}
		spec.Injections = []InjectionSpec{{Typology: "spoofing", Symbol: "BTCUSDT", Count: 8, Intensity: "standard", Params: p}}
		spec.InjectionGap = new(Duration)
		g, err := NewGenerator(spec)
		if err != nil {
			return nil, err
		}
		defer g.Close()
		if _, err := replay.ReadAll(g); err != nil {
			t.Fatal(err)
		}
		return g.Labels(), nil
	}
	labels, err := labelsOf("{layers: [2, 5], size_x_touch: [1.5, 3.5]}")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := labelsOf("{layers: [2, 5], size_x_touch: [1.5, 3.5]}")
	layers, sizes := map[float64]bool{}, map[float64]bool{}
	for i, l := range labels {
		var ps map[string]string // the label writes each value as text
		if err := json.Unmarshal([]byte(l.Params), &ps); err != nil {
			t.Fatal(err)
		}
		p := map[string]float64{}
		for k, v := range ps {
			p[k], _ = strconv.ParseFloat(v, 64)
		}
		if p["layers"] < 2 || p["layers"] > 5 || p["layers"] != math.Trunc(p["layers"]) || p["size_x_touch"] < 1.5 || p["size_x_touch"] >= 3.5 {
			t.Fatalf("label %s params %s outside the ranges", l.ID, l.Params)
		}
		layers[p["layers"]], sizes[p["size_x_touch"]] = true, true
		if again[i].Params != l.Params {
			t.Fatalf("the same seed drew %s, then %s", l.Params, again[i].Params)
		}
	}
	if len(labels) != 8 || len(layers) < 2 || len(sizes) < 8 {
		t.Fatalf("%d labels drew layers %v, sizes %v", len(labels), layers, sizes)
	}
	for _, bad := range []struct{ params, want string }{
		{"{layers: [5, 2]}", "layers: range [5, 2]: low above high"},
		{"{layers: [3]}", "layers: a range is [low, high]: got 1 values"},
		{"{layers: [a, 3]}", "layers: a is not a number"},
	} {
		if _, err := labelsOf(bad.params); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: err = %v, want %q", bad.params, err, bad.want)
		}
	}
}
