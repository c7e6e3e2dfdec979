package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v3"
)

// newRootCommand is the whole command tree, listed explicitly: each command
// is built by its own file's constructor from the global state.
func newRootCommand(gs *globalState) *cli.Command {
	root := &cli.Command{
		Name:    "tapetest",
		Usage:   "backtest market-abuse detectors on replayed and synthetic markets",
		Version: version,
		Commands: []*cli.Command{
			newDetectorsCommand(gs),
			newFormatsCommand(gs),
			newGateCommand(gs),
			newGenCommand(gs),
			newImportCommand(gs),
			newInjectorsCommand(gs),
			newLabelsCommand(gs),
			newReviewCommand(gs),
			newPlanCommand(gs),
			newMergeCommand(gs),
			newRealismCommand(gs),
			newReportCommand(gs),
			newRunCommand(gs),
			newSweepCommand(gs),
			newTrainCommand(gs),
			newVerifyCommand(gs),
			newVenueRulesCommand(gs),
			newVerifyRunCommand(gs),
		},
		Reader:                    gs.stdin,
		Writer:                    gs.stdout,
		ErrWriter:                 gs.stderr,
		ExitErrHandler:            func(context.Context, *cli.Command, error) {},
		DisableSliceFlagSeparator: true, // --detector values contain commas
	}
	strictTree(root)
	return root
}

// newVerifyCommand groups the checks of book reconstruction against venues'
// own references.
func newVerifyCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "check book reconstruction against a venue's own reference (lobster, binance, kraken, bitmex, coinbase)",
		Commands: []*cli.Command{
			newVerifyBinanceCommand(gs),
			newVerifyBitmexCommand(gs),
			newVerifyCoinbaseCommand(gs),
			newVerifyKrakenCommand(gs),
			newVerifyLobsterCommand(gs),
		},
	}
}

// strictTree makes every command of the tree refuse what it does not know as a
// usage error (exit 2): a mistyped flag names the closest flag, and a command
// with sub-commands refuses an unknown one naming the closest command (urfave's
// own answer is a help lookup that exits 3, the code of a failed detector).
func strictTree(c *cli.Command) {
	c.OnUsageError = func(_ context.Context, cmd *cli.Command, err error, _ bool) error {
		msg := err.Error()
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
			var names []string
			for _, f := range cmd.Flags {
				names = append(names, f.Names()...)
			}
			if s := closest(strings.TrimLeft(name, "-"), names); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", flagSpelling(s))
			}
		}
		return usageErrorf("%s: %s", commandPath(cmd), msg)
	}
	if len(c.Commands) > 0 && c.Action == nil {
		c.Action = func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() == 0 {
				return cli.ShowSubcommandHelp(cmd)
			}
			name := cmd.Args().First()
			var names []string
			for _, sub := range cmd.Commands {
				names = append(names, sub.Names()...)
			}
			msg := fmt.Sprintf("unknown command %q", name)
			if cmd.Root() != cmd {
				msg = commandPath(cmd) + ": " + msg
			}
			if s := closest(name, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return usageErrorf("%s; see '%s --help'", msg, cmd.FullName())
		}
	}
	for _, sub := range c.Commands {
		strictTree(sub)
	}
}

// flagSpelling is how a flag name is typed: -o, --out.
func flagSpelling(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// commandPath names a command as the user typed it after "tapetest" ("verify
// lobster"), or "tapetest" for the root.
func commandPath(c *cli.Command) string {
	if p := strings.TrimPrefix(c.FullName(), "tapetest "); p != "" {
		return p
	}
	return "tapetest"
}
