package detectors_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/detectors/detectortest"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios"
)

func buildExample(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "extwash")
	if out, err := exec.Command("go", "build", "-o", bin, "./examples/extwash").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func washEvents(t *testing.T) ([]replay.Instrument, []replay.Event) {
	t.Helper()
	spec, err := scenarios.Default()
	if err != nil {
		t.Fatal(err)
	}
	spec.Duration = scenarios.Duration(3 * 60e9)
	spec.Injections = spec.Injections[:1] // blatant wash trading: self-trades
	spec.Injections[0].At = []scenarios.Duration{scenarios.Duration(20e9)}
	gen, evs := generated(t, spec)
	// The first minute: the attack and the time around it (a short stream for a process detector).
	end := 0
	for end < len(evs) && evs[end].TS < evs[0].TS+60e9 {
		end++
	}
	return gen.Instruments(), evs[:end]
}

func TestExternalExampleConforms(t *testing.T) {
	bin := buildExample(t)
	insts, evs := washEvents(t)
	in, err := detectors.Expand([]detectors.Config{{Name: "external", Params: map[string]any{"command": bin}}})
	if err != nil {
		t.Fatal(err)
	}
	detectortest.Run(t, in[0].ID, in[0].Typology, in[0].New, insts, evs)
	// It finds the injected self-trades.
	d, _ := in[0].New()
	c := detectors.NewConsumer(in[0].ID, in[0].Typology, d)
	if _, err := replay.Run(t.Context(), replay.NewMemSource(insts, evs), []replay.Consumer{c}, replay.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(c.Alerts()) == 0 || c.Alerts()[0].Typology != replay.WashTrading {
		t.Fatalf("alerts %+v", c.Alerts())
	}
}

func TestExternalFailuresFailOnlyThatInstance(t *testing.T) {
	bin := buildExample(t)
	insts, evs := washEvents(t)
	cases := []struct {
		args, want string
		timeout    time.Duration
	}{
		{"-crash-after 2", "exited before acknowledging", time.Minute},
		{"-bad-json", "bad JSON", time.Minute},
		{"-hang", "did not answer", 2 * time.Second},
		{"", "", time.Minute}, // healthy: a generous timeout so a loaded CI machine cannot fail it
	}
	var cons []replay.Consumer
	for i, c := range cases {
		d := &detectors.External{Args: append([]string{bin}, strings.Fields(c.args)...), Typology: replay.WashTrading, Timeout: c.timeout}
		cons = append(cons, detectors.NewConsumer("ext"+string(rune('0'+i)), replay.WashTrading, d))
	}
	_, err := replay.Run(t.Context(), replay.NewMemSource(insts, evs), cons, replay.RunOptions{BatchSize: 2048})
	ce, ok := err.(replay.ConsumerErrors)
	if !ok || len(ce) != 3 {
		t.Fatalf("err = %v, want three failed instances", err)
	}
	for i, e := range ce {
		if !strings.Contains(e.Error(), cases[i].want) {
			t.Errorf("%s: %v, want %q", e.Consumer, e, cases[i].want)
		}
	}
	if len(cons[3].(*detectors.Consumer).Alerts()) == 0 {
		t.Fatal("the healthy external detector was affected")
	}
}
