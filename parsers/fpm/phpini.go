package fpm

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// LoadPHPIni reads a php.ini and the .ini files of its scan directory, in
// the order given (PHPIniFiles finds them), later files overriding earlier
// ones, as PHP does at startup. Each file is parsed whole with the INI
// scanner (a quoted value may span lines there, unlike in php-fpm's own
// files). Sections only group ([PHP], [opcache]), except [PATH=…] and
// [HOST=…]: from there to the end of the file, values apply to some
// requests only and are left out. A
// key without a value is ignored, as PHP does. ${NAME} is an earlier
// directive or the environment.
//
// PHP starts even when its php.ini has a syntax error, with the values read
// before it; LoadPHPIni returns those with a load error.
func LoadPHPIni(fsys *source.FS, files []string) (*lint.PHPIni, []*lint.Source, error) {
	return loadPHPIni(fsys, files, os.LookupEnv)
}

func loadPHPIni(fsys *source.FS, files []string, env func(string) (string, bool)) (*lint.PHPIni, []*lint.Source, error) {
	if fsys == nil {
		fsys = &source.FS{}
	}
	ini := &lint.PHPIni{Values: map[string]*lint.Value{}}
	var sources []*lint.Source
	var errs lint.LoadErrors
	version := ""
	if len(files) > 0 {
		version = VersionFromPath(fsys.Unroot(files[0]))
	}
	res := &resolver{
		vars: func(name string) (string, bool) {
			if v, ok := ini.Values[name]; ok {
				return v.Value, true
			}
			return env(name)
		},
		consts:   constants(version),
		fallback: hasFallback(version),
	}
	for _, path := range files {
		f, err := fsys.ReadFile(path)
		if err != nil {
			var le *lint.LoadError
			if errors.As(err, &le) {
				errs = append(errs, le)
			} else {
				errs = append(errs, &lint.LoadError{Pos: lint.Pos{File: path}, Msg: err.Error(), Err: err})
			}
			continue
		}
		ini.Files = append(ini.Files, f.Path)
		src := &lint.Source{Path: f.Path, RealPath: f.RealPath, Kind: lint.KindPHPIni, Size: int64(len(f.Data)), NotUTF8: f.NotUTF8()}
		sources = append(sources, src)
		pos := func(off int) lint.Pos { return source.PosOf(f.Path, f.Data, off) }
		perRequest := false
		_, perr, comments := parseINIFunc(f.Data, res, func(ev iniEvent) {
			switch ev.kind {
			case evSection:
				// Measured on PHP 8.2: after a [PATH=…] or [HOST=…] section,
				// the rest of the file stays per-request, whatever section
				// follows.
				up := strings.ToUpper(ev.name)
				if strings.HasPrefix(up, "PATH") || strings.HasPrefix(up, "HOST") {
					perRequest = true
				}
			case evEntry, evArray:
				if !ev.hasValue || perRequest {
					return
				}
				key := ev.name
				if ev.kind == evArray {
					key += "[" + ev.offset + "]"
				}
				ini.Values[key] = &lint.Value{Key: key, Value: ev.value, Pos: pos(ev.keyOff)}
			}
		})
		for _, c := range comments {
			if !strings.Contains(c.text, lint.Mention) {
				continue
			}
			src.Comments = append(src.Comments, lint.Comment{Pos: pos(c.off), Text: c.text})
		}
		if perr != nil {
			le := syntaxError(perr, pos, f.Data)
			le.Msg = strings.Replace(le.Msg, "php-fpm fails with", "PHP ignores the rest of the file, with", 1)
			errs = append(errs, le)
		}
	}
	if len(errs) > 0 {
		return ini, sources, errs
	}
	return ini, sources, nil
}

// PHPIniFiles returns the php.ini and scan-directory .ini files (sorted, as
// PHP reads them) of the PHP-FPM whose php-fpm.conf is confFile (mapped with
// fsys.Path), looking next to it as the packages install them:
//
//	Debian, Ubuntu  /etc/php/8.2/fpm/php-fpm.conf  → php.ini, conf.d/*.ini
//	RHEL, Fedora    /etc/php-fpm.conf              → /etc/php.ini, /etc/php.d/*.ini
//	Remi, SCL       /etc/opt/remi/php81/php-fpm.conf → php.ini, php.d/*.ini
//	Docker          /usr/local/etc/php-fpm.conf    → php/php.ini, php/conf.d/*.ini
//	Alpine          /etc/php82/php-fpm.conf        → php.ini, conf.d/*.ini
//
// Only files that exist are returned; nil when none does.
func PHPIniFiles(fsys *source.FS, confFile string) []string {
	if fsys == nil {
		fsys = &source.FS{}
	}
	dir := filepath.Dir(confFile)
	exists := func(p string, wantDir bool) bool {
		for o := range fsys.Overlay {
			if o == p && !wantDir || wantDir && strings.HasPrefix(o, p+"/") {
				return true
			}
		}
		real, err := fsys.Resolve(p)
		if err != nil {
			return false
		}
		fi, err := os.Stat(real)
		return err == nil && fi.IsDir() == wantDir
	}
	ini, scan := filepath.Join(dir, "php.ini"), ""
	docker := filepath.Join(dir, "php")
	if exists(filepath.Join(docker, "conf.d"), true) || exists(filepath.Join(docker, "php.ini"), false) {
		ini, scan = filepath.Join(docker, "php.ini"), filepath.Join(docker, "conf.d")
	} else {
		for _, d := range []string{"conf.d", "php.d"} {
			if p := filepath.Join(dir, d); exists(p, true) {
				scan = p
				break
			}
		}
	}
	var files []string
	if exists(ini, false) {
		files = append(files, ini)
	}
	if scan != "" {
		files = append(files, scanDir(fsys, scan, exists)...)
	}
	return files
}

// scanDir lists the .ini files of PHP's scan directory as php_init_config
// does: regular files (links followed) ending in .ini, in byte order.
func scanDir(fsys *source.FS, dir string, exists func(string, bool) bool) []string {
	var names []string
	seen := map[string]bool{}
	if real, err := fsys.Resolve(dir); err == nil {
		if entries, err := os.ReadDir(real); err == nil {
			for _, e := range entries {
				names = append(names, e.Name())
				seen[e.Name()] = true
			}
		}
	}
	for o := range fsys.Overlay {
		if filepath.Dir(o) == dir && !seen[filepath.Base(o)] {
			names = append(names, filepath.Base(o))
		}
	}
	sort.Strings(names)
	var files []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if strings.HasSuffix(n, ".ini") && exists(p, false) {
			files = append(files, p)
		}
	}
	return files
}
