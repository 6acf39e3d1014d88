// Package parsers turns the paths a user names into the shared model: it
// finds nginx.conf and every php-fpm.conf under them, tells the kind of a
// lone file by its content, and calls the nginx and PHP-FPM loaders.
package parsers

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/fpm"
	"github.com/nginx502-lint/nginx502-lint/parsers/nginx"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// Options says what to load.
type Options struct {
	// Paths are directories or files as the user gave them; "-" is an
	// `nginx -T` dump on Stdin.
	Paths []string
	// Root stands for "/" (like chroot) for every absolute path.
	Root string
	// Force makes every file given be read as this kind ("" guesses).
	Force lint.SourceKind
	// Stdin is the content of "-".
	Stdin []byte
	// Overlay replaces files' content by path (--stdin-filename).
	Overlay map[string][]byte
	// FPMPrefix is php-fpm's prefix ("" guesses from the layout).
	FPMPrefix string
	// MaxFileSize refuses larger files (0: source.DefaultMaxSize).
	MaxFileSize int64
	// Env is the environment php-fpm would see, for ${VAR} (nil: none).
	Env func(string) (string, bool)
}

// discoverDepth bounds the search for nginx.conf and php-fpm.conf below a
// directory: /etc → /etc/php/8.2/fpm/php-fpm.conf is 4 levels.
const discoverDepth = 4

// Load reads everything the options name into one model. The error, when
// not nil, is a lint.LoadErrors naming each file and line that could not
// be read.
func Load(opts Options) (*lint.Model, error) {
	fsys := &source.FS{Root: opts.Root, MaxSize: opts.MaxFileSize, Overlay: opts.Overlay}
	l := &loader{opts: opts, fsys: fsys, model: &lint.Model{}, seen: map[string]bool{}}
	l.startAhead()
	lint.Tracef("configurations found, loading started")
	for _, p := range opts.Paths {
		l.loadPath(p)
	}
	l.wg.Wait()
	if l.model.Nginx == nil && len(l.model.FPMs) == 0 && len(l.errs) == 0 {
		l.errs = append(l.errs, &lint.LoadError{Msg: "nothing to check: no nginx.conf, php-fpm.conf or pool file found in " + strings.Join(opts.Paths, ", ")})
	}
	l.model.Accounts, l.sources = mergeAccounts(l.model.Accounts, fsys, l.sources, l.wantAccounts())
	l.model.Sources = l.sources
	if len(l.errs) > 0 {
		return l.model, l.errs
	}
	return l.model, nil
}

type loader struct {
	opts    Options
	fsys    *source.FS
	model   *lint.Model
	sources []*lint.Source
	errs    lint.LoadErrors
	seen    map[string]bool // main files already loaded

	// discovered remembers discover's answer by directory.
	discovered map[string][2][]string
	// ahead holds the loads started in the background, by kind and main
	// file; wg waits for them.
	ahead map[aheadKey]*loaded
	wg    sync.WaitGroup
}

type aheadKey struct {
	kind lint.SourceKind
	path string
}

// loaded is what loading one nginx.conf or one php-fpm.conf (with its
// php.ini) gave.
type loaded struct {
	done    chan struct{} // closed once the fields are set
	nginx   *lint.Nginx
	fpm     *lint.FPM
	sources []*lint.Source
	err     error
	// php.ini of an FPM: hasIni says it has one.
	hasIni     bool
	ini        *lint.PHPIni
	iniSources []*lint.Source
	iniErr     error
}

