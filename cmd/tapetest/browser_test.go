package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/tapetest/tapetest/results"
)

// chromium finds a Chromium to drive: $TAPETEST_CHROMIUM, else one on the
// PATH. Without one the browser tests skip, unless
// TAPETEST_REQUIRE_BROWSER=1 (set by .ci/run, which installs Debian's
// chromium) makes that a failure.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TAPETEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("TAPETEST_REQUIRE_BROWSER") == "1" {
		t.Fatal("no Chromium found and TAPETEST_REQUIRE_BROWSER=1 (install Debian's chromium, or set TAPETEST_CHROMIUM)")
	}
	t.Skip("no Chromium found (set TAPETEST_CHROMIUM, or install chromium)")
	return ""
}

// browser is a headless Chromium at a viewport width, recording console
// errors, uncaught exceptions and every request that is not the page's own
// file or an inline data: URL.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	errors   []string
	requests []string
}

func newBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.NoFirstRun,
		chromedp.WindowSize(width, height))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil { // start the browser, with no timeout on its first context
		t.Fatal(err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, fmt.Sprint(a.Value)+a.Description)
				}
				b.errors = append(b.errors, "console: "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.errors = append(b.errors, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		case *network.EventRequestWillBeSent:
			if u := ev.Request.URL; !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "about:") {
				b.requests = append(b.requests, u)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *browser) check(t *testing.T, page string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("%s: %s", page, e)
	}
	for _, r := range b.requests {
		t.Errorf("%s requested %s: a report must work offline", page, r)
	}
}

// overflowJS lists what sticks out horizontally: the page wider than the
// window, or a table or figure wider than the card it sits in.
const overflowJS = `(() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) {
    let widest = null;
    document.querySelectorAll("body *").forEach(el => {
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 1 && (!widest || r.right > widest.r)) widest = {r: r.right, el: el};
    });
    out.push("page " + doc.scrollWidth + "px wide in a " + window.innerWidth + "px window" + (widest ? ": widest " + widest.el.tagName.toLowerCase() + "." + widest.el.className + " in '" + ((widest.el.closest("section") || document.body).querySelector("h2, h1") || {textContent: "?"}).textContent + "' to " + Math.round(widest.r) + "px" : ""));
  }
  document.querySelectorAll("section table, section svg, section .control").forEach(el => {
    const card = el.closest("section").getBoundingClientRect();
    const r = el.getBoundingClientRect();
    if (r.right > card.right + 1 || r.left < card.left - 1) {
      const head = el.closest("section").querySelector("h2");
      out.push(el.tagName.toLowerCase() + " in '" + (head ? head.textContent : "?") + "' spans " + Math.round(r.left) + "–" + Math.round(r.right) + "px, its card " + Math.round(card.left) + "–" + Math.round(card.right) + "px");
    }
  });
  return out;
})()`

// TestReportInChromium drives headless Chromium over the default suite's
// report at 1280 px: under 3 MB, no console error or exception, no network
// request, nothing wider than its card, and moving a threshold control
// (by keyboard, as a user would) changes the recall it shows. A case file
// and the review section pass the same checks.
func TestReportInChromium(t *testing.T) {
	chromium(t)
	dir := filepath.Join(t.TempDir(), "out")
	if code, _, errs := runCLI("run", "-o", dir); code != 0 {
		t.Fatalf("run exited %d: %s", code, errs)
	}
	st, err := os.Stat(filepath.Join(dir, results.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 3<<20 {
		t.Errorf("the default suite's report is %.1f MB, over 3 MB", float64(st.Size())/(1<<20))
	}
	// Dispositions, so that the review section is drawn too.
	queue := filepath.Join(t.TempDir(), "queue.csv")
	if code, _, errs := runCLI("review", "export", dir, "-o", queue); code != 0 {
		t.Fatalf("review export: %s", errs)
	}
	answers := filepath.Join(t.TempDir(), "answers.csv")
	fillQueue(t, queue, answers, func(map[string]string) bool { return false })
	if code, _, errs := runCLI("review", "import", dir, answers); code != 0 {
		t.Fatalf("review import: %s", errs)
	}

	b := newBrowser(t, 1280, 900)
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Minute)
	defer cancel()
	page := (&url.URL{Scheme: "file", Path: filepath.Join(dir, results.ReportFile)}).String()
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatal(err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowJS))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range overflow {
		t.Errorf("report at 1280 px: %s", o)
	}
	controls, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".control").length`))
	if err != nil {
		t.Fatal(err)
	}
	caseLinks, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#cases a[href^='cases/']").length`))
	if err != nil {
		t.Fatal(err)
	}
	if controls == 0 || caseLinks == 0 {
		t.Fatalf("%d threshold controls, %d case links", controls, caseLinks)
	}
	out, input := chromedp.CSS(".control output"), chromedp.CSS(".control input")
	// Home: the highest threshold; End: the lowest. Wherever the control
	// starts, the two show different recall.
	if err := chromedp.Do(ctx, chromedp.Focus(input), chromedp.KeyEvent(kb.Home)); err != nil {
		t.Fatal(err)
	}
	before, err := chromedp.Run(ctx, chromedp.Text(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.End)); err != nil {
		t.Fatal(err)
	}
	after, err := chromedp.Run(ctx, chromedp.Text(out))
	if err != nil {
		t.Fatal(err)
	}
	recall := func(s string) string {
		_, r, _ := strings.Cut(s, "recall ")
		r, _, _ = strings.Cut(r, ",")
		return r
	}
	if recall(before) == "" || recall(before) == recall(after) {
		t.Errorf("moving the threshold from its highest to its lowest left the recall as it was:\n before %q\n after  %q", before, after)
	}
	b.check(t, "report.html")

	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#cases a[href^='cases/']").getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	casePage := (&url.URL{Scheme: "file", Path: filepath.Join(dir, filepath.FromSlash(href))}).String()
	if err := chromedp.Do(ctx, chromedp.Navigate(casePage), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatal(err)
	}
	if overflow, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowJS)); err != nil {
		t.Fatal(err)
	}
	for _, o := range overflow {
		t.Errorf("%s at 1280 px: %s", href, o)
	}
	ladder, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".ladders td.bid").length`))
	if err != nil {
		t.Fatal(err)
	}
	if ladder == 0 {
		t.Errorf("%s shows no ladder", href)
	}
	b.check(t, href)
	fmt.Fprintf(os.Stderr, "report %.2f MB; %d threshold controls; recall %s -> %s\n", float64(st.Size())/(1<<20), controls, recall(before), recall(after))
}
