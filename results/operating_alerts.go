package results

import (
	"github.com/tapetest/tapetest/scoring"
)

// alertStanding is one alert's place at its instance's operating point.
type alertStanding struct {
	Threshold float64  // the instance's operating threshold on the alert's typology
	Above     bool     // the alert's score is at or above it: the alert reaches analysts
	Labels    []string // the labels it matched (of its own typology)
	Scored    bool     // its instance and typology were scored (false: a failed or unknown instance)
}

// False reports whether the alert reaches analysts and matches no label.
func (s alertStanding) False() bool { return s.Scored && s.Above && len(s.Labels) == 0 }

// operatingThresholds is every (instance, typology)'s operating threshold:
// the one its entry ships, else its in-sample best F1.
func operatingThresholds(ev *scoring.Evaluation) map[[2]string]float64 {
	thr := map[[2]string]float64{}
	for _, r := range ev.Instances {
		t := r.Best.Threshold
		if r.OperatingPoint != nil {
			t = r.OperatingPoint.Threshold
		}
		thr[[2]string{r.Instance, string(r.Typology)}] = t
	}
	return thr
}

// standings places every alert at its instance's operating point.
func standings(c *Contents, ev *scoring.Evaluation) []alertStanding {
	thr := operatingThresholds(ev)
	out := make([]alertStanding, len(c.Alerts))
	for _, p := range scoring.Match(c.Alerts, c.Labels, c.Options) {
		out[p.Alert].Labels = append(out[p.Alert].Labels, c.Labels[p.Label].ID)
	}
	for i, a := range c.Alerts {
		t, ok := thr[[2]string{a.Instance, string(a.Typology)}]
		out[i].Threshold, out[i].Scored, out[i].Above = t, ok, ok && a.Score >= t
	}
	return out
}
