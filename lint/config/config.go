// Package config reads .nginx502-lint.yml, the project's configuration file:
//
//	rules:
//	  disable: [rule-id, …]
//	  <rule-id>:
//	    severity: error|warning|note|off
//	    options: {name: value, …}     # what the rule's documentation lists
//	exclude: [glob, …]
//	root: deploy
//	nginx_user: www-data
//	fail_on: warning
//	min_severity: note
//
// The schema is strict: an unknown key, a wrong type or a bad value is an
// error naming the file, line and column. Rule ids and rule options are
// checked against the catalogue by Validate, which the caller runs once it
// knows the rules.
package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/filter"
)

// FileName is the configuration file Find looks for.
const FileName = ".nginx502-lint.yml"

// Defaults of the thresholds when neither the file nor a flag sets them.
const (
	DefaultFailOn      = lint.Warning
	DefaultMinSeverity = lint.Note
)

// Config is a loaded configuration file. The zero value (no file) changes
// nothing.
type Config struct {
	// Path is the file read; "" when there is none.
	Path string
	// Disable lists the ids of rules.disable.
	Disable []RuleRef
	// Rules holds the per-rule sections, by rule id.
	Rules map[string]*RuleConfig
	// Exclude lists globs of files whose findings are dropped, relative to
	// the file's directory (see filter.Exclude).
	Exclude []string
	// Root stands for / like --root, relative to the file's directory
	// (see RootDir); "" when unset.
	Root string
	// NginxUser overrides the user nginx's workers run as: "user" or
	// "user group"; "" when unset.
	NginxUser string
	// FailOn is the least severity that makes the exit status 1; 0 when
	// unset (DefaultFailOn).
	FailOn lint.Severity
	// MinSeverity is the least severity shown; 0 when unset
	// (DefaultMinSeverity).
	MinSeverity lint.Severity
}

// RuleRef is a rule id where the file names it.
type RuleRef struct {
	ID  string
	Pos lint.Pos
}

// RuleConfig is one rule's section.
type RuleConfig struct {
	RuleRef
	// Severity replaces the rule's default; 0 keeps it.
	Severity lint.Severity
	// Off is true for "severity: off".
	Off bool
	// Options are the rule's free-form settings, as written.
	Options map[string]Option
}

// Option is one rule option: a string or number as written ("8k", "5s", "3").
type Option struct {
	Value string
	Pos   lint.Pos
}

