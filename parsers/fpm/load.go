// Package fpm loads PHP-FPM's configuration (php-fpm.conf, its pools) and
// the php.ini its workers read into the shared model, reading them as
// php-fpm 8.2 and PHP do: one line at a time with PHP's INI scanner,
// include= where it appears, sections carried across files.
//
// The loader reports what php-fpm could not read (a syntax error, a key
// without a value, '#' used as a comment, a broken name[key], a missing
// include directory) and keeps everything else as written, unknown keys and
// invalid values included: rules judge those, with lint/fpmconf (ValueError
// and the other helpers).
package fpm

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/fpmconf"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// Options says how php-fpm runs.
type Options struct {
	// Prefix is php-fpm's prefix (its -p, else its compiled prefix: /usr on
	// Debian and RHEL, /usr/local in the Docker images): relative include=
	// patterns and unix sockets are resolved against it. "" guesses from
	// the configuration's path (GuessPrefix).
	Prefix string
	// Env looks up the environment php-fpm starts with, for ${NAME}; nil
	// means os.LookupEnv.
	Env func(string) (string, bool)
	// Version is the PHP version when the caller knows it ("8.2", or
	// "8.2.36" for PHP_VERSION); "" reads it from the path.
	Version string
}

// maxIncludeDepth is php-fpm's limit: the main file and four levels of
// include (fpm_conf_load_ini_file refuses a sixth file).
const maxIncludeDepth = 5

// Load reads a master php-fpm.conf (confFile, already mapped with
// fsys.Path) and every file it includes. It returns the model and every file
// read; on load errors (lint.LoadErrors) it still returns what it read.
func Load(fsys *source.FS, confFile string, opts Options) (*lint.FPM, []*lint.Source, error) {
	return load(fsys, confFile, opts, false)
}

// LoadPool reads a pool file given alone, without its master configuration:
// the model is Standalone and has that file as File.
func LoadPool(fsys *source.FS, poolFile string, opts Options) (*lint.FPM, []*lint.Source, error) {
	return load(fsys, poolFile, opts, true)
}

func load(fsys *source.FS, file string, opts Options, standalone bool) (*lint.FPM, []*lint.Source, error) {
	return loadWith(fsys, file, opts, standalone, minPrefetch)
}

// loadWith is load reading the files of an include= in parallel from
// minPrefetch of them on (tests compare with reading them in order).
func loadWith(fsys *source.FS, file string, opts Options, standalone bool, minPrefetch int) (*lint.FPM, []*lint.Source, error) {
	if fsys == nil {
		fsys = &source.FS{}
	}
	confPath := fsys.Unroot(file)
	if opts.Prefix == "" {
		opts.Prefix = GuessPrefix(confPath)
	}
	if opts.Env == nil {
		opts.Env = os.LookupEnv
	}
	version := opts.Version
	if version == "" {
		version = VersionFromPath(confPath)
	}
	f := &lint.FPM{
		File:       file,
		Version:    majorMinor(version),
		Prefix:     opts.Prefix,
		Global:     map[string]*lint.Value{},
		Standalone: standalone,
	}
	l := &loader{
		fsys:  fsys,
		opts:  opts,
		fpm:   f,
		pools: map[string]*lint.Pool{},
		read:  map[string]*lint.Source{},
		res: &resolver{
			vars:     opts.Env,
			consts:   constants(version),
			fallback: hasFallback(version),
		},
		minPrefetch: minPrefetch,
	}
	l.loadFile(file, 1, lint.Pos{})
	for _, p := range f.Pools {
		if v, ok := p.Values["listen"]; ok {
			p.Listen = ParseListen(v.Value, PoolPrefix(p, f.Prefix))
			p.Listen.Value = v
		}
	}
	if len(l.errs) > 0 {
		return f, l.sources, l.errs
	}
	return f, l.sources, nil
}

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return v
}

type loader struct {
	fsys    *source.FS
	opts    Options
	fpm     *lint.FPM
	pools   map[string]*lint.Pool // by ASCII-lowered name
	cur     *lint.Pool            // the open section; nil is [global]
	res     *resolver
	sources []*lint.Source
	read    map[string]*lint.Source // by path
	errs    lint.LoadErrors
	// prefetched holds the files of an include= scanned in parallel, by
	// path, until loadFile takes them; from minPrefetch files on.
	prefetched  map[string]scanned
	minPrefetch int
}

func (l *loader) fail(pos lint.Pos, format string, args ...any) {
	l.errs = append(l.errs, lint.Errorf(pos, format, args...))
}

