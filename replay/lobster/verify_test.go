package lobster

import (
	"context"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
)

func TestVerifyRealLOBSTER(t *testing.T) {
	cases := []struct{ msg, book string }{
		{"lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz", "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz"},
		{"lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_5.csv.gz", "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_orderbook_5.csv.gz"},
		{"lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_1.csv.gz", "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_orderbook_1.csv.gz"},
		{"lobster-aapl-l10-head/AAPL_2012-06-21_34200000_57600000_message_10.csv", "lobster-aapl-l10-head/AAPL_2012-06-21_34200000_57600000_orderbook_10.csv"},
		{"lobster-aapl-l1-full-day/AAPL_2012-06-21_34200000_57600000_message_1.csv.gz", "lobster-aapl-l1-full-day/AAPL_2012-06-21_34200000_57600000_orderbook_1.csv.gz"},
	}
	for _, c := range cases {
		t.Run(c.msg, func(t *testing.T) {
			rep, err := Verify(context.Background(), realdata.Path(t, c.msg), realdata.Path(t, c.book), VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s counts=%v", rep.Summary(), rep.Counts)
			if rep.Unexplained != 0 {
				t.Errorf("unexplained mismatches: %s\n%v", rep.Summary(), rep.Examples)
			}
		})
	}
}
