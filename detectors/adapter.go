package detectors

import (
	"context"

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
}

// NewConsumer wraps det, whose alerts are attributed to instance id. Alerts
// that leave Instance or Typology empty get id and typology.
func NewConsumer(id string, typology replay.Typology, det Detector) *Consumer {
	c := &Consumer{id: id, typology: typology, det: det}
	c.emit = func(a Alert) {
		if a.Instance == "" {
			a.Instance = c.id
		}
		if a.Typology == "" {
			a.Typology = c.typology
		}
		if c.only != nil && !c.only[a.Symbol] {
			c.outside++
			return
		}
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

// Start starts the detector.
func (c *Consumer) Start(_ context.Context, info *replay.RunInfo) error { return c.det.Start(info) }

// Consume passes one batch to the detector.
func (c *Consumer) Consume(_ context.Context, b *replay.Batch) error { return c.det.Consume(b, c.emit) }

// Finish lets the detector flush open state.
func (c *Consumer) Finish(context.Context) error { return c.det.Finish(c.emit) }

// Alerts returns the alerts collected so far.
func (c *Consumer) Alerts() []Alert { return c.alerts }
