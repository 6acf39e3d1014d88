package rules

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/fpm"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// TestFPMOracle checks the rules that predict php-fpm's startup against
// php-fpm itself: every file Debian's php-fpm 8.2.36 was run on
// (../shared/corpus/fpm, its oracle-verdicts/ hold `php-fpm -tt`'s output) is
// loaded the way parsers/fpm's oracle test loads it, and run through every
// rule. A file php-fpm refused must get a load error or an error-level
// finding of a startup rule that quotes php-fpm's message; a file php-fpm
// accepted must get neither.
func TestFPMOracle(t *testing.T) {
	corpus := filepath.Join(sharedCorpus(t), "fpm")
	verdicts := filepath.Join(corpus, "oracle-verdicts")
	if _, err := os.Stat(verdicts); err != nil {
		t.Skipf("no php-fpm verdicts in %s", verdicts)
	}
	tmp := t.TempDir()
	accounts := debianAccounts(t)
	cases := oracleCases(t, corpus, verdicts, tmp)
	if len(cases) < 100 {
		t.Fatalf("only %d oracle cases found", len(cases))
	}
	var refused, predicted, quoted int
	for _, c := range cases {
		data, err := os.ReadFile(c.verdict)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.NewReplacer("$ORACLE_TMP", tmp, "$CORPUS", corpus).Replace(string(data))
		accepted := strings.Contains(text, "test is successful")
		f, loadErr := c.load()
		var errs []string
		var le lint.LoadErrors
		if errors.As(loadErr, &le) {
			for _, e := range le {
				errs = append(errs, "load error: "+e.Msg)
			}
		} else if loadErr != nil {
			errs = append(errs, "load error: "+loadErr.Error())
		}
		if f != nil {
			m := &lint.Model{FPMs: []*lint.FPM{f}, Accounts: accounts}
			for _, fd := range lint.Run(m, All()) {
				// A failure php-fpm -t does not see (user = root, an ACL
				// user) is for the real start: the oracle cannot tell.
				if fd.Severity == lint.Error && slices.Contains(ByID(fd.Rule).Tags, "startup") && !strings.Contains(fd.Consequence, "php-fpm -t passes") {
					errs = append(errs, fmt.Sprintf("%s [%s] (%s)", fd.Message, fd.Rule, fd.Consequence))
				}
			}
		}
		switch {
		case accepted && len(errs) > 0:
			t.Errorf("%s: php-fpm accepts it; predicted a failure:\n\t%s", c.name, strings.Join(errs, "\n\t"))
		case !accepted:
			refused++
			msg := fpmMessage(text)
			if len(errs) == 0 {
				t.Errorf("%s: php-fpm refuses it (%s); nothing predicts it", c.name, msg)
				continue
			}
			predicted++
			found := false
			for _, e := range errs {
				found = found || strings.Contains(e, msg)
			}
			if !found {
				t.Errorf("%s: php-fpm says %q; no prediction quotes it:\n\t%s", c.name, msg, strings.Join(errs, "\n\t"))
				continue
			}
			quoted++
			t.Logf("%-45s %s", c.name, errs[0])
		}
	}
	t.Logf("%d files: php-fpm refused %d; predicted %d of %d (%d quoting php-fpm's message), accepted %d with no failure predicted",
		len(cases), refused, predicted, refused, quoted, len(cases)-refused)
}

type oracleCase struct {
	name, verdict string
	load          func() (*lint.FPM, error)
}

