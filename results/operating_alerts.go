package results

import (
	"github.com/tapetest/tapetest/detectors"
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

// standings is every alert's place at its instance's operating point,
// kept in four bytes an alert (a long run has hundreds of thousands and
// few of them match a label): at gives one alert's.
type standings struct {
	alerts []detectors.Alert
	point  []int32   // per alert: its (instance, typology)'s threshold in thr; -1 when not scored
	thr    []float64 // the operating thresholds
	// matched is the labels each alert that matched any matched (of its own
	// typology), by alert index.
	matched map[int][]string
}

// newStandings places every alert of c at its instance's operating point.
func newStandings(c *Contents, ev *scoring.Evaluation) *standings {
	s := &standings{alerts: c.Alerts, point: make([]int32, len(c.Alerts)), matched: map[int][]string{}}
	for _, p := range scoring.Match(c.Alerts, c.Labels, c.Options) {
		s.matched[p.Alert] = append(s.matched[p.Alert], c.Labels[p.Label].ID)
	}
	points := map[[2]string]int32{}
	for k, t := range operatingThresholds(ev) {
		points[k] = int32(len(s.thr))
		s.thr = append(s.thr, t)
	}
	for i, a := range c.Alerts {
		p, ok := points[[2]string{a.Instance, string(a.Typology)}]
		if !ok {
			p = -1
		}
		s.point[i] = p
	}
	return s
}

// at is alert i's standing.
func (s *standings) at(i int) alertStanding {
	st := alertStanding{Labels: s.matched[i]}
	if p := s.point[i]; p >= 0 {
		st.Threshold, st.Scored = s.thr[p], true
		st.Above = s.alerts[i].Score >= st.Threshold
	}
	return st
}
