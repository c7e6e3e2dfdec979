package scenarios

import (
	"context"
	"math"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/replay/lobster"
)

// TestFactsOfTheRealGOOGDay computes the stylized facts of a real market and
// checks the ones that are known without tapetest: heavy tails at 1 s, a
// positive autocorrelation of absolute returns (volatility clustering), a
// negative one of returns (bid-ask bounce), and GOOG's round-lot order sizes.
func TestFactsOfTheRealGOOGDay(t *testing.T) {
	src, err := lobster.NewSource(realdata.Path(t, "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"), lobster.SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f, err := MeasureFacts(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *f)
	if f.Events != 147916 || f.Kurtosis1s < 10 || f.ACFAbsReturn1s <= 0 || f.ACFReturn1s >= 0 || f.SizeMedian != 100 || math.IsNaN(f.InterArrivalCV) {
		t.Fatalf("facts %+v", *f)
	}
}