// startAhead starts loading, in the background, every configuration found
// in the directories given, so that nginx's and the PHP-FPMs' files are read
// at the same time; loadNginx and loadFPM then take the results in the
// usual order, so that sources and errors come out as if loaded one after
// the other. Only when every argument is a directory: a file may be an
// nginx -T dump, whose loading adds to the overlay the others read.
func (l *loader) startAhead() {
	var mains []aheadKey
	for _, arg := range l.opts.Paths {
		if arg == "-" {
			return
		}
		path := l.fsys.Path(arg)
		if _, ok := l.opts.Overlay[path]; ok {
			return
		}
		real, err := l.fsys.Resolve(path)
		if err != nil {
			return
		}
		if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
			return
		}
		nginxMains, fpmMains := l.discover(path)
		for _, m := range nginxMains {
			mains = append(mains, aheadKey{lint.KindNginx, m})
		}
		for _, m := range fpmMains {
			mains = append(mains, aheadKey{lint.KindFPM, m})
		}
	}
	if len(mains) < 2 {
		return
	}
	l.ahead = make(map[aheadKey]*loaded, len(mains))
	for _, k := range mains {
		if _, dup := l.ahead[k]; dup {
			continue
		}
		r := &loaded{done: make(chan struct{})}
		l.ahead[k] = r
		l.wg.Go(func() {
			defer close(r.done)
			if k.kind == lint.KindNginx {
				l.loadNginxNow(r, k.path)
			} else {
				l.loadFPMNow(r, k.path)
			}
		})
	}
}

// result returns the load of kind of path started ahead, once done, or nil.
func (l *loader) result(kind lint.SourceKind, path string) *loaded {
	r, ok := l.ahead[aheadKey{kind, path}]
	if !ok {
		return nil
	}
	<-r.done
	return r
}

// loadNginxNow loads an nginx configuration into r, touching nothing else.
func (l *loader) loadNginxNow(r *loaded, path string) {
	r.nginx, r.sources, r.err = nginx.Load(l.fsys, path)
}

// loadFPMNow loads a php-fpm.conf and its php.ini into r, touching nothing
// else.
func (l *loader) loadFPMNow(r *loaded, path string) {
	defer lint.Tracef("php-fpm: %s loaded", path)
	r.fpm, r.sources, r.err = fpm.Load(l.fsys, path, l.fpmOptions(path))
	if r.fpm == nil {
		return
	}
	if files := fpm.PHPIniFiles(l.fsys, path); len(files) > 0 {
		r.hasIni = true
		r.ini, r.iniSources, r.iniErr = fpm.LoadPHPIni(l.fsys, files)
	}
}

func (l *loader) fail(err error) {
	var les lint.LoadErrors
	var le *lint.LoadError
	switch {
	case errors.As(err, &les):
		l.errs = append(l.errs, les...)
	case errors.As(err, &le):
		l.errs = append(l.errs, le)
	default:
		l.errs = append(l.errs, &lint.LoadError{Msg: err.Error(), Err: err})
	}
}

func (l *loader) loadPath(arg string) {
	if arg == "-" {
		l.loadNginxDump("<stdin>", l.opts.Stdin)
		return
	}
	path := l.fsys.Path(arg)
	if _, ok := l.opts.Overlay[path]; ok {
		l.loadFile(path)
		return
	}
	real, err := l.fsys.Resolve(path)
	if err != nil {
		l.fail(&lint.LoadError{Pos: lint.Pos{File: path}, Msg: describe(err), Err: err})
		return
	}
	fi, err := os.Stat(real)
	if err != nil {
		l.fail(&lint.LoadError{Pos: lint.Pos{File: path}, Msg: describe(err), Err: err})
		return
	}
	if !fi.IsDir() {
		l.loadFile(path)
		return
	}
	nginxMains, fpmMains := l.discover(path)
	if len(nginxMains) == 0 && len(fpmMains) == 0 {
		l.fail(&lint.LoadError{Pos: lint.Pos{File: path}, Msg: "no nginx.conf or php-fpm.conf found in this directory (give the file itself, with --nginx or --fpm to say what it is)"})
		return
	}
	for _, m := range nginxMains {
		l.loadNginx(m)
	}
	for _, m := range fpmMains {
		l.loadFPM(m)
	}
}

// discover finds nginx.conf and php-fpm.conf files below dir. A directory
// that holds nginx.conf is not searched further for nginx.conf files.
func (l *loader) discover(dir string) (nginxMains, fpmMains []string) {
	if found, ok := l.discovered[dir]; ok {
		return found[0], found[1]
	}
	nginxMains, fpmMains = l.discoverUncached(dir)
	if l.discovered == nil {
		l.discovered = map[string][2][]string{}
	}
	l.discovered[dir] = [2][]string{nginxMains, fpmMains}
	return nginxMains, fpmMains
}