// loadFile reads one file at include depth depth; from is the include=
// line that named it (zero for the main file).
func (l *loader) loadFile(path string, depth int, from lint.Pos) {
	if depth > maxIncludeDepth {
		l.fail(from, "include= nests more than %d files deep: php-fpm fails with \"failed to include more than 5 files recursively\"; include the pool files from php-fpm.conf directly", maxIncludeDepth)
		return
	}
	sc, ok := l.prefetched[path]
	if ok {
		delete(l.prefetched, path)
	} else {
		sc = l.scan(path)
	}
	if sc.err != nil {
		l.readError(sc.err, from)
		return
	}
	file := sc.file
	// A file included twice is read twice, as php-fpm does, but listed once.
	src, again := l.read[file.Path]
	if !again {
		src = &lint.Source{Path: file.Path, RealPath: file.RealPath, Kind: lint.KindFPM, Size: int64(len(file.Data)), NotUTF8: file.NotUTF8()}
		l.sources = append(l.sources, src)
		l.read[file.Path] = src
	}

	var prevValueEnd byte // last byte of the previous line's value, for hints
	prevNo := 0
	for i := range sc.lines {
		sl := &sc.lines[i]
		lineNo, line, buf := sl.no, sl.text(), sl.buf
		if lineNo != prevNo+1 {
			prevValueEnd = 0 // php-fpm skipped empty lines, unparsed
		}
		prevNo = lineNo
		events, perr, comments := sl.events, sl.perr, sl.comments
		for _, c := range comments {
			if again {
				break
			}
			if !strings.Contains(c.text, lint.Mention) {
				continue
			}
			src.Comments = append(src.Comments, lint.Comment{Pos: lint.Pos{File: file.Path, Line: int32(lineNo), Col: int32(c.off + 1)}, Text: c.text})
		}
		pos := func(off int) lint.Pos { return lint.Pos{File: file.Path, Line: int32(lineNo), Col: int32(off + 1)} }
		var include *iniEvent
		for i := range events {
			ev := &events[i]
			if ev.kind == evEntry && ev.hasValue && ev.name == "include" {
				if include != nil {
					l.fail(pos(ev.keyOff), "two include= on one line: php-fpm fails with \"two includes at the same time !\"; put each on its own line")
					continue
				}
				include = ev
				continue
			}
			l.apply(ev, pos, prevValueEnd, rawValue(line, ev.valOff, comments))
		}
		if perr != nil {
			l.errs = append(l.errs, syntaxError(perr, pos, buf))
		}
		if include != nil && perr == nil {
			l.include(include.value, pos(include.keyOff), depth)
		}
		prevValueEnd = 0
		if n := len(events); n > 0 && events[n-1].hasValue {
			if t := bytes.TrimRight(line, " \t\r"); len(t) > 0 {
				prevValueEnd = t[len(t)-1]
			}
		}
	}
}

// scanned is a file read and cut into parsed lines: the part of loading a
// file that depends on nothing else, done ahead for the files of a glob.
type scanned struct {
	file  *source.File
	err   error
	lines []scannedLine
}

// scannedLine is one line of a file as parseINI reads it; empty lines,
// which php-fpm skips, are not kept.
type scannedLine struct {
	no       int
	buf      []byte // the line with its '\n'
	events   []iniEvent
	perr     *iniError
	comments []iniComment
}

// text is the line without its '\n'.
func (sl *scannedLine) text() []byte { return sl.buf[:len(sl.buf)-1] }

// scan reads the file at path and parses each of its lines, as php-fpm
// does, one at a time (the empty ones are kept, unparsed). It changes
// nothing in the loader, so that several can run at once.
func (l *loader) scan(path string) scanned {
	file, err := l.fsys.ReadFile(path)
	if err != nil {
		return scanned{err: err}
	}
	// Room for every line but the comments that start one, not kept.
	lines := bytes.Count(file.Data, []byte{'\n'}) - bytes.Count(file.Data, []byte("\n;")) + 1
	sc := scanned{file: file, lines: make([]scannedLine, 0, lines)}
	data := file.Data
	for lineNo, start := 1, 0; start < len(data); lineNo++ {
		end := start
		for end < len(data) && data[end] != '\n' {
			end++
		}
		if end == start {
			start = end + 1
			continue // empty: php-fpm skips it
		}
		sl := scannedLine{no: lineNo}
		if end < len(data) {
			sl.buf = data[start : end+1]
		} else {
			sl.buf = append(append(make([]byte, 0, end-start+1), data[start:end]...), '\n')
		}
		start = end + 1
		if off, comment, trivial := trivialComment(sl.buf); trivial {
			if off < 0 || !bytes.Contains(comment, mention) {
				// Blank, or prose (www.conf is 400 lines of it): nothing
				// php-fpm or an inline ignore reads.
				continue
			}
			sl.comments = []iniComment{{off: off, text: string(comment)}}
		} else {
			sl.events, sl.perr, sl.comments = parseINI(sl.buf, l.res)
		}
		sc.lines = append(sc.lines, sl)
	}
	return sc
}

