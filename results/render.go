package results

import (
	"bytes"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
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
}

// figure is a rendered plot: the same drawing as SVG (naming its font, for
// the self-contained report, which embeds it once) and PNG.
type figure struct {
	Name string // file base name, e.g. "pr_wash_trading"
	SVG  []byte
	PNG  []byte
}

// render draws p at w×h into SVG (naming its font) and PNG at 144 dpi.
func render(name string, p *plot.Plot, w, h vg.Length) (f figure, err error) {
	f = figure{Name: name}
	clampAxis(&p.X)
	clampAxis(&p.Y)
	defer func() { // gonum's tickers panic on ranges they cannot divide: fail this plot, not the run
		if r := recover(); r != nil {
			err = fmt.Errorf("render %s: %v", name, r)
		}
	}()
	// The legend goes in a strip right of the plot, never over the data:
	// the canvas widens by the strip, the data area keeps its size.
	leg := p.Legend
	p.Legend = plot.NewLegend()
	var strip vg.Length
	if lw := leg.Rectangle(draw.Canvas{}).Size().X; lw > 0 {
		strip = lw + vg.Points(14)
	}
	leg.Top, leg.Left, leg.XOffs, leg.YOffs = true, true, vg.Points(4), -vg.Points(26)
	dataW := w
	drawAll := func(c draw.Canvas) {
		p.Draw(draw.Crop(c, 0, -strip, 0, 0))
		if strip > 0 {
			leg.Draw(draw.Crop(c, dataW, 0, 0, 0))
		}
	}
	w += strip
	svg := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(false))
	drawAll(draw.New(svg))
	var sb bytes.Buffer
	if _, err := svg.WriteTo(&sb); err != nil {
		return f, fmt.Errorf("render %s.svg: %w", name, err)
	}
	f.SVG = sb.Bytes()
	img := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(144))}
	drawAll(draw.New(img))
	var pb bytes.Buffer
	if _, err := img.WriteTo(&pb); err != nil {
		return f, fmt.Errorf("render %s.png: %w", name, err)
	}
	f.PNG = pb.Bytes()
	return f, nil
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
