package nginx

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// maxIncludeDepth bounds include nesting (a longer chain is surely a loop
// through differently named paths).
const maxIncludeDepth = 64

// Load reads the nginx configuration whose main file is mainFile (a path
// already mapped by fsys.Path) and every file it includes, the way nginx
// does: relative include patterns resolve against the main file's directory,
// absolute ones through fsys (so --root applies), glob patterns may match
// nothing, a plain path must exist. It returns the tree with the facts
// derived, one Source per file read, and a lint.LoadErrors with every error
// found; the model is then partial but still usable for messages.
func Load(fsys *source.FS, mainFile string) (*lint.Nginx, []*lint.Source, error) {
	return newLoader(fsys, mainFile).run()
}

type loader struct {
	fsys     *source.FS
	main     string
	prefix   string // nginx's conf prefix: the main file's directory
	dumpOnly bool   // an nginx -T dump: every file must be in fsys.Overlay

	files map[string]*file  // by real path
	real  map[string]string // path as reached → real path
	// minPrefetch is the number of new files a glob must match to be read
	// in parallel (tests raise it to compare with reading in order).
	minPrefetch int
	// dirs lists the files of an nginx -T dump by directory (dumpDirs).
	dirs    map[string][]string
	sources []*lint.Source
	errs    lint.LoadErrors
	slabs   slabPool
	// plain remembers the file each plain (not glob) include pattern read.
	plain map[string]*file
}

// file is a file read and parsed once, whose directives every place that
// includes it shares (a lint.Place each).
type file struct {
	src    *lint.Source
	parsed *lint.NginxFile
	// expanded is set once the file has a place in the tree.
	expanded bool
	// err is the file's syntax error, reported after its first expansion,
	// where nginx meets it.
	err *lint.LoadError
}

func newLoader(fsys *source.FS, mainFile string) *loader {
	return &loader{
		fsys:   fsys,
		main:   mainFile,
		prefix: filepath.Dir(mainFile),
		files:  map[string]*file{},
		real:   map[string]string{},

		minPrefetch: minPrefetch,
	}
}

// emptyModel is a model with no directive: nginx's defaults.
func emptyModel(path string) *lint.Nginx {
	_, root := lint.NewPlace(&lint.NginxFile{Path: path})
	n := &lint.Nginx{File: path, Root: root}
	fillFacts(n)
	return n
}

func (l *loader) run() (*lint.Nginx, []*lint.Source, error) {
	n := &lint.Nginx{File: l.main}
	if f, err := l.read(l.main, fetched{}); err != nil {
		l.errs = append(l.errs, err)
		_, n.Root = lint.NewPlace(&lint.NginxFile{Path: l.main})
	} else {
		main, root := lint.NewPlace(f.parsed)
		n.Root = root
		l.expandFile(main, f, []*file{f})
	}
	lint.Tracef("nginx: includes expanded")
	fillFacts(n)
	lint.Tracef("nginx: upstreams and passes resolved")
	if len(l.errs) > 0 {
		return n, l.sources, l.errs
	}
	return n, l.sources, nil
}

// read returns the parsed file at path, reading it on first use, unless
// pre holds it read ahead. A syntax error is recorded and the directives
// before it are kept.
func (l *loader) read(path string, pre fetched) (*file, *lint.LoadError) {
	if l.dumpOnly {
		if _, ok := l.fsys.Overlay[path]; !ok {
			return nil, &lint.LoadError{Pos: lint.Pos{File: path}, Msg: "not in the nginx -T dump"}
		}
	}
	prefetched := pre.done
	real, ok := l.real[path]
	if !ok {
		if !prefetched {
			pre.real, pre.resolveErr = l.fsys.Resolve(path)
		}
		if pre.resolveErr == nil {
			real, ok = pre.real, true
			l.real[path] = real
		}
	}
	if f := l.files[real]; ok && f != nil {
		return f, nil
	}
	if !prefetched {
		pre = l.fetch(path, false)
	}
	if pre.err != nil {
		return nil, pre.err
	}
	f := pre.file
	l.files[f.src.RealPath] = f
	l.real[path] = f.src.RealPath
	l.sources = append(l.sources, f.src)
	return f, nil
}

