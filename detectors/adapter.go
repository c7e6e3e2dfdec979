package detectors

import (
	"context"
	"fmt"
	"math"

	"github.com/tapetest/tapetest/replay"
)

// Consumer adapts a Detector instance to replay.Consumer: it runs the detector
// over the replay's batches and collects the alerts it emits, in order.
type Consumer struct {
	id       string
	typology replay.Typology
	det      Detector
	alerts   []Alert
	emit     func(Alert)
	only     map[string]bool
	outside  int64
	start    int64 // the replayed range: an alert is raised inside it
	end      int64
	bad      error // the first alert the host refused: the instance fails
	evidence evidenceTable
}

// NewConsumer wraps det, whose alerts are attributed to instance id: the host
// sets every alert's Instance (a detector cannot file alerts for another
// instance), gives an alert without a typology the instance's, and refuses —
// failing the instance, the others unharmed — an alert whose score is not
// finite, whose window is reversed, or that is raised outside the replay.
func NewConsumer(id string, typology replay.Typology, det Detector) *Consumer {
	c := &Consumer{id: id, typology: typology, det: det}
	c.emit = func(a Alert) {
		a.Instance = c.id
		if a.Typology == "" {
			a.Typology = c.typology
		}
		if c.bad != nil {
			return
		}
		if err := c.check(&a); err != nil {
			c.bad = fmt.Errorf("detector %s: alert refused: %w", c.id, err)
			return
		}
		if c.only != nil && !c.only[a.Symbol] {
			c.outside++
			return
		}
		a.Evidence = c.evidence.intern(a.Evidence)
		c.alerts = append(c.alerts, a)
	}
	return c
}

// Only scopes the instance to symbols: alerts on other instruments are not
// kept, and Outside counts them. Empty symbols keep everything.
func (c *Consumer) Only(symbols []string) {
	if len(symbols) == 0 {
		c.only = nil
		return
	}
	c.only = map[string]bool{}
	for _, s := range symbols {
		c.only[s] = true
	}
}

// Outside is the number of alerts not kept because of Only.
func (c *Consumer) Outside() int64 { return c.outside }

// Name is the instance id.
func (c *Consumer) Name() string { return c.id }

// check is what the host holds every alert to.
func (c *Consumer) check(a *Alert) error {
	switch {
	case math.IsNaN(a.Score) || math.IsInf(a.Score, 0):
		return fmt.Errorf("score %v is not a finite number", a.Score)
	case a.End < a.Start:
		return fmt.Errorf("window ends (%d) before it starts (%d)", a.End, a.Start)
	case c.end > c.start && (a.RaisedAt < c.start || a.RaisedAt > c.end):
		return fmt.Errorf("raised at %d, outside the replay [%d, %d]", a.RaisedAt, c.start, c.end)
	}
	return nil
}

// Aborter is a detector that holds something outside the process (an
// external detector's program): Abort ends it at once. The consumer calls it
// when the run's context ends — an interrupted or failed run leaves nothing
// running — and a detector must take a call after it finished normally.
type Aborter interface {
	Abort()
}

// Start starts the detector.
func (c *Consumer) Start(ctx context.Context, info *replay.RunInfo) error {
	c.start, c.end = info.Start, info.End
	if a, ok := c.det.(Aborter); ok {
		context.AfterFunc(ctx, a.Abort)
	}
	return c.det.Start(info)
}

// Consume passes one batch to the detector.
func (c *Consumer) Consume(_ context.Context, b *replay.Batch) error {
	if err := c.det.Consume(b, c.emit); err != nil {
		return err
	}
	return c.bad
}

// Finish lets the detector flush open state.
func (c *Consumer) Finish(context.Context) error {
	if err := c.det.Finish(c.emit); err != nil {
		return err
	}
	return c.bad
}

// Alerts returns the alerts collected so far.
func (c *Consumer) Alerts() []Alert { return c.alerts }
