package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/triage"
	"github.com/nginx502-lint/nginx502-lint/parsers"
	"github.com/nginx502-lint/nginx502-lint/parsers/errorlog"
	"github.com/nginx502-lint/nginx502-lint/rules"
)

// The defaults of `logs`: Debian's, Ubuntu's, RHEL's and nginx.org's
// error log, and the configuration the linter reads.
var (
	logsDefaultErrorLog = "/var/log/nginx/error.log"
	logsDefaultConfig   = []string{"/etc/nginx", "/etc/php", "/etc/php-fpm.conf", "/usr/local/etc/php-fpm.conf"}
)

const logsHelp = `Reads nginx error logs and explains the upstream errors behind 502 and 504 responses:
connect() failures (2: No such file or directory, 13: Permission denied, 111: Connection refused,
11: Resource temporarily unavailable), upstream timed out (110), recv() failed (104: Connection
reset by peer), upstream prematurely closed connection, upstream sent too big header, no live
upstreams. It groups them by cause and upstream, with counts and first/last times, names the
fastcgi_pass / proxy_pass (or upstream server) each came from — matched by the log's server name,
upstream address and request — and the linter rule that predicts the error, with its finding and
fix when it fires on the configuration.

FILE is an error log (default /var/log/nginx/error.log), - for standard input; gzip files
(error.log.2.gz) are read too. A directory among the arguments is configuration, as with
--config-tree. Without --config-tree, /etc/nginx and /etc/php (RHEL: /etc/php-fpm.conf; Docker:
/usr/local/etc/php-fpm.conf) are read when they exist.

Exit status: 0 no upstream error in the logs, 1 upstream errors found, 2 a log or the
configuration given could not be read, or wrong usage.`

var logsCommand = &cli.Command{
	Name:        "logs",
	Usage:       "explain nginx's error log: upstream errors by cause, with the configuration line and rule behind each",
	UsageText:   "nginx502-lint logs [flags] [FILE...]\n\n   nginx502-lint logs                      # /var/log/nginx/error.log, with /etc/nginx and /etc/php\n   nginx502-lint logs /var/log/nginx/error.log.1 /var/log/nginx/error.log.2.gz\n   nginx502-lint logs --since 1h                         # during an outage: the last hour only\n   tail -n 5000 /var/log/nginx/error.log | nginx502-lint logs -\n   nginx502-lint logs --config-tree /srv/etc/nginx --config-tree /srv/etc/php error.log",
	Description: logsHelp,
	Flags: append(append([]cli.Flag{}, loadFlags...),
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output `FORMAT`: text or json"},
		&cli.StringSliceFlag{Name: "config-tree", Usage: "read the configuration from `PATH` (repeatable or comma-separated; same paths as the linter's, default /etc/nginx,/etc/php)"},
		&cli.BoolFlag{Name: "no-config-tree", Usage: "read no configuration: group and explain the log lines only"},
		&cli.StringFlag{Name: "since", Usage: "explain only the errors logged at or after `WHEN`: a time back from now (30m, 2h, 1d) or a time as nginx writes it (2026/11/26 06:00[:00], local time)"},
	),
	Action: logsAction,
}

