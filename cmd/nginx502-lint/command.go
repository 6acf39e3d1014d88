package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/printers"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// Exit codes, as golangci-lint, actionlint and shellcheck use them.
const (
	exitClean    = 0
	exitFindings = 1
	exitError    = 2
)

// exitCode carries an exit status out of an action.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// usageError is a wrong command line: printed with a hint, exit 2.
func usageError(c *cli.Context, format string, args ...any) error {
	fmt.Fprintf(c.App.ErrWriter, "nginx502-lint: "+format+"\nRun 'nginx502-lint --help' for usage.\n", args...)
	return exitCode(exitError)
}

var loadFlags = []cli.Flag{
	&cli.StringFlag{Name: "root", Usage: "treat `DIR` as / (like chroot): absolute paths, in arguments and inside the configuration, are read under it", EnvVars: []string{"NGINX502_LINT_ROOT"}},
	&cli.BoolFlag{Name: "nginx", Usage: "read every FILE given as nginx configuration"},
	&cli.BoolFlag{Name: "fpm", Usage: "read every FILE given as PHP-FPM configuration"},
	&cli.StringFlag{Name: "fpm-prefix", Usage: "php-fpm's prefix `DIR` for relative include= and listen paths (default: /usr/local for /usr/local/etc, else /usr)"},
	&cli.Int64Flag{Name: "max-file-size", Value: source.DefaultMaxSize, Usage: "refuse configuration files larger than `BYTES`"},
}

var lintFlags = []cli.Flag{
	&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output `FORMAT`: " + strings.Join(printers.Names(), ", ")},
	&cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, Usage: "also write `FORMAT=FILE` (repeatable), e.g. -o sarif=results.sarif"},
	&cli.StringFlag{Name: "fail-on", Usage: "exit 1 when a finding is at least `SEVERITY` (error, warning, note) (default: warning)"},
	&cli.StringFlag{Name: "min-severity", Usage: "report only findings of at least `SEVERITY` (default: note)"},
	&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Usage: "read settings from `FILE` instead of the first .nginx502-lint.yml found upwards"},
	&cli.BoolFlag{Name: "no-config", Usage: "read no .nginx502-lint.yml"},
	&cli.StringSliceFlag{Name: "disable", Usage: "turn off `RULE` (repeatable, or comma-separated)"},
	&cli.BoolFlag{Name: "no-inline-ignores", Usage: "ignore '# nginx502-lint: ignore' comments (central governance)"},
	&cli.StringFlag{Name: "baseline", Usage: "report only findings not in the baseline `FILE` (see 'baseline create')"},
	&cli.StringFlag{Name: "stdin-filename", Usage: "read the configuration file `PATH` from standard input (an editor's unsaved buffer) and report only its findings"},
	&cli.StringFlag{Name: "sarif-root", Usage: "make SARIF and GitHub paths relative to `DIR` (default: the current directory)"},
	&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour the text output: `WHEN` auto, always or never (NO_COLOR turns auto off)"},
}

const appHelp = `nginx502-lint reads an nginx configuration and the PHP-FPM configuration behind it
(php-fpm.conf, pools, php.ini) and reports what will end in 502 Bad Gateway or 504 Gateway
Timeout: a fastcgi_pass no pool listens on, a socket the nginx user may not open, buffers too
small for the response headers or that nginx refuses, timeouts in the wrong order.

PATH is a directory (/etc/nginx, /etc/php, or /etc for both), a file (nginx.conf, php-fpm.conf,
a pool file), or - for the output of 'nginx -T' on standard input. Given one file inside a
configuration tree (sites-available/shop.conf), it checks the whole tree and reports only the
findings in that file: the mode for editors.

Exit status: 0 no finding at or above --fail-on, 1 findings, 2 unreadable configuration or
wrong usage.`

// compactFlag drops what urfave/cli's help repeats for every repeatable
// flag ("[ --output FORMAT=FILE, -o FORMAT=FILE ]") and for every boolean
// ("(default: false)"), so that the flag column stays narrow.
func compactFlag(f cli.Flag) string {
	s := defaultFlagStringer(f)
	s = repeatHint.ReplaceAllString(s, "")
	return strings.Replace(s, " (default: false)", "", 1)
}

var (
	defaultFlagStringer = cli.FlagStringer
	repeatHint          = regexp.MustCompile(` \[ -[^\]]*\]`)
)

