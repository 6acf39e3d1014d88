package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves flags that follow positional arguments in front of
// them, so that `nginx502-lint /etc/nginx --format json` works as users
// expect (urfave/cli stops reading flags at the first argument). Everything
// after "--" stays as it is.
//
// A command and its subcommands (`baseline create`, `config init`) come
// first, then every flag they take: urfave/cli gives a command only the
// flags written after its name, and a command's flag hides the app's flag
// of the same name (`--root deploy model /etc` would read the host's /etc).
// Flags written before the command that the command does not take stay in
// front of it, for the app.
func interspersed(args []string, flags []cli.Flag, commands []*cli.Command) []string {
	if len(args) < 2 {
		return args
	}
	rest := args[1:]
	appTakes := takesValue(flags)

	// the flags before the first argument
	i := 0
	for i < len(rest) && isFlag(rest[i]) {
		if name, hasValue := flagName(rest[i]); !hasValue && appTakes[name] && i+1 < len(rest) {
			i++
		}
		i++
	}
	lead := rest[:i]
	rest = rest[i:]

	// the command path: baseline create
	var path []string
	var cmdFlags []cli.Flag
	for cmds := commands; len(rest) > 0; {
		c := findCommand(cmds, rest[0])
		if c == nil {
			break
		}
		path = append(path, rest[0])
		cmdFlags = append(cmdFlags, c.Flags...)
		cmds = c.Subcommands
		rest = rest[1:]
	}

	out := []string{args[0]}
	if len(path) == 0 {
		return append(out, reorder(append(append([]string{}, lead...), rest...), appTakes)...)
	}
	cmdTakes := takesValue(cmdFlags)
	var keep, move []string
	for j := 0; j < len(lead); j++ {
		name, hasValue := flagName(lead[j])
		n := 1
		if !hasValue && appTakes[name] && j+1 < len(lead) {
			n = 2
		}
		if _, ok := cmdTakes[name]; ok {
			move = append(move, lead[j:j+n]...)
		} else {
			keep = append(keep, lead[j:j+n]...)
		}
		j += n - 1
	}
	out = append(out, keep...)
	out = append(out, path...)
	all := takesValue(append(append([]cli.Flag{}, flags...), cmdFlags...))
	return append(out, reorder(append(move, rest...), all)...)
}

// reorder puts the flags of args (with their values) before the positional
// arguments, keeping everything after "--" in place.
func reorder(args []string, takes map[string]bool) []string {
	var flagArgs, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i:]...)
			break
		}
		if !isFlag(a) {
			positional = append(positional, a)
			continue
		}
		flagArgs = append(flagArgs, a)
		if name, hasValue := flagName(a); !hasValue && takes[name] && i+1 < len(args) {
			i++
			flagArgs = append(flagArgs, args[i])
		}
	}
	return append(flagArgs, positional...)
}

// takesValue maps every name of flags to whether the flag takes a value.
func takesValue(flags []cli.Flag) map[string]bool {
	m := map[string]bool{}
	for _, f := range flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			m[n] = !isBool
		}
	}
	return m
}

func isFlag(a string) bool { return a != "-" && a != "--" && strings.HasPrefix(a, "-") }

// flagName returns the name of a flag argument ("--root=x" → "root") and
// whether its value is in it.
func flagName(a string) (name string, hasValue bool) {
	name = strings.TrimLeft(a, "-")
	name, _, hasValue = strings.Cut(name, "=")
	return name, hasValue
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.Name == name || contains(c.Aliases, name) {
			return c
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
