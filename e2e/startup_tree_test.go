package e2e

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// runTimeout bounds each run of nginx -t and php-fpm8.2 -t.
const runTimeout = 5 * time.Second

// installTree copies a rule case into prefix the way installStack copies a
// stack: host paths moved under prefix, line numbers kept.
func installTree(dir, prefix string) error {
	if err := installStack(&stackCase{Dir: dir}, prefix); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(prefix, "expect")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// nginxRuntime are the http-level paths nginx writes to (the temp
// directories, which even nginx -t creates, and the access log it opens),
// set under the prefix when the tree does not set them.
var nginxRuntime = []struct{ name, path string }{
	{"client_body_temp_path", "var/lib/nginx/body"},
	{"proxy_temp_path", "var/lib/nginx/proxy"},
	{"fastcgi_temp_path", "var/lib/nginx/fastcgi"},
	{"uwsgi_temp_path", "var/lib/nginx/uwsgi"},
	{"scgi_temp_path", "var/lib/nginx/scgi"},
	{"access_log", "var/log/nginx/access.log"},
}

var httpOpenRe = regexp.MustCompile(`(?m)^[ \t]*http[ \t]*\{`)

// injectNginxRuntime keeps nginx's own files in the prefix without moving a
// line of nginx.conf: `pid` is appended (main context) unless the tree sets
// it, and the temp paths and access log are written after the `{` of the
// first `http {` line, each unless the tree sets it. (The error log is
// nginx's -e flag.)
func injectNginxRuntime(prefix string) error {
	conf := filepath.Join(prefix, "etc/nginx/nginx.conf")
	data, err := os.ReadFile(conf)
	if err != nil {
		return err
	}
	var all strings.Builder
	err = filepath.WalkDir(filepath.Join(prefix, "etc/nginx"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil //nolint:nilerr // a dangling symlink: nginx says so if it matters
		}
		all.Write(b)
		all.WriteString("\n")
		return nil
	})
	if err != nil {
		return err
	}
	sets := func(name string) bool {
		return regexp.MustCompile(`(?m)^[^#\n]*\b` + name + `\s`).MatchString(all.String())
	}
	text := string(data)
	if loc := httpOpenRe.FindStringIndex(text); loc != nil {
		var add strings.Builder
		for _, d := range nginxRuntime {
			if !sets(d.name) {
				fmt.Fprintf(&add, " %s %s;", d.name, filepath.Join(prefix, d.path))
			}
		}
		text = text[:loc[1]] + add.String() + text[loc[1]:]
	}
	if !sets("pid") {
		if text != "" && !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		text += fmt.Sprintf("pid %s;\n", filepath.Join(prefix, "run/nginx.pid"))
	}
	return os.WriteFile(conf, []byte(text), 0o644)
}