// mention is lint.Mention, for comments read as bytes.
var mention = []byte(lint.Mention)

// minPrefetch is the number of files an include= must match before they
// are read and parsed in parallel.
const minPrefetch = 4

// prefetch scans the files of one include= in parallel; loadFile then
// applies them in order, as php-fpm reads them.
func (l *loader) prefetch(paths []string) {
	var todo []string
	for _, p := range paths {
		if _, ok := l.prefetched[p]; !ok {
			todo = append(todo, p)
		}
	}
	if len(todo) < l.minPrefetch {
		return
	}
	results := make([]scanned, len(todo))
	source.Each(len(todo), func(i int) { results[i] = l.scan(todo[i]) })
	if l.prefetched == nil {
		l.prefetched = make(map[string]scanned, len(todo))
	}
	for i, p := range todo {
		l.prefetched[p] = results[i]
	}
}

// readError reports a file that could not be read, at the include line that
// named it when there is one.
func (l *loader) readError(err error, from lint.Pos) {
	var le *lint.LoadError
	if !errors.As(err, &le) {
		le = &lint.LoadError{Msg: err.Error(), Err: err}
	}
	if from.IsValid() {
		le = &lint.LoadError{Pos: le.Pos, Msg: fmt.Sprintf("%s (included from %s)", le.Msg, from), Err: le.Err}
	}
	l.errs = append(l.errs, le)
}

// apply hands one parsed entry to the model, as php-fpm's
// fpm_conf_ini_parser does.
//
// raw is the value as written, for the entry the rules see.
func (l *loader) apply(ev *iniEvent, pos func(int) lint.Pos, prevValueEnd byte, raw string) {
	switch ev.kind {
	case evSection:
		if lint.LowerASCII(ev.name) == "global" {
			l.cur = nil
			return
		}
		key := lint.LowerASCII(ev.name)
		p, ok := l.pools[key]
		if !ok {
			p = &lint.Pool{
				Name: ev.name,
				Pos:  pos(ev.keyOff),
				FPM:  l.fpm,
				// Room for what a pool usually sets, not grown key by key.
				Values:    make(map[string]*lint.Value, 16),
				PHPValues: make(map[string]*lint.PHPValue, 4),
				Env:       make(map[string]*lint.Value, 4),
			}
			l.pools[key] = p
			l.fpm.Pools = append(l.fpm.Pools, p)
		}
		l.cur = p
	case evEntry:
		if !ev.hasValue {
			l.errs = append(l.errs, noValueError(ev, pos, prevValueEnd))
			return
		}
		if strings.HasPrefix(ev.name, "#") {
			l.fail(pos(ev.keyOff), "'#' does not start a comment in PHP-FPM files: php-fpm fails with \"unknown entry '%s'\"; use ';'", ev.name)
			return
		}
		v := &lint.Value{Key: ev.name, Value: ev.value, Pos: pos(ev.keyOff)}
		e := &lint.Entry{Key: ev.name, Name: ev.name, Value: ev.value, Raw: raw, Pos: v.Pos, ValuePos: pos(ev.valOff)}
		key := lint.LowerASCII(ev.name)
		if l.cur == nil {
			l.fpm.Global[key] = v
			l.fpm.GlobalEntries = append(l.fpm.GlobalEntries, e)
			return
		}
		if kind, known := fpmconf.PoolKey(key); !known || kind == fpmconf.KeyString {
			v.Value = expandPool(v.Value, l.cur.Name)
			e.Value = v.Value
		}
		l.cur.Values[key] = v
		l.cur.Entries = append(l.cur.Entries, e)
	case evArray:
		l.applyArray(ev, pos, raw)
	}
}

