package results

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

func TestPlotsRenderDeterministically(t *testing.T) {
	ts := make([]float64, 500)
	px := make([]float64, 500)
	for i := range ts {
		ts[i] = float64(i)
		px[i] = 100 + 3*math.Sin(float64(i)/40)
	}
	build := map[string]func() (*plot.Plot, error){
		"pr": func() (*plot.Plot, error) {
			return prPlot("pr", []plotSeries{{Name: "a", X: []float64{0, 0.5, 1}, Y: []float64{1, 0.8, 0.4}}})
		},
		"threshold": func() (*plot.Plot, error) {
			return thresholdPlot("thr", []float64{0.1, 0.5, 0.9}, []float64{0.2, 0.6, 1}, []float64{1, 0.7, 0.1}, []float64{0.33, 0.65, 0.18}, 0.5, 0.9)
		},
		"cdf": func() (*plot.Plot, error) {
			return cdfPlot("ttd", "seconds", []plotSeries{{Name: "a", X: []float64{3, 1, 2}}})
		},
		"alerts": func() (*plot.Plot, error) {
			return recallVsAlertsPlot("r", []plotSeries{{Name: "a", X: []float64{0, 1, 10}, Y: []float64{0.2, 0.5, 0.9}}})
		},
		"coverage": func() (*plot.Plot, error) {
			return coveragePlot("cov", []string{"d1", "d2"}, []string{"t1", "t2"}, [][]float64{{1, 0}, {math.NaN(), 0.5}})
		},
		"timeline": func() (*plot.Plot, error) {
			return timelinePlot("tl", ts, px, []window{{Start: 100, End: 150}}, []marker{{T: 120}})
		},
	}
	for name, mk := range build {
		t.Run(name, func(t *testing.T) {
			var prev figure
			for i := 0; i < 2; i++ {
				p, err := mk()
				if err != nil {
					t.Fatal(err)
				}
				f, err := render(name, p, 5*vg.Inch, 3*vg.Inch)
				if err != nil {
					t.Fatal(err)
				}
				if len(f.PNG) < 1000 || !bytes.HasPrefix(f.PNG, []byte("\x89PNG")) {
					t.Fatalf("PNG not rendered (%d bytes)", len(f.PNG))
				}
				// The SVG names the face the report embeds once, and carries no font of its own.
				if !bytes.Contains(f.SVG, []byte("<svg")) || !bytes.Contains(f.SVG, []byte("font-family:Liberation Sans;")) || bytes.Contains(f.SVG, []byte("@font-face")) {
					t.Fatalf("SVG lacks an svg element, names another font or embeds one")
				}
				if i == 1 && (!bytes.Equal(prev.PNG, f.PNG) || !bytes.Equal(prev.SVG, f.SVG)) {
					t.Fatal("rendering the same plot twice gave different bytes")
				}
				prev = f
			}
		})
	}
}

func TestCoveragePlotRejectsEmptyMatrix(t *testing.T) {
	if _, err := coveragePlot("x", nil, []string{"a"}, nil); err == nil {
		t.Fatal("want an error for an empty matrix")
	}
}

// TestPlotsTakeAnyFiniteScores: thresholds are detectors' scores, any finite
// value. A span of ±1e308 used to send gonum's ticker into an endless loop
// (the span overflowed to +Inf) and large values could panic in it: every
// plot now renders (or fails alone) for scores up to ±MaxFloat64.
func TestPlotsTakeAnyFiniteScores(t *testing.T) {
	for _, thr := range [][]float64{{1, 1e16}, {-1e308, 1e308}, {0.5, 1e308}, {-math.MaxFloat64, math.MaxFloat64}, {3, 3}} {
		done := make(chan error, 1)
		go func() {
			p, err := thresholdPlot("t", thr, []float64{1, 0.5}, []float64{0.5, 1}, []float64{0.6, 0.6}, thr[1], thr[1])
			if err == nil {
				_, err = render("x", p, 400, 300)
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("thresholds %v: %v", thr, err)
			}
		case <-time.After(time.Minute): // a hang, not a speed bar
			t.Fatalf("thresholds %v: rendering did not end", thr)
		}
	}
}

// TestDecimalTicks: a coin priced in BTC reads in plain decimals with the
// digits its step needs, not in exponents.
func TestDecimalTicks(t *testing.T) {
	var labels []string
	for _, tk := range (decimalTicks{}).Ticks(0.000024, 0.000037) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if len(labels) < 2 || strings.ContainsAny(strings.Join(labels, ""), "e") || labels[0] != "0.000025" {
		t.Fatalf("labels %v", labels)
	}
}