// fetched is a file read and parsed ahead of its turn (when done).
type fetched struct {
	done       bool
	real       string // path resolved, when resolveErr is nil
	resolveErr error
	file       *file
	err        *lint.LoadError
}

// fetch reads and parses the file at path (resolving it first when resolve
// is set). It only reads the loader's settings, so that several can run at
// once.
func (l *loader) fetch(path string, resolve bool) fetched {
	fe := fetched{done: true}
	if resolve {
		fe.real, fe.resolveErr = l.fsys.Resolve(path)
	}
	data, err := l.fsys.ReadFile(path)
	if err != nil {
		var le *lint.LoadError
		if !errors.As(err, &le) {
			le = &lint.LoadError{Pos: lint.Pos{File: path}, Msg: err.Error(), Err: err}
		}
		fe.err = le
		return fe
	}
	s := l.slabs.get()
	parsed, comments, perr := parse(path, data.Data, s)
	l.slabs.put(s)
	fe.file = &file{
		err: perr,
		src: &lint.Source{
			Path: path, RealPath: data.RealPath, Kind: lint.KindNginx,
			Comments: comments, Size: int64(len(data.Data)), NotUTF8: data.NotUTF8(),
		},
		parsed: parsed,
	}
	return fe
}

// minPrefetch is the number of new files an include must match before they
// are read and parsed in parallel.
const minPrefetch = 4

// prefetch reads and parses, in parallel, the files among paths (the
// matches of one glob) that were never read, so that expanding them in
// order then finds them ready: the result is paths' files, by index, done
// for those read. Files are expanded, and errors reported, in order all
// the same. Nil when too few files are new.
func (l *loader) prefetch(paths []string) []fetched {
	var todo []int
	for i, p := range paths {
		if _, seen := l.real[p]; !seen {
			todo = append(todo, i)
		}
	}
	if len(todo) < l.minPrefetch {
		return nil
	}
	results := make([]fetched, len(paths))
	source.Each(len(todo), func(i int) { results[todo[i]] = l.fetch(paths[todo[i]], true) })
	lint.Tracef("nginx: %d files of a glob read and parsed", len(todo))
	return results
}

// expandFile expands the includes of file f at its place p, in file order.
func (l *loader) expandFile(p *lint.Place, f *file, chain []*file) {
	for i := range f.parsed.Stmts {
		if d := p.Directive(int32(i)); d.Name() == "include" {
			l.include(p, d, chain)
		}
	}
	if !f.expanded {
		f.expanded = true
		if f.err != nil {
			l.errs = append(l.errs, f.err)
		}
	}
}

// include expands the include directive d (ngx_conf_include) of place p.
func (l *loader) include(p *lint.Place, d lint.Directive, chain []*file) {
	if d.IsBlock() {
		l.errs = append(l.errs, lint.Errorf(d.Pos(), "directive \"include\" is not terminated by \";\" (it takes a file name, not a block)"))
		return
	}
	if d.NArgs() != 1 {
		l.errs = append(l.errs, lint.Errorf(d.Pos(), "invalid number of arguments in \"include\" directive (it takes one file name or glob pattern)"))
		return
	}
	pattern := d.Arg(0)
	if len(chain) > maxIncludeDepth {
		l.errs = append(l.errs, lint.Errorf(d.Pos(), "include %q: includes nested more than %d deep", pattern, maxIncludeDepth))
		return
	}
	var places []*lint.Place
	if f := l.plain[pattern]; f != nil {
		// fastcgi.conf again: no path to map, no file to look up.
		places = l.expandIncluded(places, d, pattern, f, chain)
	} else {
		full := l.includePath(pattern)
		paths := []string{full}
		glob := source.IsGlob(pattern)
		if glob {
			var err error
			if paths, err = l.glob(full); err != nil {
				l.errs = append(l.errs, lint.Errorf(d.Pos(), "include %q: %w", pattern, err))
				return
			}
		}
		var ahead []fetched
		if len(paths) > 1 {
			ahead = l.prefetch(paths)
			places = make([]*lint.Place, 0, len(paths))
		}
		for i, path := range paths {
			var pre fetched
			if ahead != nil {
				pre, ahead[i] = ahead[i], fetched{} // the model keeps the file, not this
			}
			f, err := l.read(path, pre)
			if err != nil {
				l.errs = append(l.errs, includeError(d, pattern, path, err))
				continue
			}
			if !glob {
				if l.plain == nil {
					l.plain = map[string]*file{}
				}
				l.plain[pattern] = f
			}
			places = l.expandIncluded(places, d, pattern, f, chain)
		}
	}
	if len(places) > 0 {
		p.Expansions = append(p.Expansions, lint.Expansion{At: d.Statement().Index, Places: places})
	}
}