func init() { cli.FlagStringer = compactFlag }

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:        "nginx502-lint",
		Usage:       "find the nginx and PHP-FPM configuration mistakes that end in 502 and 504",
		UsageText:   "nginx502-lint [flags] PATH...\n\n   nginx502-lint /etc/nginx /etc/php\n   nginx502-lint --root deploy /etc/nginx /etc/php     # the server's files checked out in ./deploy\n   nginx -T 2>&1 | nginx502-lint - /etc/php\n   nginx502-lint --format sarif -o sarif=nginx502.sarif /etc",
		Description: appHelp,
		Version:     version(),
		Reader:      stdin,
		Writer:      stdout,
		ErrWriter:   stderr,
		Flags:       append(append(append([]cli.Flag{}, loadFlags...), lintFlags...), liveFlag),
		Action:      lintAction,
		Commands: []*cli.Command{
			logsCommand,
			{
				Name:      "model",
				Usage:     "print what the linter read: files, nginx servers and backend hops, PHP-FPM pools",
				UsageText: "nginx502-lint model [flags] PATH...",
				Flags: append(append([]cli.Flag{}, loadFlags...),
					&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output `FORMAT`: text or json"},
				),
				Action: modelAction,
			},
			{
				Name:      "rules",
				Usage:     "list every rule: id, severity, title",
				UsageText: "nginx502-lint rules",
				Action:    rulesAction,
			},
			{
				Name:      "explain",
				Usage:     "explain a rule: what it catches, why it causes a 502/504, a failing and a fixed example",
				UsageText: "nginx502-lint explain RULE",
				Action:    explainAction,
			},
			{
				Name:  "config",
				Usage: "work with .nginx502-lint.yml",
				Subcommands: []*cli.Command{{
					Name:      "init",
					Usage:     "write a commented default .nginx502-lint.yml in the current directory",
					UsageText: "nginx502-lint config init [--force]",
					Flags:     []cli.Flag{&cli.BoolFlag{Name: "force", Usage: "overwrite an existing file"}},
					Action:    configInitAction,
				}},
			},
			{
				Name:  "baseline",
				Usage: "accept today's findings, so that CI fails only on new ones",
				Subcommands: []*cli.Command{{
					Name:      "create",
					Usage:     "write the current findings to a baseline file (then run with --baseline FILE)",
					UsageText: "nginx502-lint baseline create [flags] --file FILE PATH...",
					Flags: append(append(append([]cli.Flag{}, loadFlags...), lintFlags...),
						&cli.StringFlag{Name: "file", Value: ".nginx502-lint-baseline.json", Usage: "write the baseline to `FILE`"}),
					Action: baselineCreateAction,
				}},
			},
		},
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		ExitErrHandler:       func(*cli.Context, error) {},
		OnUsageError:         onUsageError,
	}
	// A command's usage error too is one line on stderr, not its help on
	// stdout (where a --format json reader expects JSON). urfave/cli adds
	// its shared "help" command to every command it runs (help's own
	// subcommands then hold help): leave it alone, and visit each once.
	seen := map[*cli.Command]bool{}
	var setUsage func([]*cli.Command)
	setUsage = func(cmds []*cli.Command) {
		for _, c := range cmds {
			if seen[c] || c.Name == "help" {
				continue
			}
			seen[c] = true
			c.OnUsageError = onUsageError
			setUsage(c.Subcommands)
		}
	}
	setUsage(app.Commands)
	return app
}

func onUsageError(c *cli.Context, err error, _ bool) error {
	return usageError(c, "%v", err)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	err := app.Run(interspersed(args, app.Flags, app.Commands))
	var code exitCode
	switch {
	case err == nil:
		return exitClean
	case errors.As(err, &code):
		return int(code)
	}
	fmt.Fprintf(stderr, "nginx502-lint: %v\n", err)
	return exitError
}

func printLoadErrors(w io.Writer, err error) {
	var les lint.LoadErrors
	if !errors.As(err, &les) {
		fmt.Fprintf(w, "nginx502-lint: error: %v\n", err)
		return
	}
	for _, e := range les {
		if e.Pos.File == "" {
			fmt.Fprintf(w, "nginx502-lint: error: %s\n", e.Msg)
			continue
		}
		fmt.Fprintf(w, "%s: error: %s\n", e.Pos, e.Msg)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
