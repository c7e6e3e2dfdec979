// Package backtest owns a run: its configuration (the spec file's detector
// entries and scoring options beside the scenario), the one streaming pass —
// a scenario's generator feeds the replay engine, whose record batches fan
// out to every detector instance, and the alerts are scored against the
// scenario's labels — the run's record in the results manifest (encoded here,
// decoded here for verify-run), baseline and candidate pairing for the gate,
// detector grid flags and the sweep's ranking. The command line is a thin
// layer over it.
package backtest
