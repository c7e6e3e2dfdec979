package results

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/scoring"
)

// Table file names inside a results directory.
const (
	AlertsFile    = "alerts.parquet"
	AlertsCSVFile = "alerts.csv" // the alerts with their ids, for a case-management tool
	LabelsFile    = "labels.parquet"
	MetricsFile   = "metrics.parquet"
	SweepFile     = "sweep.parquet"
)

// alertRow is one row of alerts.parquet.
type alertRow struct {
	ID       string   `parquet:"id"` // AlertIDs: stable across re-runs
	Instance string   `parquet:"instance,dict"`
	Typology string   `parquet:"typology,dict"`
	Symbol   string   `parquet:"symbol,dict"`
	RaisedAt int64    `parquet:"raised_at,timestamp(nanosecond:utc)"`
	Start    int64    `parquet:"start,timestamp(nanosecond:utc)"`
	End      int64    `parquet:"end,timestamp(nanosecond:utc)"`
	Accounts []uint64 `parquet:"accounts,list"`
	Score    float64  `parquet:"score"`
	Evidence string   `parquet:"evidence"`
	Labels   []string `parquet:"matched_labels,list"` // ids of the labels this alert matches (own typology)
}

// labelRow is one row of labels.parquet.
type labelRow struct {
	ID            string   `parquet:"id"`
	Typology      string   `parquet:"typology,dict"`
	Symbol        string   `parquet:"symbol,dict"`
	Start         int64    `parquet:"start,timestamp(nanosecond:utc)"`
	End           int64    `parquet:"end,timestamp(nanosecond:utc)"`
	Accounts      []uint64 `parquet:"accounts,list"`
	Intensity     string   `parquet:"intensity,dict"`
	Params        string   `parquet:"params,json"`
	InsuranceLoss int64    `parquet:"insurance_loss"`
}

// metricsRow is one row of metrics.parquet: an instance × typology at one threshold.
type metricsRow struct {
	Instance        string  `parquet:"instance,dict"`
	Typology        string  `parquet:"typology,dict"`
	Point           string  `parquet:"point,dict"` // "all_alerts" or "best_f1"
	Threshold       float64 `parquet:"threshold"`
	Labels          int64   `parquet:"labels"`
	Detected        int64   `parquet:"detected"`
	Alerts          int64   `parquet:"alerts"`
	MatchedAlerts   int64   `parquet:"matched_alerts"`
	BackgroundAlert int64   `parquet:"background_alerts"`
	Recall          float64 `parquet:"recall"`
	Precision       float64 `parquet:"precision"`
	F1              float64 `parquet:"f1"`
	TTDP50          float64 `parquet:"ttd_p50_s"`
	TTDP90          float64 `parquet:"ttd_p90_s"`
	AlertsPerEvent  float64 `parquet:"alerts_per_detected_event"`
	AlertsPerDay    float64 `parquet:"background_alerts_per_day"`
	AccountPrec     float64 `parquet:"account_precision"`
	AccountRecall   float64 `parquet:"account_recall"`
	RangePrecision  float64 `parquet:"range_precision"`
	RangeRecall     float64 `parquet:"range_recall"`
	AP              float64 `parquet:"average_precision"`
	EventAP         float64 `parquet:"event_average_precision"`
}

// sweepRow is one row of sweep.parquet.
type sweepRow struct {
	Instance      string  `parquet:"instance,dict"`
	Typology      string  `parquet:"typology,dict"`
	Threshold     float64 `parquet:"threshold"`
	Alerts        int64   `parquet:"alerts"`
	MatchedAlerts int64   `parquet:"matched_alerts"`
	Detected      int64   `parquet:"detected"`
	Precision     float64 `parquet:"precision"`
	Recall        float64 `parquet:"recall"`
	F1            float64 `parquet:"f1"`
	AlertsPerDay  float64 `parquet:"background_alerts_per_day"`
	TTDP50        float64 `parquet:"ttd_p50_s"`
}

// writeTable writes rows as a zstd Parquet file through a temporary name.
func writeTable[T any](path string, rows []T) error {
	return WriteAtomic(path, func(w io.Writer) error {
		pw := newTableWriter[T](w)
		if len(rows) > 0 {
			if _, err := pw.Write(rows); err != nil {
				return err
			}
		}
		return pw.Close()
	})
}

// newTableWriter is a results table's Parquet writer: zstd, row groups of
// tableRowGroup rows, and the results version in the file's created_by.
func newTableWriter[T any](w io.Writer) *parquet.GenericWriter[T] {
	return parquet.NewGenericWriter[T](w, parquet.Compression(tableCodec), parquet.MaxRowsPerRowGroup(tableRowGroup),
		parquet.CreatedBy("tapetest", "results-"+fmt.Sprint(ResultsVersion), ""))
}

// tableRowGroup is how many rows make a row group of a results table: a
// long run's table is written without holding all its rows' columns.
const tableRowGroup = 65536

// tableCodec compresses every table: one codec, so that its pool of zstd
// encoders (each with a window of several MB) serves the tables one after
// another instead of each table building its own.
var tableCodec = &zstdTableCodec{}

