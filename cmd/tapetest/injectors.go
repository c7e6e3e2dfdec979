package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/urfave/cli/v3"
)

func newInjectorsCommand(gs *globalState) *cli.Command {
	return &cli.Command{Name: "injectors", Usage: "the attack injectors of scenario specs", Commands: []*cli.Command{{
		Name:  "list",
		Usage: "every injector with every parameter: its meaning and its default at each intensity",
		Description: "A spec's injection entry overrides any of these with params: a number, or a range\n" +
			"[low, high] drawn for each attack (docs/injectors.md is this list in markdown).",
		Flags: []cli.Flag{&cli.StringFlag{Name: "format", Value: "text", Usage: "text, json or markdown"}},
		Action: func(_ context.Context, c *cli.Command) error {
			switch f := c.String("format"); f {
			case "json":
				return writeJSON(gs.stdout, scenarios.Injectors())
			case "text", "markdown":
				return writeInjectors(gs.stdout, f)
			default:
				return usageError(fmt.Errorf("injectors list: --format %q: want text, json or markdown", f))
			}
		},
	}}}
}

// writeInjectors writes every injector's documentation as text or markdown.
func writeInjectors(w io.Writer, format string) error {
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	var intensityNames []string
	for _, in := range labels.Intensities {
		intensityNames = append(intensityNames, string(in))
	}
	for _, d := range scenarios.Injectors() {
		names := make([]string, 0, len(d.Params))
		for n := range d.Params {
			names = append(names, n)
		}
		slices.Sort(names)
		if format == "markdown" {
			fmt.Fprintf(w, "## %s\n\n%s\n\n| parameter | meaning | %s |\n|---|---|%s\n", d.Typology, d.Summary, strings.Join(intensityNames, " | "), strings.Repeat("---|", len(labels.Intensities)))
			for _, n := range names {
				var vals []string
				for _, in := range labels.Intensities {
					vals = append(vals, num(d.Defaults[in][n]))
				}
				fmt.Fprintf(w, "| `%s` | %s | %s |\n", n, d.Params[n], strings.Join(vals, " | "))
			}
			fmt.Fprintln(w)
			continue
		}
		fmt.Fprintf(w, "%s\n  %s\n    %-16s %8s %8s %8s %8s\n", d.Typology, d.Summary, "parameter", "blatant", "standard", "subtle", "evasive")
		for _, n := range names {
			fmt.Fprintf(w, "    %-16s", n)
			for _, in := range labels.Intensities {
				fmt.Fprintf(w, " %8s", num(d.Defaults[in][n]))
			}
			fmt.Fprintf(w, "  %s\n", d.Params[n])
		}
		fmt.Fprintln(w)
	}
	return nil
}
