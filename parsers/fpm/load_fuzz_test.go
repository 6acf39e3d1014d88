package fpm_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
	"github.com/nginx502-lint/nginx502-lint/parsers/fpm"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
	"github.com/nginx502-lint/nginx502-lint/rules"
)

// FuzzLoad fuzzes the PHP-FPM loader as the CLI runs it: a php-fpm.conf, a
// pool file it may include and a php.ini, in source.FS's Overlay under an
// empty --root; the pool file is also loaded alone (fpm.LoadPool). Every
// rule then runs on the model. Beyond "no panic": errors are
// lint.LoadErrors with a file, and every position (errors, pools, entries,
// values, includes, comments, findings) names a file of the tree and a line
// and column inside it.
//
//	go test ./parsers/fpm -run '^$' -fuzz '^FuzzLoad$' -fuzztime 5m
//
// Seeds come from testdata and, when present, ../shared/corpus/fpm.

const (
	fuzzConf = "/etc/php/8.2/fpm/php-fpm.conf"
	fuzzPool = "/etc/php/8.2/fpm/pool.d/www.conf"
	fuzzIni  = "/etc/php/8.2/fpm/php.ini"
	seedMax  = 64 << 10
	// corpusDir is ../shared/corpus from this package's directory.
	corpusDir = "../../../shared/corpus"
)

// fuzzEnv is the environment php-fpm sees: ${SET} is set, anything else not.
func fuzzEnv(name string) (string, bool) {
	if name == "SET" {
		return "127.0.0.1:9000", true
	}
	return "", false
}

func FuzzLoad(f *testing.F) {
	const include = "[global]\npid = /run/php/php8.2-fpm.pid\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n"
	for _, s := range [][3]string{
		{include, "[www]\nuser = www-data\nlisten = /run/php/$pool.sock\npm = static\npm.max_children = 5\n", "[PHP]\nmax_execution_time = 30\n"},
		{include, "[www]\nlisten = ${SET}\nlisten.owner = ${UNSET}\nenv[A] = ${SET:-x}\n", ""},
		{"[global]\n", "", ""},
		{"include=/etc/php/8.2/fpm/pool.d/www.conf\n", "include=/etc/php/8.2/fpm/pool.d/www.conf\n[a]\n", ""},
		{include, "[www]\nlisten = \"unterminated\n# hash\nkey\n= v\n[x\nphp_value[] = 1\ninclude=a\ninclude=b\n", "a = \"multi\nline\"\n[PATH=/x]\nb=${a}\n"},
		{"include=pool.d/*.conf\ninclude=/nowhere/*.conf\ninclude=[\n", "[www]\nlisten = 9000\nphp_admin_value[error_log] = /var/log/$pool.log\n", ""},
	} {
		f.Add([]byte(s[0]), []byte(s[1]), []byte(s[2]))
	}
	linttest.SeedFiles(f, seedMax, func(p string, data []byte) {
		switch {
		case strings.HasSuffix(p, ".ini"):
			f.Add([]byte(include), []byte(nil), data)
		case strings.Contains(p, "php-fpm") && !strings.Contains(p, "pool"):
			f.Add(data, []byte(nil), []byte(nil))
		default:
			f.Add([]byte(include), data, []byte(nil))
		}
	}, "../../testdata/fpm", "../../testdata/badinput/fpm-hash-comment", "../../testdata/badinput/pool-without-listen", corpusDir+"/fpm")
	root := f.TempDir() // empty: only the overlay exists under it
	f.Fuzz(func(t *testing.T, conf, pool, ini []byte) {
		if bytes.Contains(conf, []byte("..")) || bytes.Contains(pool, []byte("..")) {
			// "../../.." climbs out of --root (FS.Path joins and cleans):
			// the host's files are no input of this target.
			t.Skip()
		}
		files := map[string][]byte{root + fuzzConf: conf, root + fuzzPool: pool, root + fuzzIni: ini}
		opts := fpm.Options{Prefix: "/usr", Env: fuzzEnv}

		fsys := &source.FS{Root: root, Overlay: files}
		model, sources, err := fpm.Load(fsys, root+fuzzConf, opts)
		var allSources []*lint.Source
		allSources = append(allSources, sources...)
		pc := linttest.NewPositions(t, files)
		pc.LoadErrors(err)
		if model == nil {
			t.Fatal("fpm.Load returned no model")
		}
		phpIni, iniSources, err := fpm.LoadPHPIni(fsys, fpm.PHPIniFiles(fsys, root+fuzzConf))
		pc.LoadErrors(err)
		model.PHPIni = phpIni
		allSources = append(allSources, iniSources...)

		alone, aloneSources, err := fpm.LoadPool(&source.FS{Root: root, Overlay: files}, root+fuzzPool, opts)
		pc.LoadErrors(err)
		if alone == nil {
			t.Fatal("fpm.LoadPool returned no model")
		}
		allSources = append(allSources, aloneSources...)

		pc.Sources(allSources)
		for _, m := range []*lint.FPM{model, alone} {
			checkFPM(t, pc, m)
		}
		pc.Findings(lint.Run(&lint.Model{FPMs: []*lint.FPM{model, alone}, Sources: allSources}, rules.All()))
	})
}

