// Package scoring matches a detector's alerts to ground-truth labels and
// computes what a threshold choice buys: precision, recall, time to detect,
// alert volume, account-level and range-based scores, and exact threshold
// sweeps.
//
// # Matching
//
// An alert matches a label when all of these hold:
//
//   - the symbol is the same;
//   - the typology is the same (with Options.AnyTypology, any typology);
//   - the alert was raised inside [label.Start - Options.Lead, label.End + Options.Tolerance];
//   - if both carry accounts, the account sets overlap (an alert or label
//     without accounts — public data — matches on the other rules alone).
//
// An alert may match several labels and a label several alerts.
//
// # Metrics
//
//   - Event recall: labels matched by at least one alert / labels.
//   - Alert precision: alerts that match some label / alerts.
//   - F1: harmonic mean of alert precision and event recall (0 when both are 0).
//   - Time to detect of a detected label: the earliest RaisedAt of its matching
//     alerts minus label.Start, in seconds (never negative: a match needs
//     RaisedAt >= Start). P50 and P90 use the nearest-rank method: the
//     ceil(q·n)-th smallest value. NaN when nothing was detected.
//   - Alerts per matched event: matching alerts / detected labels.
//   - Background alerts per day: alerts that match no label / Options.Days.
//   - Account precision and recall, micro-averaged over matched alert–label
//     pairs where both carry accounts: precision = Σ|A∩L| / Σ|A|; recall over
//     detected labels with accounts = Σ|(∪ matching alerts' accounts) ∩ L| / Σ|L|.
//   - Range-based precision and recall (Tatbul et al., NeurIPS 2018) of alert
//     windows [Start, End] against label windows [Start, End] of the same symbol,
//     with existence weight Options.RangeAlpha (recall only), cardinality factor
//     γ = 1/x for a range overlapped by x ranges of the other side, and a
//     positional bias (flat, front, back, middle) applied in continuous time.
//     Zero-length windows count as points.
//   - Average precision, without interpolation: alerts ranked by score; at each
//     distinct score threshold t_n, AP = Σ (R_n − R_{n−1}) · P_n, where P is
//     alert precision and R the fraction of relevant (label-matching) alerts
//     retrieved — scikit-learn's average_precision_score. Labels [0,0,1,1] with
//     scores [0.1,0.4,0.35,0.8] give 0.8333.
//   - Event average precision: the same sum with R = event recall, i.e. the
//     exact area under the sweep's precision–recall curve.
//
// # Sweeps
//
// Detectors emit every candidate with a score; a sweep evaluates the threshold
// at every distinct score (keep alerts with score >= t), re-matching events
// exactly at each point, in O(P log P) for P matching pairs. It reports the
// best-F1 threshold and the threshold that maximises recall while keeping
// background alerts per day within an analyst budget.
package scoring
