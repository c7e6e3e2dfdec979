package backtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
)

// BenchmarkDefaultSuiteMemory runs the default suite at its six hours and
// at ten times that, and reports per run the peak heap while running and
// while writing the results directory, the process's peak RSS (Linux:
// VmHWM, reset before the run) and the alerts: memory flat in duration
// would give the same peaks at both lengths (#20; BENCHMARKS.md).
//
//	go test -run '^$' -bench DefaultSuiteMemory -benchtime 1x ./backtest
func BenchmarkDefaultSuiteMemory(b *testing.B) {
	for _, hours := range []int{6, 60} {
		b.Run(fmt.Sprintf("hours=%d", hours), func(b *testing.B) {
			text := string(scenarios.DefaultSpecText())
			if !strings.Contains(text, "\nduration: 6h\n") {
				b.Fatal("the default suite no longer says duration: 6h")
			}
			text = strings.Replace(text, "\nduration: 6h\n", fmt.Sprintf("\nduration: %dh\n", hours), 1)
			spec, err := Parse("default.yaml", []byte(text))
			if err != nil {
				b.Fatal(err)
			}
			var runPeak, writePeak, rss, alerts, held, alertBytes uint64
			rssKnown := true
			for i := 0; i < b.N; i++ {
				runtime.GC()
				debug.FreeOSMemory()
				rssKnown = resetPeakRSS() && rssKnown
				before := heapAlloc()
				s := startHeapSampler()
				out, err := Run(context.Background(), spec, Options{SpecName: "default", SpecText: []byte(text), ToolVersion: "bench", BatchSize: 4096})
				if err != nil {
					b.Fatal(err)
				}
				runPeak = max(runPeak, s.next())
				after := heapAlloc() // what the run's outcome holds, collected: its alerts and the rest
				held = max(held, after-min(before, after))
				alertBytes = max(alertBytes, alertsSize(out.Contents.Alerts))
				if err := results.WriteDir(filepath.Join(b.TempDir(), "out"), out.Contents); err != nil {
					b.Fatal(err)
				}
				writePeak = max(writePeak, s.stop())
				rss = max(rss, peakRSS())
				alerts = uint64(len(out.Contents.Alerts))
				out.Close()
			}
			b.ReportMetric(float64(runPeak)/(1<<20), "run-heap-MB")
			b.ReportMetric(float64(writePeak)/(1<<20), "write-heap-MB")
			if rssKnown && rss > 0 { // not where the peak cannot be reset: it would be an earlier run's
				b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
			}
			b.ReportMetric(float64(alerts), "alerts")
			b.ReportMetric(float64(held)/(1<<20), "held-MB")
			b.ReportMetric(float64(alertBytes)/(1<<20), "alerts-MB")
		})
	}
}

// heapAlloc is the heap's allocated bytes after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// alertsSize is the memory the alerts take, by their sizes: the slice's
// structs, each alert's accounts and each evidence text once (the
// consumers keep one copy of a text an instance repeats; the instance and
// symbol names are shared). Held-MB less it is what the run's outcome
// holds besides its alerts.
func alertsSize(alerts []detectors.Alert) uint64 {
	n := uint64(cap(alerts)) * uint64(unsafe.Sizeof(detectors.Alert{}))
	texts := map[*byte]bool{}
	for i := range alerts {
		n += 8 * uint64(cap(alerts[i].Accounts))
		if e := alerts[i].Evidence; e != "" && !texts[unsafe.StringData(e)] {
			texts[unsafe.StringData(e)] = true
			n += uint64(len(e))
		}
	}
	return n
}

// heapSampler notes the largest HeapInuse it sees, every 10 ms, in
// phases: next ends one and starts the next (a reading belongs to the
// phase it was taken in: both hold the lock).
type heapSampler struct {
	mu   sync.Mutex
	peak uint64
	done chan struct{}
	wg   sync.WaitGroup
}

func startHeapSampler() *heapSampler {
	s := &heapSampler{done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			s.sample(false)
			select {
			case <-s.done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return s
}

// sample notes the heap now and returns the phase's peak; a new phase
// starts after it when next.
func (s *heapSampler) sample(next bool) uint64 {
	var ms runtime.MemStats
	s.mu.Lock()
	defer s.mu.Unlock()
	runtime.ReadMemStats(&ms)
	p := max(s.peak, ms.HeapInuse)
	s.peak = p
	if next {
		s.peak = 0
	}
	return p
}

// next returns the peak of the phase that ends and starts the next.
func (s *heapSampler) next() uint64 { return s.sample(true) }

// stop ends the sampling and returns the last phase's peak.
func (s *heapSampler) stop() uint64 {
	close(s.done)
	s.wg.Wait()
	return s.sample(false)
}

// resetPeakRSS starts the process's peak RSS again from its current RSS
// and reports whether it could (Linux, where /proc/self/clear_refs may be
// written).
func resetPeakRSS() bool { return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil }

// peakRSS is the process's peak RSS since the last reset (Linux's VmHWM);
// 0 where it cannot be read.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			f := strings.Fields(string(v))
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseUint(f[0], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}
