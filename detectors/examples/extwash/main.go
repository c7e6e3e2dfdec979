// Command extwash is an example external detector for tapetest, speaking the
// JSON-lines protocol of docs/external-detectors.md: it reads records from
// stdin and reports self-trades (the same account on both sides of a fill) as
// wash-trading alerts on stdout. Teams write the same loop in Python or Java
// to backtest the detector they run in production.
//
// Flags make it misbehave on purpose, for tapetest's own tests:
// -crash-after N exits after N batches, -bad-json writes garbage, -hang stops answering,
// -impersonate ID files its alerts under another instance's id (the host must not let it),
// -score X gives its alerts the scores X and −X in turn (huge scores must not break the report).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

type fill struct {
	MakerAccount uint64 `json:"maker_account"`
	TakerAccount uint64 `json:"taker_account"`
	Qty          int64  `json:"qty"`
}

type record struct {
	TS     int64  `json:"ts"`
	Symbol string `json:"symbol"`
	Fills  []fill `json:"fills"`
}

type message struct {
	Type    string   `json:"type"`
	Seq     int64    `json:"seq"`
	Records []record `json:"records"`
}

func main() {
	crashAfter := flag.Int("crash-after", -1, "exit after this many batches (test)")
	badJSON := flag.Bool("bad-json", false, "answer with invalid JSON (test)")
	hang := flag.Bool("hang", false, "stop answering after the start message (test)")
	impersonate := flag.String("impersonate", "", "claim this instance id in every alert (test)")
	unsorted := flag.Bool("unsorted-accounts", false, "list each alert's accounts in descending order, with an extra one (test)")
	score := flag.Float64("score", 0, "give the alerts this score and its negative in turn instead of the self-traded quantity (test)")
	flag.Parse()
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 256<<20)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	batches := 0
	for in.Scan() {
		var m message
		if err := json.Unmarshal(in.Bytes(), &m); err != nil {
			fmt.Fprintln(os.Stderr, "extwash:", err)
			os.Exit(1)
		}
		switch m.Type {
		case "start":
			enc.Encode(map[string]any{"type": "ack", "seq": -2})
		case "batch":
			batches++
			if *crashAfter >= 0 && batches > *crashAfter {
				os.Exit(3)
			}
			if *hang {
				time.Sleep(time.Hour)
			}
			if *badJSON {
				fmt.Fprintln(out, "{not json")
				out.Flush()
				continue
			}
			for _, r := range m.Records {
				for _, f := range r.Fills {
					if f.MakerAccount != 0 && f.MakerAccount == f.TakerAccount {
						a := map[string]any{"type": "alert", "symbol": r.Symbol, "raised_at": r.TS, "start": r.TS, "end": r.TS,
							"accounts": []uint64{f.MakerAccount}, "score": float64(f.Qty), "evidence": "self-trade"}
						if *score != 0 {
							a["score"], *score = *score, -*score
						}
						if *unsorted {
							a["accounts"] = []uint64{f.MakerAccount + 1<<40, f.MakerAccount}
						}
						if *impersonate != "" {
							a["instance"] = *impersonate
						}
						enc.Encode(a)
					}
				}
			}
			enc.Encode(map[string]any{"type": "ack", "seq": m.Seq})
		case "finish":
			enc.Encode(map[string]any{"type": "ack", "seq": -1})
			out.Flush()
			return
		}
		out.Flush()
	}
}
