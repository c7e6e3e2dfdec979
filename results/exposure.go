package results

import (
	"fmt"
	"strconv"
	"time"
)

// Exposure is the time a run's data covers: the denominator of every rate of
// false alerts. It used to be the wall-clock span of the inputs — 704 days
// for 27 pump episodes that cover about 108 coin-days.
type Exposure struct {
	// CoveredDays is the time at least one instrument was covered (the
	// universe's days): background alerts per day divide by it.
	CoveredDays float64 `json:"covered_days"`
	// InstrumentDays is the covered time summed over instruments: false
	// alerts per instrument-day divide by it.
	InstrumentDays float64 `json:"instrument_days"`
	// MaxGap is the longest stretch without events that still counts as
	// covered (a Go duration).
	MaxGap      string               `json:"max_gap"`
	Instruments []InstrumentExposure `json:"instruments"`
}

// InstrumentExposure is one instrument's covered time.
type InstrumentExposure struct {
	Symbol    string  `json:"symbol"`
	Days      float64 `json:"days"`
	Stretches int     `json:"stretches"` // covered stretches (gaps longer than MaxGap split them)
}

// coveredText says what the run's data covers, for headers: the covered
// days, the instrument-days and the span they lie in.
func coveredText(c *Contents) string {
	span := float64(c.End-c.Start) / float64(24*time.Hour)
	ex := c.Exposure
	if ex.MaxGap == "" { // a directory written before exposure was measured
		return fmt.Sprintf("%s days replayed", days(c.Options.Days))
	}
	return fmt.Sprintf("data covers %s days (%s instrument-days over %d instruments; gaps over %s excluded) within a %s-day span",
		days(ex.CoveredDays), days(ex.InstrumentDays), len(ex.Instruments), ex.MaxGap, days(span))
}

// days prints a number of days with the precision it needs.
func days(d float64) string {
	switch {
	case d >= 10:
		return strconv.FormatFloat(d, 'f', 1, 64)
	case d >= 0.1:
		return strconv.FormatFloat(d, 'f', 2, 64)
	}
	return strconv.FormatFloat(d, 'g', 3, 64)
}
