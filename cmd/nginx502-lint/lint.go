package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/config"
	"github.com/nginx502-lint/nginx502-lint/lint/filter"
	"github.com/nginx502-lint/nginx502-lint/lint/printers"
	"github.com/nginx502-lint/nginx502-lint/parsers"
	"github.com/nginx502-lint/nginx502-lint/parsers/nginx"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
	"github.com/nginx502-lint/nginx502-lint/rules"
)

// settings are the command line and the configuration file combined.
type settings struct {
	cfg         *config.Config
	failOn      lint.Severity
	minSeverity lint.Severity
	disabled    map[string]bool
	// onlyFile is the file whose findings alone are reported (editor mode).
	onlyFile string
}

func readSettings(c *cli.Context) (*settings, error) {
	s := &settings{cfg: &config.Config{}, disabled: map[string]bool{}}
	if !c.Bool("no-config") {
		path := c.String("config")
		if path == "" {
			found, err := config.Find(".")
			if err != nil {
				return nil, err
			}
			path = found
		}
		if path != "" {
			cfg, err := config.Load(path)
			if err != nil {
				return nil, err
			}
			if err := cfg.Validate(printers.Catalogue(rules.All())); err != nil {
				return nil, err
			}
			s.cfg = cfg
		}
	}
	for id := range s.cfg.Disabled() {
		s.disabled[id] = true
	}
	for _, list := range c.StringSlice("disable") {
		for _, id := range strings.Split(list, ",") {
			id = strings.TrimSpace(id)
			if rules.ByID(id) == nil {
				return nil, fmt.Errorf("--disable %s: no such rule (nginx502-lint rules lists them)", id)
			}
			s.disabled[id] = true
		}
	}
	var err error
	if s.failOn, err = severityFlag(c, "fail-on", s.cfg.FailOn, config.DefaultFailOn); err != nil {
		return nil, err
	}
	if s.minSeverity, err = severityFlag(c, "min-severity", s.cfg.MinSeverity, config.DefaultMinSeverity); err != nil {
		return nil, err
	}
	return s, nil
}

func severityFlag(c *cli.Context, name string, fromConfig, def lint.Severity) (lint.Severity, error) {
	if v := c.String(name); v != "" {
		sev, err := lint.ParseSeverity(v)
		if err != nil {
			return 0, fmt.Errorf("--%s: %w", name, err)
		}
		return sev, nil
	}
	if fromConfig != 0 {
		return fromConfig, nil
	}
	return def, nil
}

func knownRules() map[string]bool {
	known := map[string]bool{}
	for _, r := range printers.Catalogue(rules.All()) {
		known[r.ID] = true
	}
	return known
}

// loadOptions builds the loader's options from the flags, the
// configuration file and the arguments; in editor mode it finds the main
// configuration above the file given.
func loadOptions(c *cli.Context, s *settings) (parsers.Options, error) {
	opts := parsers.Options{
		Paths:       c.Args().Slice(),
		Root:        c.String("root"),
		FPMPrefix:   c.String("fpm-prefix"),
		MaxFileSize: c.Int64("max-file-size"),
		Env:         os.LookupEnv,
	}
	if opts.Root == "" && s.cfg.Root != "" {
		opts.Root = relativeToWorkingDir(s.cfg.RootDir())
	}
	opts.Paths = insideRoot(opts.Root, opts.Paths)
	switch {
	case c.Bool("nginx") && c.Bool("fpm"):
		return opts, errors.New("--nginx and --fpm exclude each other")
	case c.Bool("nginx"):
		opts.Force = lint.KindNginx
	case c.Bool("fpm"):
		opts.Force = lint.KindFPM
	}
	if name := c.String("stdin-filename"); name != "" {
		data, err := readStdin(c)
		if err != nil {
			return opts, err
		}
		name = insideRoot(opts.Root, []string{name})[0]
		onDisk := (&source.FS{Root: opts.Root}).Path(name)
		opts.Overlay = map[string][]byte{onDisk: data}
		if len(opts.Paths) == 0 {
			opts.Paths = []string{name}
		}
		s.onlyFile = onDisk
	}
	if len(opts.Paths) == 0 {
		return opts, errors.New("no PATH given: name the configuration to check, e.g. /etc/nginx /etc/php")
	}
	for _, p := range opts.Paths {
		if p == "-" {
			if c.String("stdin-filename") != "" {
				return opts, errors.New("--stdin-filename and - both read standard input: give one of them")
			}
			data, err := readStdin(c)
			if err != nil {
				return opts, err
			}
			opts.Stdin = data
		}
	}
	if len(opts.Paths) == 1 && opts.Force == "" {
		if main, file, ok := editorTarget(opts); ok {
			opts.Paths = append([]string{main}, otherSide(opts, main)...)
			s.onlyFile = file
		}
	}
	return opts, nil
}