func (l *loader) discoverUncached(dir string) (nginxMains, fpmMains []string) {
	real, err := l.fsys.Resolve(dir)
	if err != nil {
		return nil, nil
	}
	var walk func(onDisk, shown string, depth int)
	walk = func(onDisk, shown string, depth int) {
		entries, err := os.ReadDir(onDisk)
		if err != nil {
			return
		}
		var subdirs []fs.DirEntry
		nginxDir := false
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() {
				if !strings.HasPrefix(name, ".") {
					subdirs = append(subdirs, e)
				}
				continue
			}
			switch {
			case name == "nginx.conf":
				nginxMains = append(nginxMains, filepath.Join(shown, name))
				nginxDir = true
			case name == "php-fpm.conf" || strings.HasPrefix(name, "php-fpm") && fpmMainName.MatchString(name):
				fpmMains = append(fpmMains, filepath.Join(shown, name))
			}
		}
		if nginxDir || depth >= discoverDepth {
			// Below nginx.conf are its includes (sites-available may hold
			// thousands of files), and a deeper nginx.conf would not be
			// kept. A php-fpm.conf does not stop the search: FreeBSD keeps
			// nginx/ beside /usr/local/etc/php-fpm.conf.
			return
		}
		for _, e := range subdirs {
			walk(filepath.Join(onDisk, e.Name()), filepath.Join(shown, e.Name()), depth+1)
		}
	}
	walk(real, dir, 0)
	if len(nginxMains) > 1 {
		// /etc holds /etc/nginx/nginx.conf; keep the shallowest ones only.
		nginxMains = shallowest(nginxMains)
	}
	return nginxMains, fpmMains
}

// fpmMainName matches master configuration names other than php-fpm.conf:
// php-fpm-8.2.conf and the like.
var fpmMainName = regexp.MustCompile(`^php-fpm[-.]?\d+(\.\d+)?\.conf$`)

func shallowest(paths []string) []string {
	min := -1
	for _, p := range paths {
		if d := strings.Count(filepath.ToSlash(p), "/"); min < 0 || d < min {
			min = d
		}
	}
	var out []string
	for _, p := range paths {
		if strings.Count(filepath.ToSlash(p), "/") == min {
			out = append(out, p)
		}
	}
	return out
}

// loadFile loads one file given by the user, by its kind.
func (l *loader) loadFile(path string) {
	kind := l.opts.Force
	var data []byte
	if kind == "" {
		f, err := l.fsys.ReadFile(path)
		if err != nil {
			l.fail(err)
			return
		}
		data = f.Data
		kind = Sniff(filepath.Base(path), f.Data)
	}
	switch kind {
	case lint.KindNginx:
		if isDump(data) {
			l.loadNginxDump(path, data)
			return
		}
		l.loadNginx(path)
	case lint.KindFPM:
		if data == nil {
			f, err := l.fsys.ReadFile(path)
			if err != nil {
				l.fail(err)
				return
			}
			data = f.Data
		}
		if iniHasSection(data, "global") || filepath.Base(path) == "php-fpm.conf" {
			l.loadFPM(path)
		} else {
			l.loadPool(path)
		}
	case lint.KindPHPIni:
		l.fail(&lint.LoadError{Pos: lint.Pos{File: path}, Msg: "a php.ini alone cannot be checked: give the php-fpm.conf (or the directory) that uses it"})
	}
}

func (l *loader) loadNginx(path string) {
	if l.seen[path] {
		return
	}
	l.seen[path] = true
	if l.secondNginx(path) {
		return
	}
	r := l.result(lint.KindNginx, path)
	if r == nil {
		r = &loaded{}
		l.loadNginxNow(r, path)
	}
	l.sources = append(l.sources, r.sources...)
	if r.err != nil {
		l.fail(r.err)
	}
	if r.nginx != nil {
		l.model.Nginx = r.nginx
	}
}

// secondNginx reports, as an error at path, an nginx configuration met
// after one is loaded.
func (l *loader) secondNginx(path string) bool {
	if l.model.Nginx == nil {
		return false
	}
	l.fail(&lint.LoadError{Pos: lint.Pos{File: path}, Msg: "a second nginx configuration (already loaded " + l.model.Nginx.File + "): lint one nginx at a time"})
	return true
}

