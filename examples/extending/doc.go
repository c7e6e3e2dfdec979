// Package extending is the worked example of docs/extending.md: a detector,
// an attack injector, an input format and a venue rule, each added from this
// package — outside tapetest's own — with one registration call. Its test
// registers all four and runs a backtest that uses them together.
package extending
