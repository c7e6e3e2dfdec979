package main

import (
	"context"
	"fmt"
	"strings"
	"time"

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
			switch c.String("format") {
			case "json":
				return writeJSON(gs.stdout, all)
			case "markdown":
				for _, d := range all {
					fmt.Fprintf(gs.stdout, "## %s (%s)\n\n%s\n\n| parameter | type | default | unit | meaning |\n|---|---|---|---|---|\n", d.Name, d.Typology, d.Doc)
					for _, p := range d.Params {
						fmt.Fprintf(gs.stdout, "| %s | %s | %s | %s | %s |\n", p.Name, p.Type, defaultText(p.Default), p.Unit, p.Meaning)
					}
					fmt.Fprintln(gs.stdout)
				}
			case "text":
				for _, d := range all {
					fmt.Fprintf(gs.stdout, "%s  [%s]\n  %s\n", d.Name, d.Typology, strings.ReplaceAll(d.Doc, "\n", "\n  "))
					for _, p := range d.Params {
						fmt.Fprintf(gs.stdout, "    %-18s %-8s default %-8s %s\n", p.Name, p.Type, defaultText(p.Default), p.Meaning)
					}
					fmt.Fprintln(gs.stdout)
				}
			default:
				return usageError(fmt.Errorf("detectors list: --format %q: want text, json or markdown", c.String("format")))
			}
			return nil
		},
	}}}
}

func defaultText(v any) string {
	if d, ok := v.(time.Duration); ok {
		return d.String()
	}
	return fmt.Sprint(v)
}
