// Package oracle holds the oracle test: a detector, registered by the test
// only, that knows the labels and alerts on each as soon as an event of its
// symbol arrives inside it. What it cannot catch no detector can — a label
// outside the replay, on a symbol no event names, or shorter than the gap to
// the next event. The test holds every injector at every intensity, on
// synthetic markets and on a historical background, to recall 1.
package oracle
