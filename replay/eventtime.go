package replay

import (
	"fmt"
	"time"
)

// The window every imported event time must fall in: from 1990-01-01 to
// 2100-01-01 UTC. It holds every electronic market history a venue could
// replay and refuses what only a misread unit gives — a millisecond epoch
// read as seconds lands in the year 55,000 (or, multiplied, overflows into
// 2216 or a negative epoch), a seconds-of-day read as an epoch lands in 1970.
var (
	MinEventTime = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	MaxEventTime = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
)

// CheckEventTime returns an error when ns (Unix nanoseconds) lies outside
// [MinEventTime, MaxEventTime).
func CheckEventTime(ns int64) error {
	if ns < MinEventTime || ns >= MaxEventTime {
		return fmt.Errorf("%s is outside the years 1990–2099 an event time may have (a wrong unit?)", time.Unix(0, ns).UTC().Format(time.RFC3339Nano))
	}
	return nil
}
