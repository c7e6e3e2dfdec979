package main

import (
	"sort"

	"github.com/urfave/cli/v3"
)

// subcommands holds the sub-commands of parent commands (verify, detectors),
// registered from their own files and attached when the app is built.
var subcommands = map[string][]*cli.Command{}

// registerSub adds c as a sub-command of the top-level command named parent.
func registerSub(parent string, c *cli.Command) {
	subcommands[parent] = append(subcommands[parent], c)
}

func attachSubcommands(cmds []*cli.Command) {
	for _, c := range cmds {
		subs := subcommands[c.Name]
		sort.Slice(subs, func(i, j int) bool { return subs[i].Name < subs[j].Name })
		c.Commands = append(c.Commands, subs...)
	}
}

func init() {
	register(&cli.Command{
		Name:  "verify",
		Usage: "check book reconstruction against a venue's own reference (lobster, binance)",
	})
}
