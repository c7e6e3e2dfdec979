package results

import (
	"bytes"
	"fmt"
	"image"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The plots' text is set in Liberation Sans, the face the report embeds
// once: each SVG names it without carrying it (35 inline SVGs used to embed
// a 500 KB font each, a 20 MB report). A standalone SVG falls back to the
// viewer's sans-serif when the face is not installed.
func init() {
	plot.DefaultFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
	plotter.DefaultFont = plot.DefaultFont // the heat map's cell labels (it copied the serif default at init)
}

// figure is a rendered plot: the same drawing as SVG (naming its font, for
// the self-contained report, which embeds it once) and PNG.
type figure struct {
	Name string // file base name, e.g. "pr_wash_trading"
	SVG  []byte
	PNG  []byte
}

// render draws p at w×h into SVG (naming its font) and PNG at 144 dpi.
func render(name string, p *plot.Plot, w, h vg.Length) (figure, error) {
	return renderStack(name, w, h, p)
}

// renderStack draws plots one above the other, each w×h, their data areas
// aligned (a threshold plot over the alert load at the same thresholds),
// into SVG and PNG. Legends go in a strip right of the plots, each beside
// its own, never over the data: the canvas widens by the strip and the data
// areas keep their size.
func renderStack(name string, w, h vg.Length, ps ...*plot.Plot) (figure, error) {
	f, png, err := renderStackSVG(name, w, h, ps...)
	if err != nil {
		return f, err
	}
	f.PNG, err = png()
	return f, err
}

// renderStackSVG is renderStack's SVG, and a function that draws the same
// plots into the PNG: the report needs the SVG at once, the PNG only as a
// file, so the writer can encode it on another core (it is most of a plot's
// cost). The plots must not change until the PNG is drawn.
func renderStackSVG(name string, w, h vg.Length, ps ...*plot.Plot) (f figure, png func() ([]byte, error), err error) {
	f = figure{Name: name}
	defer func() { // gonum's tickers panic on ranges they cannot divide: fail this plot, not the run
		if r := recover(); r != nil {
			err = fmt.Errorf("render %s: %v", name, r)
		}
	}()
	legs := make([]plot.Legend, len(ps))
	var strip vg.Length
	for i, p := range ps {
		clampAxis(&p.X)
		clampAxis(&p.Y)
		legs[i] = p.Legend
		p.Legend = plot.NewLegend()
		if lw := legs[i].Rectangle(draw.Canvas{}).Size().X; lw > 0 {
			strip = max(strip, lw+vg.Points(14))
		}
		legs[i].Top, legs[i].Left, legs[i].XOffs, legs[i].YOffs = true, true, vg.Points(4), -vg.Points(26)
	}
	n := vg.Length(len(ps))
	dataW := w
	drawAll := func(c draw.Canvas) {
		data := draw.Crop(c, 0, -strip, 0, 0)
		var tiles [][]draw.Canvas
		if len(ps) == 1 {
			tiles = [][]draw.Canvas{{data}}
		} else {
			rows := make([][]*plot.Plot, len(ps))
			for i, p := range ps {
				rows[i] = []*plot.Plot{p}
			}
			tiles = plot.Align(rows, draw.Tiles{Rows: len(ps), Cols: 1}, data)
		}
		for i, p := range ps {
			p.Draw(tiles[i][0])
			if strip > 0 {
				k := vg.Length(i)
				legs[i].Draw(draw.Crop(c, dataW, 0, (n-1-k)*h, -k*h))
			}
		}
	}
	w += strip
	svg := vgsvg.NewWith(vgsvg.UseWH(w, h*n), vgsvg.EmbedFonts(false))
	drawAll(draw.New(svg))
	var sb bytes.Buffer
	if _, err := svg.WriteTo(&sb); err != nil {
		return f, nil, fmt.Errorf("render %s.svg: %w", name, err)
	}
	f.SVG = sb.Bytes()
	png = func() (b []byte, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("render %s.png: %v", name, r)
			}
		}()
		img := vgimg.NewWith(vgimg.UseWH(w, h*n), vgimg.UseDPI(144))
		drawAll(draw.New(img))
		var pb bytes.Buffer
		encode := func() error { return pngEncoder.Encode(&pb, img.Image()) }
		if rgba, ok := img.Image().(*image.RGBA); ok {
			encode = func() error { return encodePNG(&pb, rgba) }
		}
		if err := encode(); err != nil {
			return nil, fmt.Errorf("render %s.png: %w", name, err)
		}
		return pb.Bytes(), nil
	}
	return f, png, nil
}

// axisLimit bounds an axis so that its span stays a finite number: a
// detector's scores may be any finite value (±1e308 made gonum's ticker
// loop forever on an infinite span).
const axisLimit = math.MaxFloat64 / 4

// clampAxis keeps an axis's range finite and ordered.
func clampAxis(a *plot.Axis) {
	if math.IsNaN(a.Min) || math.IsNaN(a.Max) {
		a.Min, a.Max = 0, 1
	}
	a.Min = math.Max(math.Min(a.Min, axisLimit), -axisLimit)
	a.Max = math.Max(math.Min(a.Max, axisLimit), -axisLimit)
	if a.Max < a.Min {
		a.Min, a.Max = a.Max, a.Min
	}
}
