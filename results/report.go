package results

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"strings"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
)

//go:embed templates/report.html.tmpl
var reportTemplate string

// reportView is everything report.html shows. Build it from a results
// directory with NewReportView; render it with RenderHTML.
type reportView struct {
	Title      string
	Subtitle   string
	Facts      []fact // run identity: spec, seed, events, days, ...
	Headline   []fact // what a reviewer reads first
	Coverage   matrix
	CoverSVG   template.HTML
	Typologies []typologyView
	Figures    []figureView // overall figures (TTD CDF, recall vs alerts/day, timelines)
	Intensity  matrix       // recall by detector × intensity, at each detector's own typology
	Load       []loadRow    // every instance's alert load on this background
	Counts     []fact       // reconciliation counts: nothing dropped silently
	Failures   []fact       // failed detector instances and their errors
	Notes      []string
	Cases      []caseGroup // each instance's case files: its false alerts at the operating point, its top alerts
	Review     *reviewView // analysts' dispositions, once a review is exported
}

// reviewView is the report's review section.
type reviewView struct {
	Plan         string
	Dispositions int
	Rows         []reviewRow
}

// reviewRow is one instance's reviewed figures beside its label-based
// precision.
type reviewRow struct {
	Instance, Typology string
	AboveLine          int
	ReviewedAbove      int
	TP, FP, Escalated  int
	ReviewedPrecision  string
	LabelPrecision     string
	BelowLine, Sampled int
	SampledReviewed    int
	Missed             string
}

// loadRow is one instance's alert load: what it would send analysts on this
// background, labelled or not.
type loadRow struct {
	Instance, Typology string
	Candidates         int    // every alert it raised
	PerInstrumentDay   string // false alerts (not matched to a label of its typology) per instrument-day, every alert kept
	Shipped            string // false alerts per instrument-day at its operating point, or "–"
	Note               string // not evaluable, no labels
}

// fact is a labelled value.
type fact struct {
	Label, Value string
}

// matrix is a table of fractions with row and column names; NaN cells mean "no data".
type matrix struct {
	Corner string
	Rows   []string
	Cols   []string
	Values [][]float64
	Counts [][]string // "detected/labels" beside each value ("" for none)
}

// typologyView is one typology's section: its PR curves and the table of every
// detector instance claiming it, at that instance's best-F1 threshold.
type typologyView struct {
	Name      string
	Anchor    string
	Labels    int
	PRSVG     template.HTML
	Rows      []instanceRow
	Threshold []figureView
	Controls  []thresholdControl
}

// thresholdControl is an instance's interactive threshold: a slider over
// its sweep's points that shows the recall, precision and background
// alerts a day at each, the capacity beside them.
type thresholdControl struct {
	ID       string // element id
	Instance string
	// Points is the sweep as JSON rows [threshold, recall, precision,
	// alerts per day, detected, alerts] (at most controlPoints of them,
	// evenly spaced, the shipped one included), highest threshold first.
	Points   template.JS
	Start    int     // the slider's starting point: the shipped (or best-F1) threshold
	Capacity float64 // background alerts a day an analyst team can review (0: none)
	Labels   int
}

// instanceRow is one detector instance's operating point.
type instanceRow struct {
	Instance     string
	Threshold    string // and how it was chosen
	Measured     string // on what the metrics were measured: in-sample, held out, cross-validated
	Precision    string // with its count and interval
	Recall       string
	F1           float64
	F1Text       string
	AP           float64
	TTDP50       string
	TTDP90       string
	AlertsPerDay string
	OverCapacity bool // its background alerts a day exceed the analyst capacity
	Alerts       int
	Best         bool
}

// figureView is one inlined figure.
type figureView struct {
	Title   string
	Caption string
	SVG     template.HTML
}

var reportFuncs = template.FuncMap{
	// brk lets a long identifier (an instance id, a typology) wrap after
	// its separators, so that wide tables fit their card.
	"brk": func(s string) template.HTML {
		var b strings.Builder
		for _, r := range s {
			b.WriteString(template.HTMLEscapeString(string(r)))
			if strings.ContainsRune("_@+,{=", r) {
				b.WriteString("<wbr>")
			}
		}
		return template.HTML(b.String())
	},
	"caseFalseMax":  func() int { return caseFalseMax },
	"caseTopAlerts": func() int { return caseTopAlerts },
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
	"count": func(m matrix, r, c int) string {
		if r < len(m.Counts) && c < len(m.Counts[r]) {
			return m.Counts[r][c]
		}
		return ""
	},
	"at": func(m matrix, r, c int) float64 {
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

// renderHTML renders the self-contained report: SVG figures inlined, the
// Liberation Sans font embedded, no external resources.
func renderHTML(v *reportView) ([]byte, error) {
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

// newFigureView inlines a rendered figure's SVG for the report.
func newFigureView(title, caption string, f figure) figureView {
	return figureView{Title: title, Caption: caption, SVG: inlineSVG(f.SVG)}
}
