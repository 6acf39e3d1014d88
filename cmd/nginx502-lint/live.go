package main

import (
	"github.com/urfave/cli/v2"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/live"
)

// liveFlag adds the checks of this host to a lint run.
var liveFlag = &cli.BoolFlag{
	Name:  "live",
	Usage: "also check this host, read-only: each backend socket and port (exists, owner, mode, a test connect), the running php-fpm masters, SELinux; not with --root",
}

// probeLive observes this host into the model, for the live rules, and
// returns what it could not observe. --root is refused: the live checks
// look at this host's sockets, processes and accounts, which the paths of
// a checked-out tree do not name.
func probeLive(c *cli.Context, root string, model *lint.Model) ([]string, error) {
	if root != "" {
		return nil, usageError(c, "--live checks the sockets, processes and accounts of this host, but --root %s reads a copy of a server's files: run --live on the server itself, without --root", root)
	}
	facts := live.Probe(c.Context, model, live.Options{})
	var notes []string
	for _, n := range facts.Notes {
		notes = append(notes, "live: "+n)
	}
	if !facts.Root {
		notes = append(notes, "live: not running as root: sockets under directories this user may not search are not checked, and /proc may hide other users' processes (hidepid)")
	}
	return notes, nil
}