// neutralize fixes a finding in the prefix's copy so that the next run can
// get past it, without moving a line: with the finding's own fix when it
// replaces whole lines, else by commenting out its lines (a block from its
// line to its closing brace). It says what it did.
func (run *startupRunner) neutralize(cl *claim) (string, error) {
	f := cl.finding
	dir, prefix := run.r.c.Dir, run.r.prefix
	rel := relFile(f.Span.Start.File, dir)
	orig, err := os.ReadFile(f.Span.Start.File)
	if err != nil {
		return "", err
	}
	origLines := strings.Split(string(orig), "\n")
	path := filepath.Join(prefix, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	lines := strings.Split(string(data), "\n")
	nginxFile := strings.HasPrefix(rel, "etc/nginx/")
	write := func() error { return os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644) }

	// nginx: the finding's own fix, when it replaces whole lines. (php-fpm
	// fixes may name files the tree lacks; its lines are commented out,
	// which leaves php-fpm's default, or repaired below.)
	if fx := f.Fix; nginxFile && fx != nil && fx.Replacement != "" && fx.Span.Start.File == f.Span.Start.File &&
		fx.Span.Start.Line >= 1 && int(fx.Span.Start.Line) <= len(origLines) && fx.Span.End.Line <= fx.Span.Start.Line {
		n := int(fx.Span.Start.Line)
		repl := strings.Join(strings.Fields(fx.Replacement), " ") // one line: nginx does not mind
		if indent, ok := wholeLine(origLines[n-1], fx.Span); ok {
			lines[n-1] = indent + mapPaths(repl, prefix)
			return fmt.Sprintf("%s:%d replaced by the finding's fix `%s`", rel, n, repl), write()
		}
	}

	first, last := int(f.Span.Start.Line), int(max(f.Span.End.Line, f.Span.Start.Line))
	if first < 1 || last > len(lines) || last > len(origLines) {
		return "", fmt.Errorf("lines %d-%d are not in %s", first, last, rel)
	}
	var block lint.Directive
	if nginxFile && run.model != nil && run.model.Nginx != nil {
		run.model.Nginx.Root.Walk(func(d lint.Directive) bool {
			if d.Pos() == f.Span.Start && d.IsBlock() {
				block = d
			}
			return true
		})
	}
	if !block.IsZero() {
		last = int(block.BlockEnd().Line)
		// An upstream without a (non-backup) server: give it one rather
		// than drop it, which would leave its users pointing at nothing.
		if block.Name() == "upstream" && strings.Contains(cl.Quote, "no servers") {
			if i := strings.IndexByte(lines[first-1], '{'); i >= 0 && first == int(block.Span().End.Line) {
				add := " server " + mapPaths("unix:/run/php/startup.sock", prefix) + ";"
				lines[first-1] = lines[first-1][:i+1] + add + lines[first-1][i+1:]
				return fmt.Sprintf("%s:%d given `%s`", rel, first, strings.TrimSpace(unmapPaths(add, prefix))), write()
			}
		}
	}
	if !nginxFile {
		repaired, done, err := repairFPM(cl, rel, lines, origLines, prefix)
		if err != nil {
			return "", err
		}
		if done != "" {
			lines = repaired
			return done, write()
		}
	}
	mark := ";"
	if nginxFile {
		mark = "#"
	}
	for i := first; i <= last; i++ {
		lines[i-1] = mark + lines[i-1]
	}
	if first == last {
		return fmt.Sprintf("%s:%d commented out", rel, first), write()
	}
	return fmt.Sprintf("%s:%d-%d commented out", rel, first, last), write()
}

// wholeLine reports whether span covers all of line but its indentation and
// a trailing comment, and returns the indentation.
func wholeLine(line string, span lint.Span) (string, bool) {
	start, end := int(span.Start.Col)-1, int(span.End.Col) // End.Col is the last byte, 1-based
	if span.End.Line == 0 || span.End.Line < span.Start.Line {
		return "", false
	}
	if start < 0 || end < start || end > len(line) {
		return "", false
	}
	indent := line[:start]
	if strings.TrimSpace(indent) != "" {
		return "", false
	}
	rest := strings.TrimSpace(line[end:])
	if rest != "" && rest[0] != '#' && rest[0] != ';' {
		return "", false
	}
	return indent, true
}

