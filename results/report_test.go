package results

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/scoring"
	"gonum.org/v1/plot/vg"
)

func TestRenderHTMLIsSelfContained(t *testing.T) {
	p, err := prPlot("wash_trading", []plotSeries{{Name: "wash_self", X: []float64{0, 0.5, 1}, Y: []float64{1, 0.9, 0.5}}})
	if err != nil {
		t.Fatal(err)
	}
	fig, err := render("pr_wash_trading", p, 5*vg.Inch, 3*vg.Inch)
	if err != nil {
		t.Fatal(err)
	}
	v := &reportView{
		Title:    "tapetest report",
		Subtitle: "default suite",
		Headline: []fact{{Label: "labelled events", Value: "42"}},
		Coverage: matrix{Corner: "detector", Rows: []string{"wash_self"}, Cols: []string{"wash_trading", "spoofing"}, Values: [][]float64{{0.9, math.NaN()}}},
		Typologies: []typologyView{{Name: "wash_trading", Anchor: "wash_trading", Labels: 10,
			Rows: []instanceRow{{Instance: "wash_self<script>", Threshold: "0.5", Measured: "in-sample", Precision: "90.0% (9/10) [60–98%]", Recall: "80.0% (8/10)", F1: 0.85, F1Text: "0.850", AP: 0.8, TTDP50: "3s", TTDP90: "9s", AlertsPerDay: "1.0", Alerts: 12, Best: true}}}},
		Figures: []figureView{newFigureView("PR", "exact", fig)},
		Counts:  []fact{{Label: "cancel_unknown_order", Value: "7"}},
	}
	html, err := renderHTML(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "@font-face", "data:font/ttf;base64,", "90.0%", "wash_<wbr>self&lt;script&gt;", "cancel_unknown_order"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, external := range []string{"http://", "https://", "src=\"/", "<link "} {
		if i := bytes.Index(html, []byte(external)); i >= 0 && !strings.Contains(string(html[max(0, i-40):i+40]), "www.w3.org") {
			t.Errorf("report refers to an external resource near %q", html[max(0, i-40):min(len(html), i+40)])
		}
	}
	again, _ := renderHTML(v)
	if !bytes.Equal(html, again) {
		t.Fatal("rendering twice gave different bytes")
	}
}

// TestReportEmbedsItsFontOnce: the plots name the report's one embedded
// face instead of carrying a font each: a report of 35 figures stays far
// under 3 MB (it was 20 MB).
func TestReportEmbedsItsFontOnce(t *testing.T) {
	p, err := prPlot("wash_trading", []plotSeries{{Name: "wash_self", X: []float64{0, 0.5, 1}, Y: []float64{1, 0.9, 0.5}}})
	if err != nil {
		t.Fatal(err)
	}
	var figs []figureView
	for i := 0; i < 35; i++ {
		fig, err := render("pr", p, 5*vg.Inch, 3*vg.Inch)
		if err != nil {
			t.Fatal(err)
		}
		figs = append(figs, newFigureView("PR", "exact", fig))
	}
	html, err := renderHTML(&reportView{Title: "t", Figures: figs})
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(html, []byte("@font-face")); n != 2 || len(html) > 3<<20 {
		t.Fatalf("%d @font-face rules, %d bytes", n, len(html))
	}
}

// TestThresholdControl: a control carries at most controlPoints (+2) sweep
// points, always the shipped threshold's, starts there, and writes numbers
// JavaScript reads (null for NaN).
func TestThresholdControl(t *testing.T) {
	var sw scoring.Sweep
	for i := 0; i < 5000; i++ {
		sw.Points = append(sw.Points, scoring.SweepPoint{Threshold: float64(5000 - i), Recall: float64(i) / 5000, Precision: math.NaN(), AlertsPerDay: float64(i)})
	}
	sw.Labels = 10
	ctl, ok := newThresholdControl("c", "d", sw, 1234.5, 24)
	if !ok {
		t.Fatal("no control")
	}
	var pts [][]any
	if err := json.Unmarshal([]byte(ctl.Points), &pts); err != nil {
		t.Fatal(err)
	}
	if len(pts) > controlPoints+2 || len(pts) < controlPoints/2 {
		t.Fatalf("%d points", len(pts))
	}
	if got := pts[ctl.Start][0].(float64); got != 1235 { // the last point at or above 1234.5
		t.Fatalf("starts at threshold %v", got)
	}
	if pts[0][2] != nil {
		t.Fatalf("NaN precision written as %v", pts[0][2])
	}
	if _, ok := newThresholdControl("c", "d", scoring.Sweep{}, 1, 0); ok {
		t.Fatal("a control without points")
	}
}