func (l *loader) loadNginxDump(name string, data []byte) {
	if l.secondNginx(name) {
		return
	}
	ng, sources, err := nginx.LoadDump(l.fsys, name, data)
	l.sources = append(l.sources, sources...)
	if err != nil {
		l.fail(err)
	}
	if ng != nil {
		l.model.Nginx = ng
	}
}

func (l *loader) fpmOptions(conf string) fpm.Options {
	env := l.opts.Env
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	return fpm.Options{Prefix: l.fpmPrefix(conf), Env: env}
}

// fpmPrefix guesses php-fpm's compiled prefix from where its configuration
// lives: /usr/local for the Docker images' /usr/local/etc, /usr elsewhere.
func (l *loader) fpmPrefix(conf string) string {
	if l.opts.FPMPrefix != "" {
		return l.opts.FPMPrefix
	}
	if strings.HasPrefix(l.fsys.Unroot(conf), "/usr/local/") {
		return "/usr/local"
	}
	return "/usr"
}

func (l *loader) loadFPM(path string) {
	if l.seen[path] {
		return
	}
	l.seen[path] = true
	r := l.result(lint.KindFPM, path)
	if r == nil {
		r = &loaded{}
		l.loadFPMNow(r, path)
	}
	l.sources = append(l.sources, r.sources...)
	if r.err != nil {
		l.fail(r.err)
	}
	if r.fpm == nil {
		return
	}
	if r.hasIni {
		l.sources = append(l.sources, r.iniSources...)
		if r.iniErr != nil {
			l.fail(r.iniErr)
		}
		r.fpm.PHPIni = r.ini
	}
	l.model.FPMs = append(l.model.FPMs, r.fpm)
}

func (l *loader) loadPool(path string) {
	if l.seen[path] {
		return
	}
	l.seen[path] = true
	f, sources, err := fpm.LoadPool(l.fsys, path, l.fpmOptions(path))
	l.sources = append(l.sources, sources...)
	if err != nil {
		l.fail(err)
	}
	if f != nil {
		l.model.FPMs = append(l.model.FPMs, f)
	}
}

// wantAccounts says whether to read passwd/group: under --root, or when the
// configuration is the host's own (absolute paths).
func (l *loader) wantAccounts() bool {
	if l.opts.Root != "" {
		return true
	}
	for _, p := range l.opts.Paths {
		if filepath.IsAbs(p) {
			return true
		}
	}
	return false
}

func mergeAccounts(acc *lint.Accounts, fsys *source.FS, sources []*lint.Source, want bool) (*lint.Accounts, []*lint.Source) {
	if !want {
		return acc, sources
	}
	a, s := loadAccounts(fsys)
	return a, append(sources, s...)
}

func describe(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// isDump reports whether data is `nginx -T` output.
func isDump(data []byte) bool {
	for _, line := range bytes.SplitN(data, []byte("\n"), 4) {
		if bytes.HasPrefix(line, []byte("# configuration file ")) {
			return true
		}
	}
	return false
}

// Sniff tells an nginx file from a PHP-FPM or php.ini file by name, then by
// the shape of its first statement: `key = value` or `[section]` is INI.
func Sniff(name string, data []byte) lint.SourceKind {
	switch {
	case name == "nginx.conf":
		return lint.KindNginx
	case name == "php-fpm.conf":
		return lint.KindFPM
	case name == "php.ini" || strings.HasSuffix(name, ".ini"):
		return lint.KindPHPIni
	}
	if isDump(data) {
		return lint.KindNginx
	}
	for _, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimSpace(string(raw))
		if line == "" || line[0] == ';' || line[0] == '#' {
			continue
		}
		if line[0] == '[' || iniAssign.MatchString(line) {
			if iniHasSection(data, "PHP") {
				return lint.KindPHPIni
			}
			return lint.KindFPM
		}
		return lint.KindNginx
	}
	return lint.KindNginx
}

var iniAssign = regexp.MustCompile(`^[A-Za-z0-9_.\[\]$-]+\s*=`)

func iniHasSection(data []byte, name string) bool {
	for _, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimSpace(string(raw))
		if strings.EqualFold(line, "["+name+"]") {
			return true
		}
	}
	return false
}