// oracleCases lays out every verdict's files as the oracle ran them: an edge
// file included from line 6 of a wrapper php-fpm.conf, a real master where
// its include= looks, a real pool file through the wrapper.
func oracleCases(t *testing.T, corpus, verdicts, tmp string) []oracleCase {
	t.Helper()
	env := map[string]string{"FPM_LISTEN": "127.0.0.1:9008", "POOLNAME": "envpool", "HOME": "/root"}
	opts := fpm.Options{Prefix: tmp, Version: "8.2.36", Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	wrapper := func(include string) (*lint.FPM, error) {
		conf := filepath.Join(tmp, "php-fpm.conf")
		fsys := &source.FS{Overlay: map[string][]byte{
			conf: fmt.Appendf(nil, "[global]\npid = %s/fpm.pid\nerror_log = %s/fpm.log\n;\n;\ninclude=%s\n", tmp, tmp, include),
		}}
		e53 := filepath.Join(corpus, "edge", "e53-include-in-pool.conf")
		if data, err := os.ReadFile(e53); err == nil {
			fsys.Overlay[e53] = []byte(strings.ReplaceAll(string(data), "$CORPUS", corpus))
		}
		f, _, err := fpm.Load(fsys, conf, opts)
		return f, err
	}
	var cases []oracleCase
	edge, _ := filepath.Glob(filepath.Join(verdicts, "edge", "*.txt"))
	for _, vp := range edge {
		name := strings.TrimSuffix(filepath.Base(vp), ".txt")
		include := filepath.Join(corpus, "edge", name+".conf")
		if name == "e13-merge" {
			include = filepath.Join(corpus, "edge", "e13?-*.conf")
		}
		cases = append(cases, oracleCase{name, vp, func() (*lint.FPM, error) { return wrapper(include) }})
	}
	docker := func(dir string) map[string]string {
		return map[string]string{
			dir + "/php-fpm.conf":             "/usr/local/etc/php-fpm.conf",
			dir + "/php-fpm.d/docker.conf":    "/usr/local/etc/php-fpm.d/docker.conf",
			dir + "/php-fpm.d/www.conf":       "/usr/local/etc/php-fpm.d/www.conf",
			dir + "/php-fpm.d/zz-docker.conf": "/usr/local/etc/php-fpm.d/zz-docker.conf",
		}
	}
	rhel := func(dir string) map[string]string {
		return map[string]string{dir + "/php-fpm.conf": "/etc/php-fpm.conf", dir + "/php-fpm.d/www.conf": "/etc/php-fpm.d/www.conf"}
	}
	masters := map[string]struct {
		conf   string
		files  map[string]string
		prefix string
	}{
		"debian-bookworm-php8.2": {"/etc/php/8.2/fpm/php-fpm.conf", map[string]string{
			"debian-bookworm-php8.2/php-fpm.conf":    "/etc/php/8.2/fpm/php-fpm.conf",
			"debian-bookworm-php8.2/pool.d/www.conf": "/etc/php/8.2/fpm/pool.d/www.conf",
		}, "/usr"},
		"docker-current":        {"/usr/local/etc/php-fpm.conf", docker("docker-library-php/current"), "/usr/local"},
		"docker-pre2026":        {"/usr/local/etc/php-fpm.conf", docker("docker-library-php/pre2026"), "/usr/local"},
		"fedora-style-ius-2018": {"/etc/php-fpm.conf", rhel("fedora-style-ius-2018"), "/usr"},
		"ius-rhel-php74":        {"/etc/php-fpm.conf", rhel("ius-rhel-php74"), "/usr"},
		"sclorg-rh-php73":       {"/etc/php-fpm.conf", rhel("sclorg-rh-php73"), "/usr"},
	}
	real, _ := filepath.Glob(filepath.Join(verdicts, "corpus", "*.txt"))
	for _, vp := range real {
		name := strings.TrimSuffix(filepath.Base(vp), ".txt")
		if ms, ok := masters[name]; ok {
			cases = append(cases, oracleCase{"corpus/" + name, vp, func() (*lint.FPM, error) {
				fsys := &source.FS{Root: filepath.Join(tmp, "root-"+name), Overlay: map[string][]byte{}}
				for from, to := range ms.files {
					data, err := os.ReadFile(filepath.Join(corpus, from))
					if err != nil {
						return nil, err
					}
					fsys.Overlay[fsys.Path(to)] = data
				}
				o := opts
				o.Prefix = ms.prefix
				f, _, err := fpm.Load(fsys, fsys.Path(ms.conf), o)
				return f, err
			}})
			continue
		}
		rel := strings.Replace(name, "__", "/", 1)
		pool := filepath.Join(corpus, rel+".conf")
		if _, err := os.Stat(pool); err != nil {
			pool = filepath.Join(corpus, rel)
		}
		if name == "php-src__www.conf.in" {
			pool = filepath.Join(corpus, "php-src", "www.conf.in.reconstructed-8.2")
		}
		cases = append(cases, oracleCase{"corpus/" + name, vp, func() (*lint.FPM, error) { return wrapper(pool) }})
	}
	return cases
}

// debianAccounts are the users of the Debian system the oracle ran on
// (../shared/corpus/debian-bookworm-sysroot/etc/passwd), plus apache and
// php-fpm: php-fpm -tt resolved them for the RHEL configurations, so the
// harness had created them.
func debianAccounts(t *testing.T) *lint.Accounts {
	t.Helper()
	passwd := filepath.Join(sharedCorpus(t), "debian-bookworm-sysroot", "etc", "passwd")
	data, err := os.ReadFile(passwd)
	if err != nil {
		t.Skipf("no Debian passwd: %v", err)
	}
	acc := &lint.Accounts{Source: []string{passwd}, Users: map[string]string{"apache": "apache", "php-fpm": "php-fpm"}, Members: map[string][]string{}}
	for _, line := range strings.Split(string(data), "\n") {
		if name, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(name, "#") {
			acc.Users[name] = ""
		}
	}
	return acc
}

var (
	fpmErrorLine  = regexp.MustCompile(`^(?:\[[^\]]*\] )?(?:ERROR|ALERT): (?:\[(pool [^\]]+|[^\]]+:\d+)\] )?(.*)$`)
	fpmSyntaxLine = regexp.MustCompile(`^PHP:\s+(syntax error, .*?)(?: in .*)?$`)
)

// fpmMessage is the message a failed php-fpm run gives for the cause, as the
// rules and load errors quote it: "[pool www] msg" after reading, the bare
// message for a line php-fpm refuses while reading, the bison message for a
// syntax error.
func fpmMessage(text string) string {
	var first string
	for _, line := range strings.Split(text, "\n") {
		if m := fpmSyntaxLine.FindStringSubmatch(line); m != nil {
			return m[1]
		}
		m := fpmErrorLine.FindStringSubmatch(line)
		if m == nil || first != "" {
			continue
		}
		switch {
		case strings.HasPrefix(m[1], "pool "):
			first = "[" + m[1] + "] " + m[2]
		case strings.HasPrefix(m[2], "Unable to include"), strings.HasPrefix(m[2], "failed to"), strings.HasPrefix(m[2], "FPM initialization"):
		default:
			first = m[2]
		}
	}
	return first
}
