package binance

import (
	"context"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
)

func TestVerifyRealFeeds(t *testing.T) {
	for _, sym := range []string{"btcusdt", "ethusdt"} {
		t.Run(sym, func(t *testing.T) {
			paths := []string{
				realdata.Path(t, "binance-l2-feed-hftbacktest/spot_"+sym+"_20240808.gz"),
				realdata.Path(t, "binance-l2-feed-hftbacktest/spot_"+sym+"_20240809.gz"),
			}
			rep, err := Verify(context.Background(), paths)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s diffs=%d dropped=%d tickers=%d", rep.Summary(), rep.Diffs, rep.Dropped, rep.Tickers)
			if rep.Mismatched != 0 || rep.Aligned < 500 {
				t.Fatalf("%s %v", rep.Summary(), rep.Examples)
			}
		})
	}
}
