package fpm

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/fpmconf"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// TestDifferentialPHPFPM runs the real php-fpm 8.2 (`php-fpm8.2 -tt`) on
// generated pool files and checks the loader against it as the oracle test
// does: same values when php-fpm reads the file, an error at the same line
// when php-fpm cannot read it, ValueError's message when php-fpm refuses a
// value. Skipped without php-fpm8.2.

func phpFPM82(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("php-fpm8.2")
	if err != nil {
		t.Skip("no php-fpm8.2 to compare with")
	}
	out, err := exec.Command(path, "-v").Output()
	if err != nil || !strings.HasPrefix(string(out), "PHP 8.2.") {
		t.Skip("php-fpm8.2 is not PHP 8.2")
	}
	return path
}

var fpmDiffKeys = []string{
	"listen.mode", "ping.response", "access.format", "pm.max_requests", "decorate_workers_output", "process.dumpable",
	"request_terminate_timeout", "request_slowlog_timeout", "catch_workers_output", "clear_env", "listen.backlog",
	"pm.process_idle_timeout", "rlimit_core", "security.limit_extensions", "listen.allowed_clients", "rlimit_files",
	"php_value[a]", "php_admin_value[a]", "php_flag[b]", "php_admin_flag[b]", "env[E]", "env[ E ]",
	"PM.MAX_REQUESTS", "pm.max_childs", "#x", "x y", "php_value[]", "PHP_VALUE[a]", "access.suppress_path[]",
}

var fpmDiffValues = []string{
	"1", "007", "-1", "1.5", "30s", "5m", "2h", "x5", "30x", "yes", "Off", "none", "null", "\"yes\"", "\"maybe\"", "\"0\"",
	"/tmp/$pool.log", "${FPM_LISTEN}", "${HOME}", "\"${HOME}\"", "'raw ; x'", "E_ALL & ~E_NOTICE", "a=b", "\"a=b\"",
	"x''", "''", "\"unterminated", "a ; comment", "a;b", "é", "$HOME", "unlimited", ".php .php7", "0666", "",
	"127.0.0.1, ::1", "a\\", "{x}", "(1)", "\"%R\" \"%u\"", "PHP_VERSION", "\xef\xbb\xbf",
}

func genPool(r *rand.Rand, i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[p%d]\nuser = www-data\nlisten = 127.0.0.1:%d\npm = static\npm.max_children = 1\nping.path = /ping\nslowlog = slow.log\n", i, 20000+i)
	for n := 1 + r.Intn(3); n > 0; n-- {
		key := fpmDiffKeys[r.Intn(len(fpmDiffKeys))]
		val := fpmDiffValues[r.Intn(len(fpmDiffValues))]
		if kind, ok := fpmconf.PoolKey(key); ok && r.Intn(2) == 0 {
			// Mostly values of the right kind, to compare what is read.
			plausible := map[fpmconf.KeyKind][]string{
				fpmconf.KeyInt:    {"5", "007", "-1", "0", "\"12\"", "99999999999"},
				fpmconf.KeyTime:   {"30s", "5m", "1.5", "10", "2h", "1d", "s", "\"20s\""},
				fpmconf.KeyBool:   {"yes", "off", "1", "\"yes\"", "none", "\"0\"", "On", "\"\""},
				fpmconf.KeyRlimit: {"unlimited", "Unlimited", "0", "100"},
			}[kind]
			if len(plausible) > 0 {
				val = plausible[r.Intn(len(plausible))]
			}
		}
		if r.Intn(4) == 0 {
			val += " " + fpmDiffValues[r.Intn(len(fpmDiffValues))]
		}
		sep := []string{" = ", "=", "\t=\t"}[r.Intn(3)]
		end := []string{"\n", "\r\n", " ; c\n"}[r.Intn(3)]
		b.WriteString(key + sep + val + end)
	}
	return b.String()
}

