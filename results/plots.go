package results

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// plotSeries is one named curve or sample for a plot.
type plotSeries struct {
	Name string
	X, Y []float64
}

// window is a shaded time interval on a timeline (an injection), in seconds
// since the start of the replay.
type window struct {
	Start, End float64
	Label      string
}

// marker is a point event on a timeline (an alert), in seconds since the start of
// the replay.
type marker struct {
	T       float64
	Label   string
	Matched bool // it matched a label of its typology
}

// palette10 is a colour-blind-friendly categorical palette (Okabe–Ito, extended).
var palette10 = []color.RGBA{
	{0, 114, 178, 255}, {230, 159, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255},
	{86, 180, 233, 255}, {213, 94, 0, 255}, {240, 228, 66, 255}, {0, 0, 0, 255},
	{120, 120, 120, 255}, {150, 80, 30, 255},
}

func seriesColor(i int) color.Color { return palette10[i%len(palette10)] }

// seriesDashes tells apart series that share a colour: the palette's
// second round is dashed, its third dotted (15 instances used to cycle
// through the colours with nothing else to tell them apart).
func seriesDashes(i int) []vg.Length {
	switch (i / len(palette10)) % 3 {
	case 1:
		return []vg.Length{vg.Points(6), vg.Points(3)}
	case 2:
		return []vg.Length{vg.Points(1.5), vg.Points(2.5)}
	}
	return nil
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	return p
}

func xys(x, y []float64) plotter.XYs {
	n := min(len(x), len(y))
	pts := make(plotter.XYs, 0, n)
	for i := 0; i < n; i++ {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) || math.IsInf(x[i], 0) || math.IsInf(y[i], 0) {
			continue
		}
		pts = append(pts, plotter.XY{X: x[i], Y: y[i]})
	}
	return pts
}

// addLines draws each series as a line (a step line when step is set), with a legend entry.
func addLines(p *plot.Plot, series []plotSeries, step bool) error {
	return addLinesStyled(p, series, step, plotter.PostStep)
}

func addLinesStyled(p *plot.Plot, series []plotSeries, step bool, kind plotter.StepKind) error {
	for i, s := range series {
		pts := xys(s.X, s.Y)
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("plot %q: series %q: %w", p.Title.Text, s.Name, err)
		}
		if step {
			l.StepStyle = kind
		}
		l.Color, l.Dashes = seriesColor(i), seriesDashes(i)
		l.Width = vg.Points(1.6)
		p.Add(fewBoxesLine{l})
		if len(pts) == 1 {
			sc, _ := plotter.NewScatter(pts)
			sc.Color = seriesColor(i)
			sc.Shape = draw.CircleGlyph{}
			p.Add(sc)
		}
		if s.Name != "" {
			p.Legend.Add(s.Name, l)
		}
	}
	return nil
}

// prPlot draws precision (y) against recall (x), one curve per series.
func prPlot(title string, series []plotSeries) (*plot.Plot, error) {
	p := newPlot(title, "recall", "precision")
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1.02
	p.Legend.Top = false
	p.Legend.Left = true
	return p, addLines(p, series, false)
}

// thresholdPlot draws precision, recall and F1 against the score threshold and
// marks the in-sample best-F1 threshold (dashed) and the threshold the entry
// ships (solid) with vertical lines.
func thresholdPlot(title string, thr, prec, rec, f1 []float64, best, shipped float64) (*plot.Plot, error) {
	p := newPlot(title, "score threshold", "precision, recall, F1")
	p.Y.Min, p.Y.Max = 0, 1.02
	p.Legend.Top, p.Legend.Left = false, true
	// The point at threshold t holds for every threshold in (next lower t, t]:
	// order by threshold and draw steps that take the value of the point to their right.
	idx := make([]int, len(thr))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return thr[idx[a]] < thr[idx[b]] })
	pick := func(v []float64) []float64 {
		out := make([]float64, len(idx))
		for i, k := range idx {
			if k < len(v) {
				out[i] = v[k]
			}
		}
		return out
	}
	x := pick(thr)
	if err := addLinesStyled(p, []plotSeries{{Name: "precision", X: x, Y: pick(prec)}, {Name: "recall", X: x, Y: pick(rec)}, {Name: "F1", X: x, Y: pick(f1)}}, true, plotter.PreStep); err != nil {
		return nil, err
	}
	for _, m := range []struct {
		at     float64
		label  string
		dashes []vg.Length
		colour color.Color
	}{
		{best, fmt.Sprintf("best F1 at %.4g (in-sample)", best), []vg.Length{vg.Points(4), vg.Points(3)}, color.Gray{Y: 90}},
		{shipped, fmt.Sprintf("ships at %.4g", shipped), nil, color.RGBA{213, 94, 0, 255}},
	} {
		if math.IsNaN(m.at) || math.IsInf(m.at, 0) || len(thr) == 0 || (m.dashes == nil && m.at == best) {
			continue // no threshold, or the shipped one is the best-F1 one
		}
		l, err := plotter.NewLine(plotter.XYs{{X: m.at, Y: 0}, {X: m.at, Y: 1.02}})
		if err == nil {
			l.Dashes, l.Color = m.dashes, m.colour
			p.Add(l)
			p.Legend.Add(m.label, l)
		}
	}
	return p, nil
}

