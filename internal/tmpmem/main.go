package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/results"
)

func main() {
	b, _ := os.ReadFile(os.Args[1])
	spec, err := backtest.Parse("x.yaml", b)
	if err != nil {
		panic(err)
	}
	var phase atomic.Int32
	var peak [2]uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			p := phase.Load()
			if ms.HeapInuse > peak[p] {
				peak[p] = ms.HeapInuse
				f, _ := os.Create(fmt.Sprintf("/tmp/heap%d.prof", p))
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
	}()
	out, err := backtest.Run(context.Background(), spec, backtest.Options{SpecName: "x", SpecText: b, ToolVersion: "mem", BatchSize: 4096})
	if err != nil {
		panic(err)
	}
	phase.Store(1)
	if err := results.WriteDir(os.Args[2], out.Contents); err != nil {
		panic(err)
	}
	close(done)
	fmt.Printf("peak heap in use: run %d MB, write %d MB\n", peak[0]>>20, peak[1]>>20)
}