// readStdin reads standard input (an nginx -T dump, an editor's buffer) up
// to --max-file-size, as a file would be read.
func readStdin(c *cli.Context) ([]byte, error) {
	limit := (&source.FS{MaxSize: c.Int64("max-file-size")}).Limit()
	data, err := io.ReadAll(io.LimitReader(c.App.Reader, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read standard input: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, lint.Errorf(lint.Pos{File: "<stdin>"}, "standard input is over the %d-byte limit: is this really a configuration? (raise the limit with --max-file-size)", limit)
	}
	return data, nil
}

// relativeToWorkingDir keeps paths relative where it can, so that reports,
// baselines and SARIF fingerprints do not depend on where the checkout is.
func relativeToWorkingDir(dir string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(dir) {
		return dir
	}
	if rel, err := filepath.Rel(wd, dir); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return dir
}

// insideRoot turns absolute paths that already point inside --root (an
// editor passes /home/me/repo/deploy/etc/nginx/x.conf) into the paths the
// server knows (/etc/nginx/x.conf).
func insideRoot(root string, paths []string) []string {
	if root == "" {
		return paths
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return paths
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p
		if !filepath.IsAbs(p) {
			continue
		}
		if rel, err := filepath.Rel(absRoot, p); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			out[i] = "/" + filepath.ToSlash(rel)
		}
	}
	return out
}

// editorTarget recognises one file inside a configuration tree (not the
// main file): it returns the main configuration above it, to be loaded
// whole, and the file whose findings alone are wanted.
func editorTarget(opts parsers.Options) (main, file string, ok bool) {
	arg := opts.Paths[0]
	if arg == "-" {
		return "", "", false
	}
	fsys := &source.FS{Root: opts.Root, Overlay: opts.Overlay}
	isFile := func(p string) bool {
		if _, overlaid := opts.Overlay[p]; overlaid {
			return true
		}
		real, err := fsys.Resolve(p)
		if err != nil {
			return false
		}
		fi, err := os.Stat(real)
		return err == nil && !fi.IsDir()
	}
	onDisk := fsys.Path(arg)
	base := filepath.Base(arg)
	if !isFile(onDisk) || base == "nginx.conf" || base == "php-fpm.conf" {
		return "", "", false
	}
	for dir := filepath.Dir(arg); ; dir = filepath.Dir(dir) {
		for _, name := range []string{"nginx.conf", "php-fpm.conf"} {
			candidate := filepath.Join(dir, name)
			if isFile(fsys.Path(candidate)) {
				return candidate, onDisk, true
			}
		}
		if parent := filepath.Dir(dir); parent == dir || strings.Count(filepath.ToSlash(arg), "/")-strings.Count(filepath.ToSlash(dir), "/") >= 4 {
			break
		}
	}
	return "", "", false
}

