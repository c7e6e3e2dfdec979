package main

import (
	"context"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/replay/formats"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/tapetest/tapetest/scenarios/injectors"
	"github.com/urfave/cli/v3"
)

// listCommand is the listing of one kind of component: `tapetest NAME list`
// in text, JSON or Markdown, all from the components' specs.
func listCommand(gs *globalState, name, usage, description string, listings func() []component.Listing, asJSON func() any) *cli.Command {
	return &cli.Command{Name: name, Usage: usage, Commands: []*cli.Command{{
		Name:        "list",
		Usage:       "every registered " + name[:len(name)-1] + " with every parameter documented",
		Description: description,
		Flags:       []cli.Flag{&cli.StringFlag{Name: "format", Value: "text", Usage: "output: text, json or markdown"}},
		Action: func(_ context.Context, c *cli.Command) error {
			switch f := c.String("format"); f {
			case "json":
				return writeJSON(gs.stdout, asJSON())
			case "markdown":
				return component.WriteMarkdown(gs.stdout, listings())
			case "text":
				return component.WriteText(gs.stdout, listings())
			default:
				return usageErrorf("%s list: --format %q: want text, json or markdown", name, f)
			}
		},
	}}}
}

// listings are specs as a listing shows them.
func listings(specs []*component.Spec) []component.Listing {
	var ls []component.Listing
	for _, s := range specs {
		ls = append(ls, component.Listing{Spec: s})
	}
	return ls
}

func newDetectorsCommand(gs *globalState) *cli.Command {
	return listCommand(gs, "detectors", "the detector registry", "", func() []component.Listing {
		var ls []component.Listing
		for _, d := range detectors.All() {
			note := string(d.Typology)
			if note == "" {
				note = "typology from its parameter"
			}
			ls = append(ls, component.Listing{Spec: &d.Spec, Note: note})
		}
		return ls
	}, func() any { return detectors.All() })
}

func newInjectorsCommand(gs *globalState) *cli.Command {
	return listCommand(gs, "injectors", "the attack injectors of scenario specs",
		"A spec's injection entry overrides any parameter with params: a number, or a range\n"+
			"[low, high] drawn for each attack (docs/injectors.md is this list in markdown).",
		func() []component.Listing { return listings(injectors.Specs()) }, func() any { return injectors.Specs() })
}

func newFormatsCommand(gs *globalState) *cli.Command {
	return listCommand(gs, "formats", "the input formats of import and historical backgrounds", "",
		func() []component.Listing { return listings(formats.Specs()) }, func() any { return formats.Specs() })
}

func newVenueRulesCommand(gs *globalState) *cli.Command {
	return listCommand(gs, "venue-rules", "the venue rules an instrument's rules: entry attaches", "",
		func() []component.Listing { return listings(scenarios.VenueRules()) }, func() any { return scenarios.VenueRules() })
}