// Find walks up from startDir to the filesystem root and returns the first
// .nginx502-lint.yml it meets, or "" when there is none.
func Find(startDir string) (string, error) {
	dir, err := filepath.Abs(startDir)
	if err != nil {
		return "", fmt.Errorf("find %s: %w", FileName, err)
	}
	for {
		p := filepath.Join(dir, FileName)
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.Mode().IsRegular():
			return p, nil
		case err == nil:
			return "", fmt.Errorf("find %s: %s is not a regular file", FileName, p)
		case !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("find %s: %w", FileName, err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// Load reads and checks a configuration file. Its errors are lint.LoadErrors
// ("file:line:col: …"), every problem of the file at once.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return Parse(path, data)
}

// Parse reads a configuration from data; path names it in errors.
func Parse(path string, data []byte) (*Config, error) {
	data, err := utf8Text(data)
	if err != nil {
		return nil, lint.LoadErrors{{Pos: lint.Pos{File: path, Line: 1, Col: 1}, Msg: err.Error()}}
	}
	p := &parser{file: path, data: data, cfg: &Config{Path: path, Rules: map[string]*RuleConfig{}}}
	if i, name := hiddenBreak(data); i >= 0 {
		line, col := yamlLineCol(data, i)
		return nil, lint.LoadErrors{{Pos: lint.Pos{File: path, Line: int32(line), Col: int32(col)},
			Msg: name + ": YAML reads it as a line break, which most editors do not show; replace it with a newline or remove it"}}
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return p.cfg, nil // an empty file changes nothing
	case err != nil:
		return nil, lint.LoadErrors{p.yamlError(err)}
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		p.errorf(&next, "the file holds more than one YAML document")
	} else if !errors.Is(err, io.EOF) {
		p.errs = append(p.errs, p.yamlError(err))
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	p.top(deref(root))
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return p.cfg, nil
}

// Validate reports, with their positions, the rule ids the file names that
// are not among rules, and the options it gives a rule that the rule does
// not take or cannot use.
func (c *Config) Validate(rules []*lint.Rule) error {
	byID := make(map[string]*lint.Rule, len(rules))
	known := make(map[string]bool, len(rules))
	for _, r := range rules {
		byID[r.ID], known[r.ID] = r, true
	}
	var errs lint.LoadErrors
	check := func(r RuleRef) {
		if known[r.ID] {
			return
		}
		msg := fmt.Sprintf("unknown rule %q", r.ID)
		if s := filter.Closest(r.ID, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		errs = append(errs, &lint.LoadError{Pos: r.Pos, Msg: msg})
	}
	for _, r := range c.Disable {
		check(r)
	}
	for _, id := range lint.SortedKeys(c.Rules) {
		check(c.Rules[id].RuleRef)
		if rule := byID[id]; rule != nil {
			errs = append(errs, badOptions(rule, c.Rules[id].Options)...)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sortErrs(errs)
	return errs
}

// badOptions reports the options set that rule does not take, or whose
// value it cannot use (the rule would use its default instead).
func badOptions(rule *lint.Rule, set map[string]Option) lint.LoadErrors {
	errs := make(lint.LoadErrors, 0, len(set))
	takes := map[string]bool{}
	for _, o := range rule.Options {
		takes[o.Name] = true
	}
	for _, name := range lint.SortedKeys(set) {
		value := set[name]
		opt := rule.Option(name)
		var msg string
		switch {
		case opt == nil && len(rule.Options) == 0:
			msg = fmt.Sprintf("rule %s takes no options (%q is set)", rule.ID, name)
		case opt == nil:
			msg = fmt.Sprintf("rule %s takes no option %q", rule.ID, name)
			if s := filter.Closest(name, takes); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += fmt.Sprintf(" (it takes %s)", strings.Join(lint.SortedKeys(takes), ", "))
			}
		case opt.Valid != nil && !opt.Valid(value.Value):
			msg = fmt.Sprintf("rules.%s.options.%s: %q is not %s", rule.ID, name, value.Value, opt.Form)
		default:
			continue
		}
		errs = append(errs, &lint.LoadError{Pos: value.Pos, Msg: msg})
	}
	return errs
}

// Disabled returns the rules turned off: rules.disable and "severity: off".
func (c *Config) Disabled() map[string]bool {
	off := map[string]bool{}
	for _, r := range c.Disable {
		off[r.ID] = true
	}
	for id, rc := range c.Rules {
		if rc.Off {
			off[id] = true
		}
	}
	return off
}

// Severities returns the per-rule severity overrides.
func (c *Config) Severities() map[string]lint.Severity {
	set := map[string]lint.Severity{}
	for id, rc := range c.Rules {
		if rc.Severity != 0 {
			set[id] = rc.Severity
		}
	}
	return set
}

// Options returns a rule's options as strings (nil when it has none).
func (c *Config) Options(id string) map[string]string {
	rc := c.Rules[id]
	if rc == nil || len(rc.Options) == 0 {
		return nil
	}
	out := make(map[string]string, len(rc.Options))
	for k, o := range rc.Options {
		out[k] = o.Value
	}
	return out
}

// Dir is the directory of the file, which relative paths in it are relative
// to; "." without a file.
func (c *Config) Dir() string {
	if c.Path == "" {
		return "."
	}
	return filepath.Dir(c.Path)
}

// RootDir is Root resolved against Dir; "" when Root is unset.
func (c *Config) RootDir() string {
	if c.Root == "" || filepath.IsAbs(c.Root) {
		return c.Root
	}
	return filepath.Join(c.Dir(), c.Root)
}