// otherSide returns, for the editor mode on a server's absolute paths (or
// under --root), the standard place of the other half of the stack: the
// pools behind nginx, or the nginx in front of a pool.
func otherSide(opts parsers.Options, main string) []string {
	if !filepath.IsAbs(main) {
		return nil
	}
	fsys := &source.FS{Root: opts.Root}
	var candidates []string
	if filepath.Base(main) == "nginx.conf" {
		candidates = []string{"/etc/php", "/etc/php-fpm.conf", "/usr/local/etc/php-fpm.conf"}
	} else {
		candidates = []string{"/etc/nginx"}
	}
	var out []string
	for _, c := range candidates {
		if real, err := fsys.Resolve(fsys.Path(c)); err == nil {
			if _, err := os.Stat(real); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// result is one run: the model, the findings after every filter, and what
// could not be checked.
type result struct {
	model    *lint.Model
	findings []lint.Finding
	skipped  []string
	elapsed  time.Duration
}

// check loads the configuration and runs the rules; the error is a load or
// usage error (exit 2), already printed.
func check(c *cli.Context, s *settings) (*result, error) {
	start := time.Now()
	opts, err := loadOptions(c, s)
	var le *lint.LoadError
	switch {
	case errors.As(err, &le): // standard input too large
		printErrorsIn(c, lint.LoadErrors{le}, 0, time.Since(start))
		return nil, exitCode(exitError)
	case err != nil:
		return nil, usageError(c, "%v", err)
	}
	model, err := parsers.Load(opts)
	lint.Tracef("loaded: %d files", len(model.Sources))
	if err != nil {
		files := 0
		if model != nil {
			files = len(model.Sources)
		}
		printErrorsIn(c, err, files, time.Since(start))
		return nil, exitCode(exitError)
	}
	collectLoaded()
	if u := s.cfg.NginxUser; u != "" && model.Nginx != nil {
		name, group, _ := strings.Cut(u, " ")
		if group == "" {
			group = name
		}
		model.Nginx.User = lint.NginxUser{Name: name, Group: strings.TrimSpace(group), Override: s.cfg.Path + ": nginx_user"}
	}
	var liveNotes []string
	if c.Bool("live") {
		if liveNotes, err = probeLive(c, opts.Root, model); err != nil {
			return nil, err
		}
	}
	var enabled []*lint.Rule
	options := map[string]map[string]string{}
	ran := map[string]bool{}
	for _, r := range rules.All() {
		if s.disabled[r.ID] {
			continue
		}
		enabled = append(enabled, r)
		ran[r.ID] = true
		options[r.ID] = s.cfg.Options(r.ID)
	}
	findings := lint.RunWithOptions(model, enabled, options)
	lint.Tracef("rules run: %d findings", len(findings))
	var processors []filter.Processor
	if !c.Bool("no-inline-ignores") {
		ran[filter.InvalidIgnore.ID], ran[filter.UnusedIgnore.ID] = true, true
		processors = append(processors, &filter.Inline{Sources: model.Sources, Statements: statementsIfIgnored(model), Known: knownRules(), Ran: ran})
	}
	processors = append(processors,
		filter.Severity{Set: s.cfg.Severities(), Off: s.disabled},
		filter.Exclude{Patterns: s.cfg.Exclude, Base: s.cfg.Dir(), RealPath: realPaths(model)},
	)
	if path := c.String("baseline"); path != "" {
		b, err := filter.LoadBaseline(path)
		if err != nil {
			return nil, usageError(c, "--baseline: %v", err)
		}
		processors = append(processors, b)
	}
	processors = append(processors, filter.MinSeverity{Min: s.minSeverity})
	if s.onlyFile != "" {
		processors = append(processors, filter.OnlyFile{File: s.onlyFile, RealPath: realPaths(model)})
	}
	findings = filter.Apply(findings, processors...)
	lint.Tracef("filters applied")
	if s.onlyFile != "" {
		retarget(findings, s.onlyFile, realPaths(model))
	}
	lint.SortFindings(findings)
	skip := append(skipped(model), liveNotes...)
	if s.onlyFile != "" && !reached(model, s.onlyFile) {
		if err := checkAlone(opts, s.onlyFile); err != nil {
			printErrorsIn(c, err, 1, time.Since(start))
			return nil, exitCode(exitError)
		}
		skip = append(skip, s.onlyFile+" is not included from nginx.conf or php-fpm.conf: only its syntax was checked")
	}
	return &result{model: model, findings: findings, skipped: skip, elapsed: time.Since(start)}, nil
}

func lintAction(c *cli.Context) error {
	s, err := readSettings(c)
	if err != nil {
		return settingsError(c, err)
	}
	format := c.String("format")
	if _, ok := printers.ByName(format); !ok {
		return usageError(c, "unknown --format %q (want one of %s)", format, strings.Join(printers.Names(), ", "))
	}
	switch color := c.String("color"); color {
	case "auto", "always", "never":
	default:
		return usageError(c, "unknown --color %q (want auto, always or never)", color)
	}
	outputs, err := parseOutputs(c.StringSlice("output"))
	if err != nil {
		return usageError(c, "%v", err)
	}
	res, err := check(c, s)
	if err != nil {
		return err
	}
	report := &printers.Report{
		Version: version(), Rules: rules.All(), Findings: res.findings,
		Files: len(res.model.Sources), Elapsed: res.elapsed, Skipped: res.skipped,
	}
	popts := printers.Options{Color: useColor(c), Root: c.String("sarif-root"), RealPath: realPaths(res.model)}
	p, _ := printers.ByName(format)
	if err := p.Print(c.App.Writer, report, popts); err != nil {
		return err
	}
	lint.Tracef("output written")
	for _, o := range outputs {
		if err := writeOutput(o, report, popts); err != nil {
			fmt.Fprintf(c.App.ErrWriter, "nginx502-lint: %v\n", err)
			return exitCode(exitError)
		}
	}
	for _, f := range res.findings {
		if f.Severity >= s.failOn {
			return exitCode(exitFindings)
		}
	}
	return nil
}

// settingsError prints a configuration-file or flag error: exit 2.
func settingsError(c *cli.Context, err error) error {
	var les lint.LoadErrors
	var le *lint.LoadError
	if errors.As(err, &les) || errors.As(err, &le) {
		printLoadErrors(c.App.ErrWriter, err)
		return exitCode(exitError)
	}
	return usageError(c, "%v", err)
}

// printErrorsIn shows load errors in the chosen format, so that CI
// annotations and SARIF carry them too, with the number of files read for
// the summary ("1 error in 3 files").
func printErrorsIn(c *cli.Context, err error, files int, elapsed time.Duration) {
	var les lint.LoadErrors
	if !errors.As(err, &les) {
		printLoadErrors(c.App.Writer, err)
		return
	}
	p, ok := printers.ByName(c.String("format"))
	if !ok {
		printLoadErrors(c.App.Writer, err)
		return
	}
	report := &printers.Report{Version: version(), Rules: rules.All(), Errors: les, Files: files, Elapsed: elapsed}
	popts := printers.Options{Color: useColor(c), Root: c.String("sarif-root")}
	if err := p.Print(c.App.Writer, report, popts); err != nil {
		printLoadErrors(c.App.Writer, les)
	}
	// CI uploads the SARIF file even when the configuration is unreadable:
	// the load errors are results there too.
	outputs, _ := parseOutputs(c.StringSlice("output"))
	for _, o := range outputs {
		if err := writeOutput(o, report, popts); err != nil {
			fmt.Fprintf(c.App.ErrWriter, "nginx502-lint: %v\n", err)
		}
	}
}

type output struct{ format, file string }

func parseOutputs(specs []string) ([]output, error) {
	var outs []output
	for _, spec := range specs {
		format, file, ok := strings.Cut(spec, "=")
		if !ok || file == "" {
			return nil, fmt.Errorf("--output %q: write FORMAT=FILE, e.g. sarif=results.sarif", spec)
		}
		if _, known := printers.ByName(format); !known {
			return nil, fmt.Errorf("--output %q: unknown format %q (want one of %s)", spec, format, strings.Join(printers.Names(), ", "))
		}
		outs = append(outs, output{format, file})
	}
	return outs, nil
}

func writeOutput(o output, report *printers.Report, popts printers.Options) error {
	f, err := os.Create(o.file)
	if err != nil {
		return fmt.Errorf("--output %s: %w", o.file, err)
	}
	p, _ := printers.ByName(o.format)
	popts.Color = false
	if err := p.Print(f, report, popts); err != nil {
		f.Close()
		return fmt.Errorf("--output %s: %w", o.file, err)
	}
	return f.Close()
}

func useColor(c *cli.Context) bool {
	switch c.String("color") {
	case "always":
		return true
	case "never":
		return false
	}
	if _, noColor := os.LookupEnv("NO_COLOR"); noColor {
		return false
	}
	return isTerminal(c.App.Writer)
}

// realPaths maps each file as reached to its real path (sites-enabled/x →
// sites-available/x).
func realPaths(m *lint.Model) func(string) string {
	// Built on first use: most runs ask for no file's real path.
	real := sync.OnceValue(func() map[string]string {
		real := make(map[string]string, len(m.Sources))
		for _, s := range m.Sources {
			real[s.Path] = s.RealPath
		}
		return real
	})
	return func(p string) string { return real()[p] }
}

// checkAlone reads a file the configuration does not include, so that the
// editor still sees its syntax errors: an nginx file is parsed on its own
// (its includes and context are unknown), a PHP-FPM file loaded as a pool.
func checkAlone(opts parsers.Options, file string) error {
	fsys := &source.FS{Root: opts.Root, Overlay: opts.Overlay, MaxSize: opts.MaxFileSize}
	f, err := fsys.ReadFile(file)
	if err != nil {
		return lint.LoadErrors{asLoadError(err)}
	}
	if parsers.Sniff(filepath.Base(file), f.Data) != lint.KindNginx {
		return nil
	}
	if _, _, err := nginx.Parse(file, f.Data); err != nil {
		return err
	}
	return nil
}

func asLoadError(err error) *lint.LoadError {
	var le *lint.LoadError
	if errors.As(err, &le) {
		return le
	}
	return &lint.LoadError{Msg: err.Error(), Err: err}
}

// reached reports whether file was read as part of the configuration.
func reached(m *lint.Model, file string) bool {
	real := realPaths(m)
	want := filepath.Clean(file)
	for _, src := range m.Sources {
		if filepath.Clean(src.Path) == want || filepath.Clean(real(src.Path)) == want {
			return true
		}
	}
	return false
}

// retarget names the editor's file as the editor gave it: a finding
// reached through sites-enabled/shop.conf is reported at
// sites-available/shop.conf when that is the file being edited.
func retarget(findings []lint.Finding, file string, real func(string) string) {
	want := real(file)
	if want == "" {
		want = file
	}
	same := func(p string) bool {
		r := real(p)
		if r == "" {
			r = p
		}
		a, errA := filepath.Abs(r)
		b, errB := filepath.Abs(want)
		return errA == nil && errB == nil && a == b
	}
	fix := func(p *lint.Pos) {
		if p.File != file && same(p.File) {
			p.File = file
		}
	}
	for i := range findings {
		f := &findings[i]
		fix(&f.Span.Start)
		fix(&f.Span.End)
		for j := range f.Related {
			fix(&f.Related[j].Pos)
		}
		if f.Fix != nil {
			fix(&f.Fix.Span.Start)
			fix(&f.Fix.Span.End)
		}
	}
}

// skipped says which cross-checks could not run, and why.
func skipped(m *lint.Model) []string {
	var out []string
	switch {
	case m.Nginx == nil:
		out = append(out, "no nginx configuration given: fastcgi_pass targets, buffers and timeouts were not checked")
	case len(m.Pools()) == 0:
		out = append(out, "no PHP-FPM configuration given: fastcgi_pass targets were not matched to pools, socket permissions and the timeout chain were not checked")
	}
	if m.Nginx != nil && len(m.Pools()) > 0 && m.Accounts == nil {
		out = append(out, "no /etc/passwd or /etc/group given (use --root): the nginx user's groups are unknown, so socket permissions rest on owner and group names only")
	}
	return out
}

// statementsIfIgnored returns statements(m) when some file has an ignore
// comment, nil otherwise: listing every directive of a large tree costs
// more than the rest of the filtering.
func statementsIfIgnored(m *lint.Model) []lint.Span {
	for _, src := range m.Sources {
		for _, c := range src.Comments {
			if strings.Contains(c.Text, lint.Mention) {
				return statements(m)
			}
		}
	}
	return nil
}

// statements lists the span of every directive, block and pool key, for
// inline ignores ("the next statement").
func statements(m *lint.Model) []lint.Span {
	var out []lint.Span
	if m.Nginx != nil {
		m.Nginx.Root.Walk(func(d lint.Directive) bool {
			s := d.Span()
			if d.IsBlock() && d.BlockEnd().IsValid() {
				s.End = d.BlockEnd()
			}
			out = append(out, s)
			return true
		})
	}
	for _, f := range m.FPMs {
		add := func(vs map[string]*lint.Value) {
			for _, v := range vs {
				if v.Pos.IsValid() {
					out = append(out, lint.Span{Start: v.Pos, End: v.Pos})
				}
			}
		}
		add(f.Global)
		for _, p := range f.Pools {
			out = append(out, lint.Span{Start: p.Pos, End: p.Pos})
			add(p.Values)
			add(p.Env)
			for _, v := range p.PHPValues {
				out = append(out, lint.Span{Start: v.Pos, End: v.Pos})
			}
		}
		if f.PHPIni != nil {
			add(f.PHPIni.Values)
		}
	}
	return out
}
