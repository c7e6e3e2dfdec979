// Package results writes and reads a run's results directory and renders its
// plots and reports. The directory is versioned (ResultsVersion) and laid out as:
//
//	manifest.json   inputs' hashes, seed, tool version, spec, detector configs, creation time
//	summary.json    scoring.Summary: metrics per detector instance and typology (what `gate` reads)
//	summary.md      the same as a Markdown report (for CI step summaries)
//	alerts.parquet  every candidate alert, with its stable id (AlertIDs) and matched labels
//	alerts.csv      the same for a case-management tool (RFC 3339 times)
//	labels.parquet  the ground truth, with detection flags per instance
//	metrics.parquet one row per instance × typology (and "all")
//	sweep.parquet   one row per instance × typology × distinct score threshold
//	plots/*.png, plots/*.svg  PR curves, threshold curves, coverage heatmap,
//	                time-to-detect CDF, recall vs alerts/day, price timelines
//	report.html     self-contained (SVG inlined, one font embedded, threshold controls, opens offline)
//
// Every file is written to a temporary name and renamed, so an interrupted run
// never leaves a half-written result. Apart from manifest.json's created_at, the
// same run writes byte-identical files.
package results
