package results

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// A plot asks each of its plotters for the box of every glyph it draws, to
// pad its axes so that none is clipped, and keeps only the outermost: a
// curve of one point per threshold or a timeline of every alert handed it
// hundreds of thousands of boxes on a long run (29 MB at 60 simulated
// hours). The plotters here give it only the boxes that can be outermost.

// fewBoxesLine is a line whose glyph boxes are only those that can pad.
type fewBoxesLine struct{ *plotter.Line }

// GlyphBoxes implements plot.GlyphBoxer.
func (l fewBoxesLine) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	return outerBoxes(p, l.XYs, 0.5*l.LineStyle.Width)
}

// fewBoxesScatter is a scatter of one glyph style whose glyph boxes are only
// those that can pad.
type fewBoxesScatter struct{ *plotter.Scatter }

// GlyphBoxes implements plot.GlyphBoxer.
func (s fewBoxesScatter) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	if s.GlyphStyleFunc != nil {
		return s.Scatter.GlyphBoxes(p)
	}
	return outerBoxes(p, s.XYs, s.GlyphStyle.Radius)
}

// outerBoxTolerance is how near (in the axes' normalised units) a glyph must
// be to the outermost to be kept: the plot compares positions on the
// canvas, where two normalised positions a rounding apart may tie and the
// first in order wins, so every box that could tie is kept, in order.
const outerBoxTolerance = 1e-9

// outerBoxes is, of the boxes of radius r at pts, those the plot's padding
// can pick: within the axes (the plot drops the others), at or within a
// rounding of the leftmost, rightmost, lowest or highest, in their order.
// Every box has the same size, so which pads depends on position alone.
func outerBoxes(p *plot.Plot, pts plotter.XYs, r vg.Length) []plot.GlyphBox {
	if r <= 0 {
		return nil // a box without size never pads
	}
	inside := func(x, y float64) bool { return x >= 0 && x <= 1 && y >= 0 && y <= 1 }
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, q := range pts {
		x, y := p.X.Norm(q.X), p.Y.Norm(q.Y)
		if !inside(x, y) {
			continue
		}
		minX, maxX = min(minX, x), max(maxX, x)
		minY, maxY = min(minY, y), max(maxY, y)
	}
	near := func(v, edge float64) bool { return math.Abs(v-edge) <= outerBoxTolerance }
	rect := vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}}
	var out []plot.GlyphBox
	for _, q := range pts {
		x, y := p.X.Norm(q.X), p.Y.Norm(q.Y)
		if inside(x, y) && (near(x, minX) || near(x, maxX) || near(y, minY) || near(y, maxY)) {
			out = append(out, plot.GlyphBox{X: x, Y: y, Rectangle: rect})
		}
	}
	return out
}
