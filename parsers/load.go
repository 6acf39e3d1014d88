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
	for _, p := range opts.Paths {
		l.loadPath(p)
	}
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
			case name == "php-fpm.conf" || fpmMainName.MatchString(name):
				fpmMains = append(fpmMains, filepath.Join(shown, name))
			}
		}
		if depth >= discoverDepth {
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
	if l.model.Nginx != nil {
		l.fail(&lint.LoadError{Pos: lint.Pos{File: path}, Msg: "a second nginx configuration (already loaded " + l.model.Nginx.File + "): lint one nginx at a time"})
		return
	}
	ng, sources, err := nginx.Load(l.fsys, path)
	l.sources = append(l.sources, sources...)
	if err != nil {
		l.fail(err)
	}
	if ng != nil {
		l.model.Nginx = ng
	}
}

func (l *loader) loadNginxDump(name string, data []byte) {
	if l.model.Nginx != nil {
		l.fail(&lint.LoadError{Pos: lint.Pos{File: name}, Msg: "a second nginx configuration (already loaded " + l.model.Nginx.File + "): lint one nginx at a time"})
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
	f, sources, err := fpm.Load(l.fsys, path, l.fpmOptions(path))
	l.sources = append(l.sources, sources...)
	if err != nil {
		l.fail(err)
	}
	if f == nil {
		return
	}
	l.addPHPIni(f, path)
	l.model.FPMs = append(l.model.FPMs, f)
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

func (l *loader) addPHPIni(f *lint.FPM, conf string) {
	files := fpm.PHPIniFiles(l.fsys, conf)
	if len(files) == 0 {
		return
	}
	ini, sources, err := fpm.LoadPHPIni(l.fsys, files)
	l.sources = append(l.sources, sources...)
	if err != nil {
		l.fail(err)
	}
	f.PHPIni = ini
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
