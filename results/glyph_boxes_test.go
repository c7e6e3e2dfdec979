package results

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// TestFewBoxesPadAlike: a plot of lines and scatters draws the same SVG
// whether they give it every glyph box or only the outer ones — points tied
// at the edges, points outside fixed axes, a single point, thick lines.
func TestFewBoxesPadAlike(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 40; trial++ {
		n := 1 + r.IntN(300)
		pts := make(plotter.XYs, n)
		for i := range pts {
			pts[i] = plotter.XY{X: float64(r.IntN(50)), Y: float64(r.IntN(20))}
			if r.IntN(10) == 0 { // ties at the extremes
				pts[i].X = 0
			}
		}
		marks := make(plotter.XYs, 1+r.IntN(200))
		for i := range marks {
			marks[i] = plotter.XY{X: float64(r.IntN(60)) - 5, Y: float64(r.IntN(24)) - 2}
		}
		fixed := trial%3 == 0 // axes that leave some glyphs outside
		draw1 := func(few bool) []byte {
			p := plot.New()
			l, _ := plotter.NewLine(pts)
			l.Width = vg.Points(float64(1 + trial%4))
			sc, _ := plotter.NewScatter(marks)
			sc.Radius = vg.Points(float64(2 + trial%5))
			if few {
				p.Add(fewBoxesLine{l}, fewBoxesScatter{sc})
			} else {
				p.Add(l, sc)
			}
			if fixed {
				p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 40, 0, 15
			}
			c := vgsvg.New(4*vg.Inch, 3*vg.Inch)
			p.Draw(draw.New(c))
			var b bytes.Buffer
			if _, err := c.WriteTo(&b); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}
		if !bytes.Equal(draw1(false), draw1(true)) {
			t.Fatalf("trial %d: the plot drawn with the outer glyph boxes differs from the one with all of them", trial)
		}
	}
}
