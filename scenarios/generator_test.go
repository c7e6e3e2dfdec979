package scenarios

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

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