func logsAction(c *cli.Context) error {
	format := c.String("format")
	if format != "text" && format != "json" {
		return usageError(c, "unknown --format %q for logs (want text or json)", format)
	}
	var files []string
	configPaths := c.StringSlice("config-tree")
	for _, a := range c.Args().Slice() {
		if a != "-" && logsIsDir(a) {
			configPaths = append(configPaths, a)
			continue
		}
		files = append(files, a)
	}
	if len(files) == 0 {
		files = []string{logsDefaultErrorLog}
	}
	if c.Bool("no-config-tree") && len(configPaths) > 0 {
		return usageError(c, "--no-config-tree and configuration paths (%s) exclude each other", strings.Join(configPaths, ", "))
	}
	var since time.Time
	if s := c.String("since"); s != "" {
		var err error
		if since, err = parseSince(s, time.Now()); err != nil {
			return usageError(c, "--since %q: %v", s, err)
		}
	}
	report := &triage.Report{Version: version()}
	var entries []errorlog.Entry
	before := 0 // upstream errors logged before --since
	stream := 0 // upstream errors of the stream module
	for _, name := range files {
		f, err := errorlog.Open(name, c.App.Reader)
		if err != nil {
			fmt.Fprintf(c.App.ErrWriter, "nginx502-lint: logs: %v\n", logsOpenError(name, err))
			return exitCode(exitError)
		}
		shown := name
		if name == "-" {
			shown = "<stdin>"
		}
		left := 0
		st, err := errorlog.Read(f, shown, func(e errorlog.Entry) {
			if !e.Time.IsZero() && e.Time.Before(since) {
				left++
				return
			}
			entries = append(entries, e)
		})
		f.Close()
		if err != nil {
			fmt.Fprintf(c.App.ErrWriter, "nginx502-lint: logs: %v\n", err)
			return exitCode(exitError)
		}
		report.Logs = append(report.Logs, triage.LogFile{Name: shown, Lines: st.Lines, Entries: st.Entries - left})
		before += left
		stream += st.Stream
	}
	if stream > 0 {
		report.Notes = append(report.Notes, fmt.Sprintf("%s of the stream module (TCP and UDP proxying) left out: its clients get no 502 or 504, nginx closes their connection", plural(stream, "upstream error")))
	}
	if !since.IsZero() {
		report.Notes = append(report.Notes, fmt.Sprintf("--since %s: %s logged before it left out", since.Format("2006/01/02 15:04:05"), plural(before, "upstream error")))
	}
	var model *lint.Model
	var findings []lint.Finding
	if !c.Bool("no-config-tree") {
		var err error
		model, err = logsConfig(c, configPaths, report)
		if err != nil {
			return err
		}
		if model != nil {
			findings = lint.Run(model, rules.All())
			report.ConfigFiles = len(model.Sources)
		}
	}
	report.Groups = triage.Build(entries, model, findings)
	var err error
	if format == "json" {
		err = triage.WriteJSON(c.App.Writer, report)
	} else {
		err = triage.WriteText(c.App.Writer, report)
	}
	if err != nil {
		return err
	}
	if len(report.Groups) > 0 {
		return exitCode(exitFindings)
	}
	return nil
}

// sinceLayouts are the times --since takes: as nginx writes them, and ISO.
var sinceLayouts = []string{"2006/01/02 15:04:05", "2006/01/02 15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05"}

var errSince = errors.New("want a duration (30m, 2h, 1d) or a time (2026/11/26 06:00)")

// parseSince reads --since: a duration back from now (Go's, plus days:
// 1d, 1d12h) or a local time.
func parseSince(s string, now time.Time) (time.Time, error) {
	for _, layout := range sinceLayouts {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	days := 0
	rest := s
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return time.Time{}, errSince
		}
		days, rest = n, s[i+1:]
	}
	var d time.Duration
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil {
			return time.Time{}, errSince
		}
	}
	if d < 0 || days < 0 {
		return time.Time{}, errors.New("a duration back from now cannot be negative")
	}
	return now.AddDate(0, 0, -days).Add(-d), nil
}

// logsConfig loads the configuration the log is explained with. Paths
// given that cannot be read are an error (exit 2); the defaults are read
// when they exist, and their absence is a note. A configuration read with
// errors is used as far as it was read, with a note.
func logsConfig(c *cli.Context, paths []string, report *triage.Report) (*lint.Model, error) {
	root := c.String("root")
	explicit := len(paths) > 0
	if !explicit {
		for _, p := range logsDefaultConfig {
			if logsPathExists(filepath.Join(root, p)) {
				paths = append(paths, p)
			}
		}
		if len(paths) == 0 {
			report.Notes = append(report.Notes, "configuration not read: no /etc/nginx or /etc/php here; give it with --config-tree to name the lines responsible")
			return nil, nil
		}
	}
	opts := parsers.Options{Paths: paths, Root: root, FPMPrefix: c.String("fpm-prefix"), MaxFileSize: c.Int64("max-file-size"), Env: os.LookupEnv}
	switch {
	case c.Bool("nginx") && c.Bool("fpm"):
		return nil, usageError(c, "--nginx and --fpm exclude each other")
	case c.Bool("nginx"):
		opts.Force = lint.KindNginx
	case c.Bool("fpm"):
		opts.Force = lint.KindFPM
	}
	model, err := parsers.Load(opts)
	if err == nil {
		return model, nil
	}
	empty := model == nil || (model.Nginx == nil && len(model.FPMs) == 0)
	if explicit && empty {
		printLoadErrors(c.App.ErrWriter, err)
		return nil, exitCode(exitError)
	}
	var les lint.LoadErrors
	if errors.As(err, &les) {
		for _, e := range les {
			report.Notes = append(report.Notes, "configuration: "+e.Error())
		}
	} else {
		report.Notes = append(report.Notes, "configuration: "+err.Error())
	}
	if empty {
		return nil, nil
	}
	report.Notes = append(report.Notes, "the configuration was read with errors: places and findings may be missing")
	return model, nil
}

func logsIsDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func logsPathExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func logsOpenError(name string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: no such file (give the error log's path; nginx -T | grep error_log shows it)", name)
	}
	return err
}