// runBounded runs a config test within runTimeout and returns its combined
// output and exit status.
func runBounded(t *testing.T, dir string, env []string, bin string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: no answer in %v", bin, strings.Join(args, " "), runTimeout)
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v", bin, err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// portFreeAll reports whether the port is free on every interface (a pool
// may listen on a bare port).
func portFreeAll(port int) error {
	l, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	return l.Close()
}

// fpmRequired are the pool keys php-fpm cannot do without, with a value it
// takes: a finding on one of them is fixed by giving it that value, since
// commenting it out would only trade one error for another.
var fpmRequired = map[string]string{
	"user":            "www-data",
	"listen":          "/run/php/php8.2-fpm-%s.sock", // %s: the pool
	"pm":              "static",
	"pm.max_children": "5",
}

var (
	fpmKeyLineRe  = regexp.MustCompile(`^\s*([A-Za-z_.]+)\s*=`)
	fpmSectionRe  = regexp.MustCompile(`^\s*\[([^\]]+)\]`)
	fpmSetsNoRe   = regexp.MustCompile(`sets no ([a-z_.]+):`)
	claimedPoolRe = regexp.MustCompile(`\[pool ([^\]]+)\]`)
)

// repairFPM fixes a finding on a required pool key: the key's line gets a
// value php-fpm takes, or, for a pool that lacks the key ("sets no user",
// reported at the pool's [name] line), the key is appended to the file
// when that pool is the file's last section. It returns "" when the
// finding is not of that kind.
func repairFPM(cl *claim, rel string, lines, origLines []string, prefix string) ([]string, string, error) {
	n := cl.finding.Span.Start.Line
	m := claimedPoolRe.FindStringSubmatch(cl.Quote)
	if m == nil {
		return lines, "", nil // not a pool's value: a line php-fpm refuses to read
	}
	pool := m[1]
	value := func(key string) string {
		v := fpmRequired[key]
		if strings.Contains(v, "%s") {
			v = fmt.Sprintf(v, pool)
		}
		return v
	}
	if m := fpmKeyLineRe.FindStringSubmatch(origLines[n-1]); m != nil {
		key := strings.ToLower(m[1])
		if _, ok := fpmRequired[key]; !ok {
			return lines, "", nil
		}
		line := key + " = " + value(key)
		lines[n-1] = mapPaths(line, prefix)
		return lines, fmt.Sprintf("%s:%d set to `%s`", rel, n, line), nil
	}
	m = fpmSetsNoRe.FindStringSubmatch(cl.Message)
	if m == nil || !fpmSectionRe.MatchString(origLines[n-1]) {
		return lines, "", nil
	}
	key := m[1]
	if _, ok := fpmRequired[key]; !ok {
		return nil, "", fmt.Errorf("%s: no value known for %s", cl, key)
	}
	for _, l := range origLines[n:] {
		if fpmSectionRe.MatchString(l) {
			return nil, "", fmt.Errorf("%s: the pool is not the last section of %s: cannot append %s", cl, rel, key)
		}
	}
	// appended lines come after every line of the tree: none moves
	line := key + " = " + value(key)
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	lines = append(lines, mapPaths(line, prefix), "")
	return lines, fmt.Sprintf("%s: `%s` appended for [%s]", rel, line, pool), nil
}

// fpmLogRe finds the log files a php-fpm file names.
var fpmLogRe = regexp.MustCompile(`(?m)^\s*(?:error_log|slowlog|access\.log)\s*=\s*(\S+)`)

// makeFPMDirs makes php-fpm's prefix (PREFIX/usr) and the directories of
// the logs the tree names (/var/log/php-fpm for a RHEL-style slowlog):
// a host's packages make them, php-fpm does not, and a missing one fails
// php-fpm -t before the checks the rules speak of.
func makeFPMDirs(prefix, fpmPrefix string) error {
	if err := os.MkdirAll(fpmPrefix, 0o755); err != nil {
		return err
	}
	return filepath.WalkDir(filepath.Join(prefix, "etc/php"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range fpmLogRe.FindAllSubmatch(data, -1) {
			if dir := filepath.Dir(string(m[1])); strings.HasPrefix(dir, prefix+"/") {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// replaceLine replaces line file:line of the prefix's copy (relative to the
// tree) with a line written with the tree's paths.
func (run *startupRunner) replaceLine(where, with string) (string, error) {
	i := strings.LastIndexByte(where, ':')
	n, err := strconv.Atoi(where[i+1:])
	if i < 0 || err != nil {
		return "", fmt.Errorf("bad file:line %q", where)
	}
	path := filepath.Join(run.r.prefix, where[:i])
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	lines := strings.Split(string(data), "\n")
	if n < 1 || n > len(lines) {
		return "", fmt.Errorf("%s: no line %d", where[:i], n)
	}
	lines[n-1] = mapPaths(with, run.r.prefix)
	return fmt.Sprintf("%s set to `%s`", where, with), os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
}
