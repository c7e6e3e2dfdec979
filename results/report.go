package results

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
)

//go:embed templates/report.html.tmpl
var reportTemplate string

// ReportView is everything report.html shows. Build it from a results
// directory with NewReportView; render it with RenderHTML.
type ReportView struct {
	Title      string
	Subtitle   string
	Facts      []Fact // run identity: spec, seed, events, days, ...
	Headline   []Fact // what a reviewer reads first
	Coverage   Matrix
	CoverSVG   template.HTML
	Typologies []TypologyView
	Figures    []FigureView // overall figures (TTD CDF, recall vs alerts/day, timelines)
	Intensity  Matrix       // recall by detector × intensity, at each detector's own typology
	Counts     []Fact       // reconciliation counts: nothing dropped silently
	Failures   []Fact       // failed detector instances and their errors
	Notes      []string
}

// Fact is a labelled value.
type Fact struct {
	Label, Value string
}

// Matrix is a table of fractions with row and column names; NaN cells mean "no data".
type Matrix struct {
	Corner string
	Rows   []string
	Cols   []string
	Values [][]float64
}

// TypologyView is one typology's section: its PR curves and the table of every
// detector instance claiming it, at that instance's best-F1 threshold.
type TypologyView struct {
	Name      string
	Anchor    string
	Labels    int
	PRSVG     template.HTML
	Rows      []InstanceRow
	Threshold []FigureView
}

// InstanceRow is one detector instance's operating point.
type InstanceRow struct {
	Instance     string
	Threshold    string
	Precision    float64
	Recall       float64
	F1           float64
	AP           float64
	TTDP50       string
	TTDP90       string
	AlertsPerDay string
	Alerts       int
	Best         bool
}

// FigureView is one inlined figure.
type FigureView struct {
	Title   string
	Caption string
	SVG     template.HTML
}

var reportFuncs = template.FuncMap{
	"pct": func(v float64) string {
		if math.IsNaN(v) {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", 100*v)
	},
	"num": func(v float64) string {
		if math.IsNaN(v) {
			return "–"
		}
		return fmt.Sprintf("%.3f", v)
	},
	// cellStyle colours a fraction from white (0) to blue (1), with readable text.
	"cellStyle": func(v float64) template.CSS {
		if math.IsNaN(v) {
			return "background:#eee;color:#999"
		}
		f := math.Max(0, math.Min(1, v))
		r, g, b := 255-f*(255-8), 255-f*(255-81), 255-f*(255-156)
		fg := "#111"
		if f > 0.6 {
			fg = "#fff"
		}
		return template.CSS(fmt.Sprintf("background:rgb(%d,%d,%d);color:%s", int(r), int(g), int(b), fg))
	},
	"at": func(m Matrix, r, c int) float64 {
		if r < len(m.Values) && c < len(m.Values[r]) {
			return m.Values[r][c]
		}
		return math.NaN()
	},
	"fontRegular": func() template.URL {
		return template.URL("data:font/ttf;base64," + base64.StdEncoding.EncodeToString(liberationsansregular.TTF))
	},
	"fontBold": func() template.URL {
		return template.URL("data:font/ttf;base64," + base64.StdEncoding.EncodeToString(liberationsansbold.TTF))
	},
}

var reportTmpl = template.Must(template.New("report").Funcs(reportFuncs).Parse(reportTemplate))

// RenderHTML renders the self-contained report: SVG figures inlined, the
// Liberation Sans font embedded, no external resources.
func RenderHTML(v *ReportView) ([]byte, error) {
	var b bytes.Buffer
	if err := reportTmpl.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("report.html: %w", err)
	}
	return b.Bytes(), nil
}

// inlineSVG strips the XML prolog of a rendered SVG so it can sit inside HTML.
func inlineSVG(svg []byte) template.HTML {
	if i := bytes.Index(svg, []byte("<svg")); i > 0 {
		svg = svg[i:]
	}
	return template.HTML(svg)
}

// NewFigureView inlines a rendered figure's SVG for the report.
func NewFigureView(title, caption string, f Figure) FigureView {
	return FigureView{Title: title, Caption: caption, SVG: inlineSVG(f.SVG)}
}
