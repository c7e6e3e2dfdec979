// Package scenarios owns the simulated venue a backtest replays: scenario
// specs (instruments, background, injections), the generator — one matching
// book per instrument driven by background agents in time order — the
// registry and built-ins of attack injectors, venue rules (the perpetual swap's
// margin and liquidation engine, a price band with a halt), historical
// backgrounds that replay real files with attacks injected into them, account
// attributes, realism statistics and the embedded default suite. Its output is
// a replay.EventSource of canonical events and the labels of what it
// injected; what a run does with them is package backtest's.
package scenarios