// alertLoadPlot draws an instance's background alerts a day against the
// score threshold (log scale when it spans decades), the analyst capacity
// as a horizontal line and the threshold the entry ships as a vertical one:
// drawn under its threshold plot, on the same thresholds.
func alertLoadPlot(thr, perDay []float64, capacity, shipped float64) (*plot.Plot, error) {
	minPos, maxY := math.Inf(1), 0.0
	for _, v := range perDay {
		if v > 0 && !math.IsInf(v, 0) {
			minPos, maxY = min(minPos, v), max(maxY, v)
		}
	}
	if capacity > 0 {
		minPos, maxY = min(minPos, capacity), max(maxY, capacity)
	}
	label := "background alerts/day"
	p := newPlot("", "score threshold", label)
	logScale := maxY > 0 && maxY/minPos >= 100
	y := perDay
	floor := 0.0
	if logScale {
		floor = minPos / 2
		y = make([]float64, len(perDay))
		for i, v := range perDay {
			y[i] = max(v, floor)
		}
		p.Y.Label.Text = label + " (log)"
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	} else {
		p.Y.Min = 0
	}
	idx := make([]int, len(thr))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return thr[idx[a]] < thr[idx[b]] })
	xs, ys := make([]float64, len(idx)), make([]float64, len(idx))
	for i, k := range idx {
		xs[i], ys[i] = thr[k], y[k]
	}
	if err := addLinesStyled(p, []plotSeries{{Name: "background alerts/day", X: xs, Y: ys}}, true, plotter.PreStep); err != nil {
		return nil, err
	}
	if capacity > 0 && len(xs) > 0 {
		if l, err := plotter.NewLine(plotter.XYs{{X: xs[0], Y: capacity}, {X: xs[len(xs)-1], Y: capacity}}); err == nil {
			l.Color, l.Dashes = color.RGBA{179, 38, 30, 255}, []vg.Length{vg.Points(5), vg.Points(3)}
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("capacity %g/day", capacity), l)
		}
	}
	if !math.IsNaN(shipped) && !math.IsInf(shipped, 0) && len(xs) > 0 {
		lo, hi := floor, maxY
		if !logScale {
			lo, hi = 0, math.Max(maxY, 1)
		}
		if l, err := plotter.NewLine(plotter.XYs{{X: shipped, Y: math.Max(lo, 1e-12)}, {X: shipped, Y: hi}}); err == nil {
			l.Color = color.RGBA{213, 94, 0, 255}
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("ships at %.4g", shipped), l)
		}
	}
	return p, nil
}

// cdfPlot draws the empirical distribution function of each series' X values.
func cdfPlot(title, xlabel string, series []plotSeries) (*plot.Plot, error) {
	p := newPlot(title, xlabel, "fraction of detected events")
	p.Y.Min, p.Y.Max = 0, 1.02
	p.Legend.Top = false
	cdfs := make([]plotSeries, 0, len(series))
	for _, s := range series {
		v := append([]float64(nil), s.X...)
		sort.Float64s(v)
		x := make([]float64, 0, len(v)+1)
		y := make([]float64, 0, len(v)+1)
		if len(v) > 0 {
			x = append(x, v[0])
			y = append(y, 0)
		}
		for i, t := range v {
			x = append(x, t)
			y = append(y, float64(i+1)/float64(len(v)))
		}
		cdfs = append(cdfs, plotSeries{Name: s.Name, X: x, Y: y})
	}
	return p, addLines(p, cdfs, true)
}

