// Package orderlog imports a venue's own order log — the matching engine's
// record of every order accepted, cancelled, modified and filled, with the
// account behind each — as canonical events, so that account-based detectors
// run (and show their false alerts) on real history.
//
// No two venues write the same log, so a small mapping file (YAML, see
// Mapping) says which column holds what, how times are written, how sides,
// actions, order types and times in force are spelled, and each instrument's
// tick and lot. The log may be CSV (with a header row; gzip read
// transparently) or Parquet (flat columns of any physical type). Rows are
// expected in the log's own order (time, then sequence); the import keeps it.
//
// Fills: with fills: derive (the default) the replay's matching engine makes
// every fill from the orders, as the venue did, and the log's fill rows are
// counted, not replayed — the log must then hold aggressive orders as adds.
// With fills: apply each fill row executes the resting order it names (a log
// of resting orders and their executions only); a taker_account column gives
// the aggressor's account.
package orderlog