// writeAlerts writes alerts.parquet and alerts.csv; matched maps an alert
// index to the ids of the labels it matches (may be nil). Both stream: the
// alerts are turned into rows a chunk at a time, and the Parquet table
// takes a row group every tableRowGroup rows, so that writing holds no
// second copy of a long run's alerts.
func writeAlerts(dir string, alerts []detectors.Alert, ids *alertIDs, matched map[int][]string) error {
	chunks := func(each func(rows []alertRow) error) error {
		rows := make([]alertRow, 0, min(len(alerts), alertChunk))
		for from := 0; from < len(alerts); from += alertChunk {
			rows = rows[:0]
			for i := from; i < min(from+alertChunk, len(alerts)); i++ {
				a := &alerts[i]
				rows = append(rows, alertRow{ID: ids.at(i), Instance: a.Instance, Typology: string(a.Typology), Symbol: a.Symbol, RaisedAt: a.RaisedAt, Start: a.Start, End: a.End,
					Accounts: a.Accounts, Score: a.Score, Evidence: a.Evidence, Labels: matched[i]})
			}
			if err := each(rows); err != nil {
				return err
			}
		}
		return nil
	}
	err := WriteAtomic(filepath.Join(dir, AlertsFile), func(w io.Writer) error {
		pw := newTableWriter[alertRow](w)
		err := chunks(func(rows []alertRow) error {
			_, err := pw.Write(rows)
			return err
		})
		if err != nil {
			return err
		}
		return pw.Close()
	})
	if err != nil {
		return err
	}
	return WriteAtomic(filepath.Join(dir, AlertsCSVFile), func(f io.Writer) error {
		bw := bufio.NewWriterSize(f, 1<<16)
		w := csv.NewWriter(bw)
		w.Write([]string{"id", "instance", "typology", "symbol", "raised_at", "start", "end", "score", "accounts", "matched_labels", "evidence"})
		ts := func(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }
		err := chunks(func(rows []alertRow) error {
			for _, r := range rows {
				accts := make([]string, len(r.Accounts))
				for i, a := range r.Accounts {
					accts[i] = strconv.FormatUint(a, 10)
				}
				w.Write([]string{r.ID, r.Instance, r.Typology, r.Symbol, ts(r.RaisedAt), ts(r.Start), ts(r.End), strconv.FormatFloat(r.Score, 'g', -1, 64),
					strings.Join(accts, " "), strings.Join(r.Labels, " "), r.Evidence})
			}
			return w.Error()
		})
		if err != nil {
			return fmt.Errorf("%s: %w", AlertsCSVFile, err)
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return fmt.Errorf("%s: %w", AlertsCSVFile, err)
		}
		return bw.Flush()
	})
}

// alertChunk is how many alerts writeAlerts turns into rows at a time.
const alertChunk = 4096

// WriteLabels writes labels.parquet.
func WriteLabels(dir string, lbls []labels.Label) error {
	rows := make([]labelRow, len(lbls))
	for i, l := range lbls {
		params := l.Params
		if params == "" {
			params = "{}"
		}
		if !json.Valid([]byte(params)) {
			return fmt.Errorf("label %s: params are not JSON: %q", l.ID, params)
		}
		rows[i] = labelRow{ID: l.ID, Typology: string(l.Typology), Symbol: l.Symbol, Start: l.Start, End: l.End, Accounts: l.Accounts,
			Intensity: string(l.Intensity), Params: params, InsuranceLoss: l.InsuranceLoss}
	}
	return writeTable(filepath.Join(dir, LabelsFile), rows)
}

// metricsAt is a named operating point of an instance on a typology.
type metricsAt struct {
	Point   string // "all_alerts", "best_f1", ...
	Metrics scoring.Metrics
}

// writeMetrics writes metrics.parquet.
func writeMetrics(dir string, ms []metricsAt) error {
	rows := make([]metricsRow, len(ms))
	for i, x := range ms {
		m := x.Metrics
		rows[i] = metricsRow{Instance: m.Instance, Typology: string(m.Typology), Point: x.Point, Threshold: finite(m.Threshold),
			Labels: int64(m.Labels), Detected: int64(m.Detected), Alerts: int64(m.Alerts), MatchedAlerts: int64(m.MatchedAlerts), BackgroundAlert: int64(m.BackgroundAlert),
			Recall: m.Recall, Precision: m.Precision, F1: m.F1, TTDP50: m.TTDP50, TTDP90: m.TTDP90, AlertsPerEvent: m.AlertsPerEvent, AlertsPerDay: m.AlertsPerDay,
			AccountPrec: m.AccountPrec, AccountRecall: m.AccountRecall, RangePrecision: m.RangePrecision, RangeRecall: m.RangeRecall, AP: m.AP, EventAP: m.EventAP}
	}
	return writeTable(filepath.Join(dir, MetricsFile), rows)
}

// writeSweeps writes sweep.parquet: one row per instance × typology × distinct score.
func writeSweeps(dir string, sweeps []scoring.Sweep) error {
	var rows []sweepRow
	for _, s := range sweeps {
		for _, p := range s.Points {
			rows = append(rows, sweepRow{Instance: s.Instance, Typology: string(s.Typology), Threshold: p.Threshold, Alerts: int64(p.Alerts),
				MatchedAlerts: int64(p.MatchedAlerts), Detected: int64(p.Detected), Precision: p.Precision, Recall: p.Recall, F1: p.F1,
				AlertsPerDay: p.AlertsPerDay, TTDP50: p.TTDP50})
		}
	}
	return writeTable(filepath.Join(dir, SweepFile), rows)
}

// finite maps ±Inf (an "all alerts" threshold) to the float64 extremes, which
// Parquet readers display plainly.
func finite(v float64) float64 {
	switch {
	case math.IsInf(v, 1):
		return math.MaxFloat64
	case math.IsInf(v, -1):
		return -math.MaxFloat64
	}
	return v
}