// expandIncluded gives f, read for the include directive d, a place
// after places, unless f is already on the chain of includes that led to d.
func (l *loader) expandIncluded(places []*lint.Place, d lint.Directive, pattern string, f *file, chain []*file) []*lint.Place {
	if i := slices.Index(chain, f); i >= 0 {
		l.errs = append(l.errs, lint.Errorf(d.Pos(), "include %q: include cycle %s (nginx would include it again and again until it fails)", pattern, cycle(chain[i:], f)))
		return places
	}
	q := &lint.Place{File: f.parsed, Include: d}
	l.expandFile(q, f, append(chain[:len(chain):len(chain)], f))
	return append(places, q)
}

// includePath maps an include pattern to the path to read: nginx joins a
// relative one to its conf prefix, the main file's directory.
func (l *loader) includePath(pattern string) string {
	if filepath.IsAbs(pattern) {
		return filepath.Clean(l.fsys.Path(pattern))
	}
	return filepath.Join(l.prefix, pattern)
}

func (l *loader) glob(pattern string) ([]string, error) {
	if !l.dumpOnly {
		return l.fsys.Glob(pattern)
	}
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, fmt.Errorf("bad include pattern: %w", err)
	}
	var out []string
	if dir := filepath.Dir(pattern); !source.IsGlob(dir) {
		// A wildcard never matches a '/': only the files of that directory
		// can match.
		for _, p := range l.dumpDirs()[dir] {
			if ok, _ := filepath.Match(pattern, p); ok {
				out = append(out, p)
			}
		}
	} else {
		for p := range l.fsys.Overlay {
			if ok, _ := filepath.Match(pattern, p); ok {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// dumpDirs returns the files of the dump by directory, so that each glob
// include looks at one directory rather than at every file of the dump.
func (l *loader) dumpDirs() map[string][]string {
	if l.dirs == nil {
		l.dirs = map[string][]string{}
		for p := range l.fsys.Overlay {
			d := filepath.Dir(p)
			l.dirs[d] = append(l.dirs[d], p)
		}
	}
	return l.dirs
}

// includeError places a file that could not be read at the include
// directive, unless the error has its own line (bad content).
func includeError(d lint.Directive, pattern, path string, err *lint.LoadError) *lint.LoadError {
	if err.Pos.Line > 0 {
		return err
	}
	msg := fmt.Sprintf("include %q: %s: %s", pattern, path, err.Msg)
	switch {
	case err.Msg == "no such file":
		msg += " (nginx -t fails with \"open() failed\": fix the path or create the file)"
	case strings.HasPrefix(err.Msg, "is a directory"):
		msg += fmt.Sprintf(" (to include the files in it, write %q)", strings.TrimSuffix(pattern, "/")+"/*.conf")
	}
	return &lint.LoadError{Pos: d.Pos(), Msg: msg, Err: err}
}

func cycle(chain []*file, again *file) string {
	var b strings.Builder
	for _, f := range chain {
		b.WriteString(f.src.Path)
		b.WriteString(" → ")
	}
	b.WriteString(again.src.Path)
	return b.String()
}