// recallVsAlertsPlot draws event recall (y) against background alerts per day (x, log scale when it spans decades).
func recallVsAlertsPlot(title string, series []plotSeries) (*plot.Plot, error) {
	minPos, maxX := math.Inf(1), 0.0
	for _, s := range series {
		for _, x := range s.X {
			if x > 0 && !math.IsInf(x, 0) {
				minPos, maxX = min(minPos, x), max(maxX, x)
			}
		}
	}
	xLabel := "background alerts per day"
	logScale := maxX > 0 && maxX/minPos >= 100 // spans decades: a linear axis puts every curve on the y axis
	if logScale {
		floor := minPos / 2
		xLabel += fmt.Sprintf(" (log scale; none drawn at %.2g)", floor)
		clamped := make([]plotSeries, len(series))
		for i, s := range series {
			clamped[i] = s
			clamped[i].X = make([]float64, len(s.X))
			for k, x := range s.X {
				clamped[i].X[k] = max(x, floor)
			}
		}
		series = clamped
	}
	p := newPlot(title, xLabel, "event recall")
	p.Y.Min, p.Y.Max = 0, 1.02
	p.Legend.Top = false
	if logScale {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	return p, addLines(p, series, true)
}

// coveragePlot draws a heat map of recall for each detector (row) and typology
// (column), with the value printed in each cell. NaN cells (no labels of that
// typology) are drawn grey.
func coveragePlot(title string, rows, cols []string, value [][]float64) (*plot.Plot, error) {
	if len(rows) == 0 || len(cols) == 0 {
		return nil, fmt.Errorf("coverage plot: empty matrix (%d detectors × %d typologies)", len(rows), len(cols))
	}
	p := newPlot(title, "", "")
	p.Legend.Top = false
	// Row 0 is drawn at the top: the grid's y index runs upward, so flip it.
	flipped := make([][]float64, len(rows))
	names := make([]string, len(rows))
	for r := range rows {
		flipped[len(rows)-1-r] = rowOf(value, r, len(cols))
		names[len(rows)-1-r] = "   " + rows[r] // leading spaces: gonum measures long labels a little short
	}
	g := coverageGrid{rows: len(rows), cols: len(cols), v: flipped}
	h := plotter.NewHeatMap(g, recallPalette{})
	h.Min, h.Max = 0, 1
	h.NaN = color.Gray{Y: 220}
	p.Add(h)
	cellText, _ := plotter.NewLabels(cellLabels(names, cols, flipped))
	for i := range cellText.TextStyle {
		cellText.TextStyle[i].XAlign = draw.XCenter
		cellText.TextStyle[i].YAlign = draw.YCenter
		cellText.TextStyle[i].Font.Size = vg.Points(8)
		if z := g.Z(i%len(cols), i/len(cols)); !math.IsNaN(z) && z > 0.6 {
			cellText.TextStyle[i].Color = color.White
		}
	}
	p.Add(cellText)
	p.NominalX(cols...)
	p.NominalY(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(cols))-0.5 // whole cells, the last column's too
	p.Y.Min, p.Y.Max = -0.5, float64(len(rows))-0.5
	p.Title.Padding = vg.Points(10)
	p.X.Tick.Label.Rotation = math.Pi / 5
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	return p, nil
}

func rowOf(v [][]float64, r, n int) []float64 {
	out := make([]float64, n)
	for c := range out {
		out[c] = cell(v, r, c)
	}
	return out
}

// recallPalette runs from white (0) to a saturated blue (1) in 21 steps, so
// cells read as "how much is covered".
type recallPalette struct{}

func (recallPalette) Colors() []color.Color {
	cs := make([]color.Color, 21)
	for i := range cs {
		f := float64(i) / float64(len(cs)-1)
		cs[i] = color.RGBA{uint8(255 - f*(255-8)), uint8(255 - f*(255-81)), uint8(255 - f*(255-156)), 255}
	}
	return cs
}

type coverageGrid struct {
	rows, cols int
	v          [][]float64
}

func (g coverageGrid) Dims() (c, r int)   { return g.cols, g.rows }
func (g coverageGrid) X(c int) float64    { return float64(c) }
func (g coverageGrid) Y(r int) float64    { return float64(r) }
func (g coverageGrid) Z(c, r int) float64 { return cell(g.v, r, c) }

func cell(v [][]float64, r, c int) float64 {
	if r < len(v) && c < len(v[r]) {
		return v[r][c]
	}
	return math.NaN()
}

func cellLabels(rows, cols []string, v [][]float64) plotter.XYLabels {
	var l plotter.XYLabels
	for r := range rows {
		for c := range cols {
			z := cell(v, r, c)
			txt := "–"
			if !math.IsNaN(z) {
				txt = fmt.Sprintf("%.2f", z)
			}
			l.XYs = append(l.XYs, plotter.XY{X: float64(c), Y: float64(r)})
			l.Labels = append(l.Labels, txt)
		}
	}
	return l
}

// timelinePlot draws a price series against time (seconds since the replay's
// start), shades the injection windows and marks alerts along the bottom.
func timelinePlot(title string, t, price []float64, windows []window, alerts []marker) (*plot.Plot, error) {
	p := newPlot(title, "time (UTC)", "price")
	p.X.Tick.Marker = plot.TimeTicks{Format: "Jan 2 15:04", Time: plot.UnixTimeIn(time.UTC)}
	p.Y.Tick.Marker = decimalTicks{}
	pts := xys(t, price)
	if len(pts) == 0 {
		return nil, fmt.Errorf("timeline %q: no prices", title)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, q := range pts {
		lo, hi = math.Min(lo, q.Y), math.Max(hi, q.Y)
	}
	pad := (hi - lo) * 0.08
	if pad == 0 {
		pad = math.Max(math.Abs(hi)*0.01, 1)
	}
	lo, hi = lo-pad, hi+pad+(hi-lo)*0.35 // headroom: the legend sits above the price, not on it
	shade := color.NRGBA{R: 230, G: 159, B: 0, A: 70}
	for i, w := range windows {
		end := w.End
		if end <= w.Start {
			end = w.Start + 1
		}
		poly, err := plotter.NewPolygon(plotter.XYs{{X: w.Start, Y: lo}, {X: end, Y: lo}, {X: end, Y: hi}, {X: w.Start, Y: hi}})
		if err != nil {
			return nil, err
		}
		poly.Color = shade
		poly.LineStyle.Width = 0
		poly.LineStyle.Color = color.Transparent
		p.Add(poly)
		if i == 0 {
			p.Legend.Add("injection window", poly)
		}
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	line.Color = color.RGBA{0, 114, 178, 255}
	line.Width = vg.Points(1)
	p.Add(fewBoxesLine{line})
	p.Legend.Add("price", line)
	for _, kind := range []struct {
		matched bool
		name    string
		glyph   draw.GlyphDrawer
		colour  color.Color
	}{{true, "alert that matched a label", draw.CircleGlyph{}, color.RGBA{0, 158, 115, 255}}, {false, "false alert", draw.CrossGlyph{}, color.RGBA{213, 94, 0, 255}}} {
		var ap plotter.XYs
		for _, a := range alerts {
			if a.Matched == kind.matched {
				ap = append(ap, plotter.XY{X: a.T, Y: lo + pad*0.4})
			}
		}
		if len(ap) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(ap)
		if err != nil {
			return nil, err
		}
		sc.Shape, sc.Color, sc.Radius = kind.glyph, kind.colour, vg.Points(3)
		p.Add(fewBoxesScatter{sc})
		p.Legend.Add(kind.name, sc)
	}
	p.Y.Min, p.Y.Max = lo, hi
	return p, nil
}

// decimalTicks labels an axis in plain decimals with the digits its step
// needs (a coin priced in BTC reads 0.0000351, not 3.51e-05).
type decimalTicks struct{}

// Ticks implements plot.Ticker.
func (decimalTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	step := math.Inf(1)
	prev := math.NaN()
	for _, t := range ticks {
		if t.Label != "" {
			if !math.IsNaN(prev) {
				step = math.Min(step, t.Value-prev)
			}
			prev = t.Value
		}
	}
	digits := 0
	if step > 0 && !math.IsInf(step, 0) {
		digits = max(0, int(math.Ceil(-math.Log10(step)+1e-9)))
	}
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', digits, 64)
		}
	}
	return ticks
}
