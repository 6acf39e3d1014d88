package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers"
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

var loadFlags = []cli.Flag{
	&cli.StringFlag{Name: "root", Usage: "treat `DIR` as / (like chroot): absolute paths, in arguments and inside the configuration, are read under it", EnvVars: []string{"NGINX502_LINT_ROOT"}},
	&cli.BoolFlag{Name: "nginx", Usage: "read every FILE given as nginx configuration"},
	&cli.BoolFlag{Name: "fpm", Usage: "read every FILE given as PHP-FPM configuration"},
	&cli.StringFlag{Name: "fpm-prefix", Usage: "php-fpm's prefix `DIR` for relative include= and listen paths (default: /usr/local for /usr/local/etc, else /usr)"},
	&cli.Int64Flag{Name: "max-file-size", Value: source.DefaultMaxSize, Usage: "refuse configuration files larger than `BYTES`"},
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:      "nginx502-lint",
		Usage:     "find the nginx and PHP-FPM configuration mistakes that end in 502 Bad Gateway and 504 Gateway Timeout",
		UsageText: "nginx502-lint [flags] PATH...\n\nPATH is a directory (/etc/nginx, /etc/php, /etc), a file (nginx.conf, php-fpm.conf, a pool file),\nor - for the output of `nginx -T` on standard input.\n\nExamples:\n  nginx502-lint /etc/nginx /etc/php\n  nginx502-lint --root deploy /etc/nginx /etc/php     # the server's files checked out in ./deploy\n  nginx -T 2>&1 | nginx502-lint -",
		Version:   version(),
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: append(append([]cli.Flag{}, loadFlags...),
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output `FORMAT`: text"},
		),
		HideHelpCommand:      true,
		EnableBashCompletion: true,
		Action:               lintAction,
		Commands: []*cli.Command{
			{
				Name:      "model",
				Usage:     "print what the linter read: files, nginx servers and backend hops, PHP-FPM pools",
				UsageText: "nginx502-lint model [flags] PATH...",
				Flags: append(append([]cli.Flag{}, loadFlags...),
					&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output `FORMAT`: text or json"},
				),
				Action: modelAction,
			},
		},
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			fmt.Fprintf(c.App.ErrWriter, "nginx502-lint: %v\nRun 'nginx502-lint --help' for usage.\n", err)
			return exitCode(exitError)
		},
	}
	return app
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

// load reads the model named by the context's flags and arguments. Load
// errors are printed as file:line:col: error: message, one per line.
func load(c *cli.Context) (*lint.Model, error) {
	if c.NArg() == 0 {
		fmt.Fprintln(c.App.ErrWriter, "nginx502-lint: no PATH given: name the configuration to check, e.g. /etc/nginx /etc/php\nRun 'nginx502-lint --help' for usage.")
		return nil, exitCode(exitError)
	}
	opts := parsers.Options{
		Paths:       c.Args().Slice(),
		Root:        c.String("root"),
		FPMPrefix:   c.String("fpm-prefix"),
		MaxFileSize: c.Int64("max-file-size"),
		Env:         os.LookupEnv,
	}
	switch {
	case c.Bool("nginx") && c.Bool("fpm"):
		fmt.Fprintln(c.App.ErrWriter, "nginx502-lint: --nginx and --fpm exclude each other")
		return nil, exitCode(exitError)
	case c.Bool("nginx"):
		opts.Force = lint.KindNginx
	case c.Bool("fpm"):
		opts.Force = lint.KindFPM
	}
	for _, p := range opts.Paths {
		if p == "-" {
			data, err := io.ReadAll(c.App.Reader)
			if err != nil {
				return nil, fmt.Errorf("read standard input: %w", err)
			}
			opts.Stdin = data
		}
	}
	model, err := parsers.Load(opts)
	if err != nil {
		printLoadErrors(c.App.Writer, err)
		return nil, exitCode(exitError)
	}
	return model, nil
}

func printLoadErrors(w io.Writer, err error) {
	var les lint.LoadErrors
	if !errors.As(err, &les) {
		fmt.Fprintf(w, "error: %v\n", err)
		return
	}
	for _, e := range les {
		if e.Pos.File == "" {
			fmt.Fprintf(w, "error: %s\n", e.Msg)
			continue
		}
		fmt.Fprintf(w, "%s: error: %s\n", e.Pos, e.Msg)
	}
}

func lintAction(c *cli.Context) error {
	model, err := load(c)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, summary(model))
	return nil
}
