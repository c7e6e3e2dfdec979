package main

import (
	"context"
	"fmt"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/detectors"
	"github.com/urfave/cli/v3"
)

func newDetectorsCommand(gs *globalState) *cli.Command {
	return &cli.Command{Name: "detectors", Usage: "the detector registry", Commands: []*cli.Command{{
		Name:  "list",
		Usage: "every registered detector with every parameter documented",
		Flags: []cli.Flag{&cli.StringFlag{Name: "format", Value: "text", Usage: "text, json or markdown"}},
		Action: func(_ context.Context, c *cli.Command) error {
			all := detectors.All()
			var ls []component.Listing
			for _, d := range all {
				note := string(d.Typology)
				if note == "" {
					note = "typology from its parameter"
				}
				ls = append(ls, component.Listing{Spec: &d.Spec, Note: note})
			}
			switch f := c.String("format"); f {
			case "json":
				return writeJSON(gs.stdout, all)
			case "markdown":
				return component.WriteMarkdown(gs.stdout, ls)
			case "text":
				return component.WriteText(gs.stdout, ls)
			default:
				return usageError(fmt.Errorf("detectors list: --format %q: want text, json or markdown", f))
			}
		},
	}}}
}