func (l *loader) applyArray(ev *iniEvent, pos func(int) lint.Pos, raw string) {
	at := pos(ev.keyOff)
	written := ev.name + "[" + ev.offset + "]"
	if ev.name != "access.suppress_path" && ev.offset == "" {
		l.fail(at, "%s[] needs a name between the brackets: php-fpm fails with \"You must provide a key for field '%s'\"", ev.name, ev.name)
		return
	}
	if l.cur == nil {
		l.fail(at, "%s is in [global]: php-fpm fails with \"Array are not allowed in the global section\"; move it into a pool section", written)
		return
	}
	if !fpmconf.KnownArrayKey(ev.name) {
		hint := "env, php_value, php_admin_value, php_flag, php_admin_flag or access.suppress_path"
		if lower := lint.LowerASCII(ev.name); fpmconf.KnownArrayKey(lower) {
			hint = lower + " (these names are case-sensitive)"
		}
		l.fail(at, "unknown directive %q: php-fpm fails with \"unknown directive '%s'\"; write %s", ev.name, ev.name, hint)
		return
	}
	p := l.cur
	value := ev.value
	e := &lint.Entry{Key: written, Name: ev.name, Index: ev.offset, Array: true, Value: value, Raw: raw, Pos: at, ValuePos: pos(ev.valOff)}
	p.Entries = append(p.Entries, e)
	switch ev.name {
	case "env":
		value = expandPool(value, p.Name)
		e.Value = value
		if _, ok := p.Env[ev.offset]; !ok {
			// php-fpm sets env[] in reverse order of the file, so the
			// first one written is in force.
			p.Env[ev.offset] = &lint.Value{Key: written, Value: value, Pos: at}
		}
	case "php_value", "php_admin_value", "php_flag", "php_admin_flag":
		admin := strings.HasPrefix(ev.name, "php_admin_")
		if strings.HasSuffix(ev.name, "_flag") {
			if b, ok := fpmconf.ParseBool(value); ok {
				value = "0"
				if b {
					value = "1"
				}
			}
		} else {
			value = expandPool(value, p.Name)
			e.Value = value
		}
		// PHP applies the values in reverse order of the file, admin ones
		// last: the first one written wins, an admin one beats the others.
		old, ok := p.PHPValues[ev.offset]
		if !ok || admin && !old.Admin {
			p.PHPValues[ev.offset] = &lint.PHPValue{Key: written, Name: ev.offset, Value: value, Admin: admin, Pos: at}
		}
	case "access.suppress_path":
		p.Values[written] = &lint.Value{Key: written, Value: value, Pos: at}
	}
}

// expandPool replaces $pool as fpm_conf_expand_pool_name does.
func expandPool(s, pool string) string {
	if !strings.Contains(s, "$pool") {
		return s
	}
	return strings.ReplaceAll(s, "$pool", pool)
}

// include follows include=pattern as fpm_conf_ini_parser_include: a
// relative pattern is taken from php-fpm's prefix; glob(3) with GLOB_ERR
// and GLOB_MARK, so a pattern matching nothing only warns, a missing
// directory before a wildcard fails, and directories are skipped.
func (l *loader) include(pattern string, at lint.Pos, depth int) {
	confPattern := pattern
	if !strings.HasPrefix(confPattern, "/") {
		confPattern = strings.TrimSuffix(l.fpm.Prefix, "/") + "/" + confPattern
	}
	mapped := l.fsys.Path(confPattern)
	if source.IsGlob(confPattern) {
		if dir := staticDir(mapped); dir != "" && !l.dirExists(dir) {
			l.fail(at, "include=%s: directory %s does not exist: php-fpm fails with \"Unable to globalize '%s' (ret=2)\"; create it or fix the pattern", pattern, l.fsys.Unroot(dir), confPattern)
			return
		}
	}
	inc := &lint.Include{Pattern: pattern, Pos: at}
	l.fpm.Includes = append(l.fpm.Includes, inc)
	matches, err := l.fsys.Glob(mapped)
	if err != nil {
		// glob(3) reads a malformed pattern (an unclosed '[') literally.
		matches = nil
		if _, serr := os.Stat(mapped); serr == nil {
			matches = []string{mapped}
		}
	}
	files := matches[:0:0]
	for _, m := range matches {
		if !l.isDir(m) {
			files = append(files, m)
		}
	}
	if depth+1 <= maxIncludeDepth {
		l.prefetch(files)
	}
	for _, m := range files {
		inc.Files = append(inc.Files, m)
		l.loadFile(m, depth+1, at)
	}
}

// staticDir returns the directories of a glob pattern before its first
// wildcard element: glob(3) with GLOB_ERR fails when it cannot open it.
func staticDir(pattern string) string {
	parts := strings.Split(filepath.ToSlash(pattern), "/")
	for i, p := range parts {
		if source.IsGlob(p) {
			if i == 0 {
				return ""
			}
			d := strings.Join(parts[:i], "/")
			if d == "" {
				return "/"
			}
			return d
		}
	}
	return ""
}

// dirExists says whether dir exists, on disk or in the overlay.
func (l *loader) dirExists(dir string) bool {
	for p := range l.fsys.Overlay {
		if strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/") {
			return true
		}
	}
	return l.isDir(dir)
}

func (l *loader) isDir(path string) bool {
	if _, ok := l.fsys.Overlay[path]; ok {
		return false
	}
	real, err := l.fsys.Resolve(path)
	if err != nil {
		return false
	}
	fi, err := os.Stat(real)
	return err == nil && fi.IsDir()
}

// rawValue returns an entry's value as written on its line: from valOff to
// the end of the line or the comment that ends it, without trailing blanks.
func rawValue(line []byte, valOff int, comments []iniComment) string {
	if valOff < 0 || valOff > len(line) {
		return ""
	}
	end := len(line)
	for _, c := range comments {
		if c.off >= valOff && c.off < end {
			end = c.off
		}
	}
	return strings.TrimRight(string(line[valOff:end]), " \t\r")
}