// checkFPM checks the positions of m's values, entries and includes.
func checkFPM(t *testing.T, pc *linttest.Positions, m *lint.FPM) {
	t.Helper()
	value := func(what string, v *lint.Value) {
		if v != nil && !v.Default {
			pc.Check(what+" "+v.Key, v.Pos)
		}
	}
	entries := func(es []*lint.Entry) {
		for _, e := range es {
			pc.Check("entry "+e.Key, e.Pos)
			pc.Check("value of "+e.Key, e.ValuePos)
			if e.ValuePos.Line == e.Pos.Line && e.ValuePos.Col < e.Pos.Col {
				t.Fatalf("value of %q (%v) before its key (%v)", e.Key, e.ValuePos, e.Pos)
			}
		}
	}
	for _, v := range m.Global {
		value("global", v)
	}
	entries(m.GlobalEntries)
	for _, inc := range m.Includes {
		pc.Check("include", inc.Pos)
	}
	for _, p := range m.Pools {
		pc.Check("pool "+p.Name, p.Pos)
		for _, v := range p.Values {
			value("pool value", v)
		}
		for _, v := range p.Env {
			value("env", v)
		}
		for _, v := range p.PHPValues {
			pc.Check("php value "+v.Key, v.Pos)
		}
		value("listen", p.Listen.Value)
		entries(p.Entries)
	}
	if m.PHPIni != nil {
		for _, v := range m.PHPIni.Values {
			value("php.ini", v)
		}
	}
}

// TestSyntaxErrorAtEndOfLastLine pins what FuzzLoad found: an error at the
// end of a last line without a newline was placed one column past it.
func TestSyntaxErrorAtEndOfLastLine(t *testing.T) {
	for _, c := range []struct {
		in   string
		want lint.Pos
	}{
		{"[$", lint.Pos{File: "/c/php-fpm.conf", Line: 1, Col: 3}},
		{"[www]\n[x", lint.Pos{File: "/c/php-fpm.conf", Line: 2, Col: 3}},
		{"[www]\n[x\n", lint.Pos{File: "/c/php-fpm.conf", Line: 2, Col: 3}},
	} {
		fsys := &source.FS{Overlay: map[string][]byte{"/c/php-fpm.conf": []byte(c.in)}}
		_, _, err := fpm.Load(fsys, "/c/php-fpm.conf", fpm.Options{Prefix: "/usr", Env: fuzzEnv})
		var les lint.LoadErrors
		if !errors.As(err, &les) || len(les) != 1 {
			t.Errorf("%q: want one load error, got %v", c.in, err)
			continue
		}
		if les[0].Pos != c.want {
			t.Errorf("%q: error %q at %v, want %v", c.in, les[0].Msg, les[0].Pos, c.want)
		}
	}
}
