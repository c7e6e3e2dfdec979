package results

import (
	"bytes"
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// figure is a rendered plot: the same drawing as SVG (fonts embedded, for the
// self-contained report) and PNG.
type figure struct {
	Name string // file base name, e.g. "pr_wash_trading"
	SVG  []byte
	PNG  []byte
}

// render draws p at w×h into SVG (with fonts embedded) and PNG at 144 dpi.
func render(name string, p *plot.Plot, w, h vg.Length) (figure, error) {
	f := figure{Name: name}
	svg := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(true))
	p.Draw(draw.New(svg))
	var sb bytes.Buffer
	if _, err := svg.WriteTo(&sb); err != nil {
		return f, fmt.Errorf("render %s.svg: %w", name, err)
	}
	f.SVG = sb.Bytes()
	img := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(144))}
	p.Draw(draw.New(img))
	var pb bytes.Buffer
	if _, err := img.WriteTo(&pb); err != nil {
		return f, fmt.Errorf("render %s.png: %w", name, err)
	}
	f.PNG = pb.Bytes()
	return f, nil
}
