package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tapetest/tapetest/component"
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
	var ls []component.Listing
	for _, s := range scenarios.Injectors() {
		ls = append(ls, component.Listing{Spec: s})
	}
	if format == "markdown" {
		return component.WriteMarkdown(w, ls)
	}
	return component.WriteText(w, ls)
}
