package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves flags that follow positional arguments in front of
// them, so that `nginx502-lint /etc/nginx --format json` works as users
// expect (urfave/cli stops reading flags at the first argument). Everything
// after "--" stays as it is.
func interspersed(args []string, flags []cli.Flag, commands []*cli.Command) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	if len(rest) > 0 {
		for _, c := range commands {
			if c.Name == rest[0] || contains(c.Aliases, rest[0]) {
				out = append(out, rest[0])
				rest = rest[1:]
				flags = append(append([]cli.Flag{}, flags...), c.Flags...)
				break
			}
		}
	}
	takesValue := map[string]bool{}
	for _, f := range flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var flagArgs, positional []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			positional = append(positional, rest[i:]...)
			break
		}
		if a == "-" || !strings.HasPrefix(a, "-") {
			positional = append(positional, a)
			continue
		}
		flagArgs = append(flagArgs, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if takesValue[name] && i+1 < len(rest) {
			i++
			flagArgs = append(flagArgs, rest[i])
		}
	}
	out = append(out, flagArgs...)
	return append(out, positional...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