func TestDifferentialPHPFPM(t *testing.T) {
	fpmBin := phpFPM82(t)
	if testing.Short() {
		t.Skip("runs php-fpm 500 times")
	}
	tmp := t.TempDir()
	r := rand.New(rand.NewSource(3))
	const n = 500
	pools := make([]string, n)
	for i := range pools {
		pools[i] = genPool(r, i)
	}
	verdicts := make([]string, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range pools {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			dir := filepath.Join(tmp, fmt.Sprint(i))
			os.MkdirAll(dir, 0o755)
			pool := filepath.Join(dir, "pool.conf")
			os.WriteFile(pool, []byte(pools[i]), 0o644)
			conf := filepath.Join(dir, "php-fpm.conf")
			os.WriteFile(conf, fmt.Appendf(nil, "[global]\npid = %s/fpm.pid\nerror_log = %s/fpm.log\n;\n;\ninclude=%s\n", dir, dir, pool), 0o644)
			cmd := exec.Command(fpmBin, "-n", "-tt", "-y", conf, "-p", dir)
			cmd.Env = []string{"FPM_LISTEN=127.0.0.1:9008", "HOME=/root", "PATH=/usr/bin:/bin"}
			out, _ := cmd.CombinedOutput()
			verdicts[i] = string(out)
		}(i)
	}
	wg.Wait()

	st := &oracleStats{}
	loadErrs, valueErrs, postErrs := 0, 0, 0
	for i := range pools {
		dir := filepath.Join(tmp, fmt.Sprint(i))
		v := parseVerdict(verdicts[i])
		f, _, err := Load(&source.FS{}, filepath.Join(dir, "php-fpm.conf"), Options{Prefix: dir, Env: oracleLookup, Version: "8.2.36"})
		run := &oracleRun{name: fmt.Sprintf("pool %d", i), fpm: f, err: err, prefix: dir}
		if v.ok {
			if err != nil {
				t.Errorf("%q: php-fpm reads it, the loader fails: %v", pools[i], err)
				continue
			}
			st.compare(t, run, v)
			continue
		}
		// php-fpm's first error, with its file and line if it has one.
		file, line, msg := "", 0, ""
		for _, l := range v.lines {
			if m := fileErrLine.FindStringSubmatch(l); m != nil && file == "" {
				file, msg = m[1], m[3]
				fmt.Sscan(m[2], &line)
			}
			if strings.HasPrefix(l, "PHP:  syntax error") && msg == "" {
				msg = strings.TrimPrefix(l, "PHP:  ")
			}
			if m := includeErrLine.FindStringSubmatch(l); m != nil && file == "" {
				file = m[1]
				fmt.Sscan(m[3], &line)
			}
		}
		var errs lint.LoadErrors
		errors.As(err, &errs)
		switch {
		case file == "":
			postErrs++
			if err != nil {
				t.Errorf("%q: php-fpm reads it (and refuses the result); the loader fails: %v", pools[i], err)
			}
		case len(errs) > 0 && errs[0].Pos.File == file && int(errs[0].Pos.Line) == line:
			loadErrs++
		case len(errs) > 0 && errs[0].Pos.File == file && int(errs[0].Pos.Line) < line:
			t.Errorf("%q: php-fpm fails at line %d (%s); the loader fails before: %v", pools[i], line, msg, err)
		default:
			valueErrs++
			if got := lineValueError(pools[i], line); got != msg {
				t.Errorf("%q: php-fpm fails at line %d with %q; fpmconf.ValueError says %q (loader: %v)", pools[i], line, msg, got, err)
			}
		}
	}
	t.Logf("%d pool files: %d values match of %d; php-fpm failed on %d: %d unreadable lines (load errors), %d refused values (fpmconf.ValueError), %d after reading",
		n, st.matched, st.values, loadErrs+valueErrs+postErrs, loadErrs, valueErrs, postErrs)
	for _, m := range st.mismatches {
		t.Errorf("mismatch: %s", m)
	}
}

// lineValueError reads line n of a pool file alone and asks ValueError (or
// ArrayValueError) what php-fpm says of its entry: the model keeps the last
// of repeated keys, php-fpm stops at the first bad one.
func lineValueError(pool string, n int) string {
	lines := strings.Split(pool, "\n")
	if n < 1 || n > len(lines) {
		return "(no such line)"
	}
	events, _ := scan(lines[n-1], oracleEnv)
	for _, ev := range events {
		switch ev.kind {
		case evEntry:
			if msg := fpmconf.ValueError(false, ev.name, ev.value); msg != "" {
				return msg
			}
		case evArray:
			if msg := fpmconf.ArrayValueError(ev.name, ev.offset, ev.value); msg != "" {
				return msg
			}
		}
	}
	return ""
}
