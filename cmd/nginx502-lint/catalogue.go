package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/config"
	"github.com/nginx502-lint/nginx502-lint/lint/filter"
	"github.com/nginx502-lint/nginx502-lint/lint/printers"
	"github.com/nginx502-lint/nginx502-lint/rules"
)

func rulesAction(c *cli.Context) error {
	w := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "RULE\tSEVERITY\tTITLE")
	for _, r := range rules.All() {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.ID, r.Severity, r.Title)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, "\nnginx502-lint explain RULE tells what a rule catches, why, and how to fix it.")
	return nil
}

func explainAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return usageError(c, "explain takes one RULE (nginx502-lint rules lists them)")
	}
	id := c.Args().First()
	for _, r := range printers.Catalogue(rules.All()) {
		if r.ID == id {
			fmt.Fprint(c.App.Writer, explainText(r))
			return nil
		}
	}
	msg := fmt.Sprintf("no rule %q", id)
	if near := filter.Closest(id, knownRules()); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return usageError(c, "%s", msg)
}

// explainText is a rule's documentation for the terminal.
func explainText(r *lint.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s\n\n", r.ID, r.Severity, r.Title)
	b.WriteString(printers.HelpText(r))
	b.WriteString("\n")
	return b.String()
}

func configInitAction(c *cli.Context) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if c.Bool("force") {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(config.FileName, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return usageError(c, "%s exists already (use --force to overwrite it)", config.FileName)
	}
	if err != nil {
		return err
	}
	if _, err := f.WriteString(config.Default()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "wrote %s\n", config.FileName)
	return nil
}

func baselineCreateAction(c *cli.Context) error {
	s, err := readSettings(c)
	if err != nil {
		return settingsError(c, err)
	}
	if c.String("baseline") != "" {
		return usageError(c, "baseline create takes no --baseline: it writes one")
	}
	res, err := check(c, s)
	if err != nil {
		return err
	}
	f, err := os.Create(c.String("file"))
	if err != nil {
		return err
	}
	if err := filter.WriteBaseline(f, res.findings); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "wrote %d findings to %s: run with --baseline %s to report only new ones\n", len(res.findings), c.String("file"), c.String("file"))
	return nil
}
