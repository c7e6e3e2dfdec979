package main

import (
	"context"
	"fmt"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/replay/formats"
	"github.com/urfave/cli/v3"
)

func newFormatsCommand(gs *globalState) *cli.Command {
	return &cli.Command{Name: "formats", Usage: "the input formats of import and historical backgrounds", Commands: []*cli.Command{{
		Name:  "list",
		Usage: "every input format with its parameters",
		Flags: []cli.Flag{&cli.StringFlag{Name: "format", Value: "text", Usage: "output: text, json or markdown"}},
		Action: func(_ context.Context, c *cli.Command) error {
			var ls []component.Listing
			for _, s := range formats.Specs() {
				ls = append(ls, component.Listing{Spec: s})
			}
			switch f := c.String("format"); f {
			case "json":
				return writeJSON(gs.stdout, formats.Specs())
			case "markdown":
				return component.WriteMarkdown(gs.stdout, ls)
			case "text":
				return component.WriteText(gs.stdout, ls)
			default:
				return usageError(fmt.Errorf("formats list: --format %q: want text, json or markdown", f))
			}
		},
	}}}
}
