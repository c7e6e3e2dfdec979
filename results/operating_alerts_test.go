package results

import (
	"reflect"
	"testing"

	"github.com/tapetest/tapetest/scoring"
)

// TestStandingsAreEachAlertsPlace holds the compact standings to placing
// each alert on its own: its instance and typology's operating threshold
// (none when they were not scored), whether its score reaches it, and the
// labels it matched — for a run whose alerts match labels, fall on both
// sides of the line and include an instance that was not scored.
func TestStandingsAreEachAlertsPlace(t *testing.T) {
	var kinds [3]int // matched, above, below
	for name, c := range map[string]*Contents{"sample": sampleContents(), "many": manyAlerts()} {
		ev := scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...)
		thr := operatingThresholds(ev)
		c.Alerts = append(c.Alerts, c.Alerts[0])
		c.Alerts[len(c.Alerts)-1].Instance = "never_scored"
		matched := map[int][]string{}
		for _, p := range scoring.Match(c.Alerts, c.Labels, c.Options) {
			matched[p.Alert] = append(matched[p.Alert], c.Labels[p.Label].ID)
		}
		st := newStandings(c, ev)
		for i, a := range c.Alerts {
			want := alertStanding{Labels: matched[i]}
			if th, ok := thr[[2]string{a.Instance, string(a.Typology)}]; ok {
				want.Threshold, want.Scored, want.Above = th, true, a.Score >= th
			}
			if got := st.at(i); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: alert %d: %+v, want %+v", name, i, got, want)
			}
			switch {
			case len(want.Labels) > 0:
				kinds[0]++
			case want.Above:
				kinds[1]++
			case want.Scored:
				kinds[2]++
			}
		}
		if st.at(len(c.Alerts) - 1).Scored {
			t.Fatalf("%s: an instance that was not scored has a standing", name)
		}
	}
	if kinds[0] == 0 || kinds[1] == 0 || kinds[2] == 0 {
		t.Fatalf("the alerts do not cover matched, above and below the line: %v", kinds)
	}
}
