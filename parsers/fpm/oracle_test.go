package fpm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/fpmconf"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// The oracle test loads every file Debian's php-fpm 8.2.36 was run on
// (../shared/corpus/fpm, see its MANIFEST.md) the way it was run, and
// compares the model with what php-fpm printed (`php-fpm -tt` dumps the
// parsed configuration, or prints its error).

// sharedDir finds ../shared from the repository root, or skips.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Skip(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	shared := filepath.Join(filepath.Dir(dir), "shared")
	if _, err := os.Stat(filepath.Join(shared, "corpus", "fpm", "oracle-verdicts")); err != nil {
		t.Skip("../shared/corpus/fpm is absent")
	}
	return shared
}

// oracleEnv is the environment of the edge runs.
var oracleEnv = map[string]string{
	"FPM_LISTEN": "127.0.0.1:9008",
	"POOLNAME":   "envpool",
	"HOME":       "/root",
}

func oracleLookup(name string) (string, bool) {
	v, ok := oracleEnv[name]
	return v, ok
}

// errorClass says, for every verdict where php-fpm failed, what the loader
// must do:
//
//	load        php-fpm could not read the line: the loader fails there too
//	value       php-fpm read the line and refused the value (unknown entry,
//	            invalid boolean, number or time…): validation, for a rule;
//	            the loader keeps the value and ValueError predicts the message
//	post        php-fpm read everything and refused the result (ranges,
//	            paths, users): validation, for a rule; the loader succeeds
var errorClass = map[string]string{
	"e01-hash-comment-line":               "load",
	"e02-hash-commented-key":              "load",
	"e05-hash-in-value":                   "load",
	"e05c-equals-in-array-value":          "load",
	"e07-equals-in-value":                 "load",
	"e08-env-expansion":                   "post",
	"e12-no-section-first":                "value",
	"e14b-bool-quoted-junk":               "value",
	"e14c-bool-int2":                      "value",
	"e17b-pool-var-in-global":             "value",
	"e19-multiline-quoted":                "load",
	"e20-backslash-continuation":          "load",
	"e22b-time-bad":                       "value",
	"e23-int-bad":                         "value",
	"e23b-int-space":                      "value",
	"e25b-empty-env":                      "value",
	"e26-array-key-forms":                 "load",
	"e26c-array-key-empty":                "load",
	"e26d-array-case":                     "load",
	"e32-key-without-value":               "load",
	"e33-unknown-key":                     "value",
	"e36-null-value":                      "post",
	"e37b-number-float":                   "value",
	"e42-slowlog-timeout-without-slowlog": "post",
	"e43a-same-listen":                    "post",
	"e44-start-servers-range":             "post",
	"e44b-dynamic-missing-spares":         "post",
	"e45-ping-path-noslash":               "post",
	"e47-terminate-lt-slowlog":            "post",
	"e48-global-keys-in-pool":             "value",
	"e49-pool-keys-in-global":             "value",
	"e50-no-pm":                           "post",
	"e51-no-user":                         "post",
	"e52-max-children-zero":               "post",
	"e54-array-global":                    "load",
	"e55-user-missing":                    "post",
	"e56-listen-owner-missing":            "post",
	"e59-key-quoted":                      "load",
	"e67-key-dash":                        "value",
	"e68-tilde-path":                      "post",
	"corpus/php-src__www.conf.in":         "post",
}

// expectedMismatch lists values the model is allowed to read differently
// from php-fpm, with the reason. Keys are "case pool key".
var expectedMismatch = map[string]string{}

// ---- php-fpm's dump ----

type dumpEntry struct{ key, value string }

type dumpSection struct {
	name    string
	entries []dumpEntry
}

type verdict struct {
	ok       bool
	sections []*dumpSection // [global] first
	lines    []string       // every line, for errors
}

var timestamp = regexp.MustCompile(`^\[\d\d-[A-Za-z]{3}-\d{4} [0-9:.]+\] `)

var dumpLine = regexp.MustCompile(`^(?:\[[^\]]*\] )?(NOTICE|WARNING|ERROR|ALERT): (?:pid \d+, [a-z_]+\(\), line \d+: )?(.*)$`)

func parseVerdict(text string) *verdict {
	v := &verdict{}
	var cur *dumpSection
	for _, line := range strings.Split(text, "\n") {
		line = timestamp.ReplaceAllString(line, "")
		v.lines = append(v.lines, line)
		m := dumpLine.FindStringSubmatch(line)
		if m == nil || m[1] != "NOTICE" {
			continue
		}
		body := m[2]
		switch {
		case strings.HasPrefix(body, "configuration file ") && strings.HasSuffix(body, "test is successful"):
			v.ok = true
		case strings.HasPrefix(body, "\t"):
			if cur != nil {
				k, val, _ := strings.Cut(body[1:], " = ")
				cur.entries = append(cur.entries, dumpEntry{k, val})
			}
		case strings.HasPrefix(body, "[") && strings.HasSuffix(body, "]") && !strings.HasPrefix(body, "[pool "):
			cur = &dumpSection{name: body[1 : len(body)-1]}
			v.sections = append(v.sections, cur)
		}
	}
	// With error_log on stderr, the Docker runs print each entry twice.
	for _, s := range v.sections {
		doubled := len(s.entries) > 0 && len(s.entries)%2 == 0
		for i := 0; doubled && i < len(s.entries); i += 2 {
			doubled = s.entries[i] == s.entries[i+1]
		}
		if doubled {
			half := s.entries[:0]
			for i := 0; i < len(s.entries); i += 2 {
				half = append(half, s.entries[i])
			}
			s.entries = half
		}
	}
	return v
}

// php-fpm 8.2's dump of what a file does not set.
var globalDumpDefaults = map[string]string{
	"pid": "undefined", "syslog.ident": "php-fpm", "syslog.facility": "24",
	"log_buffering": "yes", "log_level": "unknown value", "log_limit": "1024", "emergency_restart_interval": "0s",
	"emergency_restart_threshold": "0", "process_control_timeout": "0s", "process.max": "0",
	"process.priority": "undefined", "daemonize": "yes", "rlimit_files": "0", "rlimit_core": "0",
	"events.mechanism": "epoll", "systemd_interval": "10s",
}

var poolDumpDefaults = map[string]string{
	"prefix": "undefined", "user": "undefined", "group": "undefined", "listen": "undefined", "listen.backlog": "-1",
	"listen.acl_users": "undefined", "listen.acl_groups": "undefined", "listen.owner": "undefined",
	"listen.group": "undefined", "listen.mode": "undefined", "listen.allowed_clients": "undefined",
	"process.priority": "undefined", "process.dumpable": "no", "pm.max_children": "0", "pm.start_servers": "0",
	"pm.min_spare_servers": "0", "pm.max_spare_servers": "0", "pm.max_spawn_rate": "32",
	"pm.process_idle_timeout": "10", "pm.max_requests": "0", "pm.status_path": "undefined",
	"pm.status_listen": "undefined", "ping.path": "undefined", "ping.response": "undefined",
	"access.log": "undefined", "access.format": "undefined", "slowlog": "undefined",
	"request_slowlog_timeout": "0s", "request_slowlog_trace_depth": "20", "request_terminate_timeout": "0s",
	"request_terminate_timeout_track_finished": "no", "rlimit_files": "0", "rlimit_core": "0",
	"chroot": "undefined", "chdir": "undefined", "catch_workers_output": "no", "decorate_workers_output": "yes",
	"clear_env": "yes", "security.limit_extensions": ".php .phar",
}

// ---- comparison ----

type oracleStats struct {
	values, matched int
	mismatches      []string
	expected        []string
	errorsPredicted int
	errors          int
}

type oracleRun struct {
	name   string
	fpm    *lint.FPM
	err    error
	prefix string
	// skipGlobal lists [global] keys the oracle's harness rewrote.
	skipGlobal map[string]bool
}

func (st *oracleStats) mismatch(t *testing.T, run, pool, key, want, got string) {
	t.Helper()
	id := run + " " + pool + " " + key
	if reason, ok := expectedMismatch[id]; ok {
		st.expected = append(st.expected, fmt.Sprintf("%s: php-fpm %q, model %q (%s)", id, want, got, reason))
		return
	}
	st.mismatches = append(st.mismatches, fmt.Sprintf("%s: php-fpm %q, model %q", id, want, got))
}

// normalize turns a model value into php-fpm's dump format for key.
func dumpFormat(kind fpmconf.KeyKind, key, v string) string {
	switch kind {
	case fpmconf.KeyBool:
		if b, ok := fpmconf.ParseBool(v); ok {
			if b {
				return "yes"
			}
			return "no"
		}
	case fpmconf.KeyTime:
		if n, ok := fpmconf.ParseTime(v); ok {
			if key == "pm.process_idle_timeout" {
				return strconv.Itoa(n)
			}
			return strconv.Itoa(n) + "s"
		}
	case fpmconf.KeyInt:
		if n, ok := fpmconf.ParseInt(v); ok {
			return strconv.Itoa(n)
		}
	case fpmconf.KeyRlimit:
		if n, ok := fpmconf.ParseRlimit(v); ok {
			return strconv.Itoa(n)
		}
	case fpmconf.KeyPM:
		return strings.ToLower(v)
	case fpmconf.KeyLogLevel:
		if strings.EqualFold(v, "warn") {
			return "WARNING"
		}
		return strings.ToUpper(v)
	case fpmconf.KeyFacility:
		if n, ok := fpmconf.SyslogFacility(v); ok {
			return strconv.Itoa(n)
		}
	}
	return v
}

// poolPathKeys are resolved against the pool's prefix after reading.
var poolPathKeys = map[string]bool{"slowlog": true, "access.log": true, "chdir": true}

// phpPathSettings are the php_value settings php-fpm resolves too
// (FPM_PHP_INI_TO_EXPAND).
var phpPathSettings = map[string]bool{
	"error_log": true, "extension_dir": true, "sendmail_path": true, "session.cookie_path": true,
	"session_pgsql.sem_file_name": true, "soap.wsdl_cache_dir": true, "uploadprogress.file.filename_template": true,
	"xdebug.output_dir": true, "xdebug.profiler_output_dir": true, "xdebug.trace_output_dir": true,
	"xmms.path": true, "axis2.client_home": true, "blenc.key_file": true, "coin_acceptor.device": true,
}

func (st *oracleStats) compare(t *testing.T, run *oracleRun, v *verdict) {
	t.Helper()
	f := run.fpm
	if len(v.sections) == 0 || v.sections[0].name != "global" {
		t.Errorf("%s: no [global] in the dump", run.name)
		return
	}
	// [global]
	for _, e := range v.sections[0].entries {
		if run.skipGlobal[e.key] {
			continue
		}
		kind, _ := fpmconf.GlobalKey(e.key)
		mv, set := f.Global[e.key]
		want := e.value
		switch {
		case set:
			got := dumpFormat(kind, e.key, mv.Value)
			if e.key == "pid" || e.key == "error_log" && got != "syslog" {
				got = resolvePath(got, run.prefix)
			}
			st.values++
			if got == want {
				st.matched++
			} else {
				st.mismatch(t, run.name, "[global]", e.key, want, got)
			}
		case e.key == "error_log":
			// php-fpm's default, log/php-fpm.log under the prefix.
		default:
			if d, ok := globalDumpDefaults[e.key]; ok && d != want {
				st.values++
				st.mismatch(t, run.name, "[global]", e.key, want, "(not set)")
			}
		}
	}
	// Pools, in order.
	var names, wantNames []string
	for _, p := range f.Pools {
		names = append(names, p.Name)
	}
	for _, s := range v.sections[1:] {
		wantNames = append(wantNames, s.name)
	}
	if strings.Join(names, "|") != strings.Join(wantNames, "|") {
		st.values++
		st.mismatch(t, run.name, "-", "pools", strings.Join(wantNames, ", "), strings.Join(names, ", "))
		return
	}
	for i, s := range v.sections[1:] {
		st.comparePool(t, run, f.Pools[i], s)
	}
}

func (st *oracleStats) comparePool(t *testing.T, run *oracleRun, p *lint.Pool, s *dumpSection) {
	t.Helper()
	pool := "[" + p.Name + "]"
	plain := map[string]string{}
	env := map[string]string{}
	phpv := map[string]string{}
	admin := map[string]string{}
	for _, e := range s.entries {
		switch {
		case strings.HasPrefix(e.key, "env["):
			// Listed last written first: the last one listed is in force.
			env[strings.TrimSuffix(strings.TrimPrefix(e.key, "env["), "]")] = e.value
		case strings.HasPrefix(e.key, "php_value["):
			phpv[strings.TrimSuffix(strings.TrimPrefix(e.key, "php_value["), "]")] = e.value
		case strings.HasPrefix(e.key, "php_admin_value["):
			admin[strings.TrimSuffix(strings.TrimPrefix(e.key, "php_admin_value["), "]")] = e.value
		default:
			plain[e.key] = e.value
		}
	}
	get := func(k string) (string, bool) {
		if v, ok := p.Values[k]; ok {
			return v.Value, true
		}
		return "", false
	}
	keys := make([]string, 0, len(plain))
	for k := range plain {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		want := plain[k]
		kind, _ := fpmconf.PoolKey(k)
		mv, set := get(k)
		if !set {
			if d, ok := derivedDefault(p, k, want); ok {
				if d != want {
					st.values++
					st.mismatch(t, run.name, pool, k, want, d+" (derived)")
				}
				continue
			}
			if d, ok := poolDumpDefaults[k]; ok && d != want {
				st.values++
				st.mismatch(t, run.name, pool, k, want, "(not set)")
			}
			continue
		}
		var got string
		switch {
		case k == "listen" && p.Listen.Kind == lint.ListenUnix:
			got = p.Listen.Path
		case k == "ping.response" && p.Values["ping.path"] == nil:
			// php-fpm drops ping.response without a ping.path.
			got = "undefined"
		case k == "prefix":
			got = resolvePath(mv, run.prefix)
		case poolPathKeys[k]:
			got = PoolPath(p, run.prefix, mv)
		case k == "pm" && strings.EqualFold(mv, "ondemand"), k == "pm" && strings.EqualFold(mv, "static"), k == "pm" && strings.EqualFold(mv, "dynamic"):
			got = strings.ToLower(mv)
		case (k == "pm.start_servers" || k == "pm.min_spare_servers" || k == "pm.max_spare_servers") && p.Values["pm"] != nil && strings.EqualFold(p.Values["pm"].Value, "ondemand"):
			got = "0" // php-fpm zeroes them for ondemand
		default:
			got = dumpFormat(kind, k, mv)
		}
		st.values++
		if got == want || truncated(want, got) {
			st.matched++
		} else {
			st.mismatch(t, run.name, pool, k, want, got)
		}
	}
	// Values php-fpm does not dump.
	for k := range p.Values {
		if _, ok := plain[k]; !ok && k != "apparmor_hat" && !strings.HasPrefix(k, "access.suppress_path") {
			st.values++
			st.mismatch(t, run.name, pool, k, "(not in the dump)", p.Values[k].Value)
		}
	}
	// env[]
	for _, k := range sortedKeys(env) {
		st.values++
		mv, ok := p.Env[k]
		switch {
		case !ok:
			st.mismatch(t, run.name, pool, "env["+k+"]", env[k], "(not set)")
		case mv.Value != env[k] && !truncated(env[k], mv.Value):
			st.mismatch(t, run.name, pool, "env["+k+"]", env[k], mv.Value)
		default:
			st.matched++
		}
	}
	for k := range p.Env {
		if _, ok := env[k]; !ok {
			st.values++
			st.mismatch(t, run.name, pool, "env["+k+"]", "(not in the dump)", p.Env[k].Value)
		}
	}
	// php_value[] and php_admin_value[]: the one in force.
	for _, name := range sortedKeys(mergeKeys(phpv, admin)) {
		want, wantAdmin := phpv[name], false
		if a, ok := admin[name]; ok {
			want, wantAdmin = a, true
		}
		if phpPathSettings[name] {
			want = strings.TrimSpace(want)
		}
		st.values++
		mv, ok := p.PHPValues[name]
		got := ""
		if ok {
			got = mv.Value
			if phpPathSettings[name] && (name != "error_log" || got != "syslog") {
				got = PoolPath(p, run.prefix, got)
			}
		}
		if truncated(want, got) {
			want = got
		}
		switch {
		case !ok:
			st.mismatch(t, run.name, pool, "php_value["+name+"]", want, "(not set)")
		case got != want || mv.Admin != wantAdmin:
			st.mismatch(t, run.name, pool, "php_value["+name+"]", fmt.Sprintf("%s admin=%v", want, wantAdmin), fmt.Sprintf("%s admin=%v", got, mv.Admin))
		default:
			st.matched++
		}
	}
	for name, mv := range p.PHPValues {
		if _, ok := phpv[name]; !ok {
			if _, ok := admin[name]; !ok {
				st.values++
				st.mismatch(t, run.name, pool, "php_value["+name+"]", "(not in the dump)", mv.Value)
			}
		}
	}
}

// truncated says whether a dumped value is got cut by php-fpm's log line
// limit (log_limit, 1024 bytes by default), which ends the line with "...".
func truncated(dumped, got string) bool {
	return strings.HasSuffix(dumped, "...") && len(got) > len(dumped)-3 && strings.HasPrefix(got, strings.TrimSuffix(dumped, "..."))
}

// derivedDefault is what php-fpm sets after reading when the file does not:
// ok is false when the dump default applies.
func derivedDefault(p *lint.Pool, key, dumped string) (string, bool) {
	val := func(k string) string {
		if v, ok := p.Values[k]; ok {
			return v.Value
		}
		return ""
	}
	switch key {
	case "pm.start_servers":
		if strings.EqualFold(val("pm"), "dynamic") {
			lo, _ := fpmconf.ParseInt(val("pm.min_spare_servers"))
			hi, _ := fpmconf.ParseInt(val("pm.max_spare_servers"))
			return strconv.Itoa(lo + (hi-lo)/2), true
		}
	case "ping.response":
		if val("ping.path") != "" {
			return "pong", true
		}
	case "access.format":
		if val("access.log") != "" {
			return `%R - %u %t "%m %r" %s`, true
		}
	case "pm.status_path":
		if val("pm.status_listen") != "" {
			return "/", true
		}
	}
	return "", false
}

func mergeKeys(a, b map[string]string) map[string]string {
	m := map[string]string{}
	for k := range a {
		m[k] = ""
	}
	for k := range b {
		m[k] = ""
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ---- errors ----

var (
	fileErrLine    = regexp.MustCompile(`^ERROR: \[(.+):(\d+)\] (.*)$`)
	includeErrLine = regexp.MustCompile(`^ERROR: Unable to include (.+) from (.+) at line (\d+)$`)
)

// checkError checks a verdict where php-fpm failed against the class the
// table gives it.
func (st *oracleStats) checkError(t *testing.T, run *oracleRun, v *verdict, class string) string {
	t.Helper()
	st.errors++
	var file, msg string
	line := 0
	syntax := false
	for _, l := range v.lines {
		if m := fileErrLine.FindStringSubmatch(l); m != nil && file == "" {
			file, msg = m[1], m[3]
			line, _ = strconv.Atoi(m[2])
		}
		if strings.HasPrefix(l, "PHP:  syntax error") {
			syntax, msg = true, strings.TrimPrefix(l, "PHP:  ")
		}
		if m := includeErrLine.FindStringSubmatch(l); m != nil && syntax && file == "" {
			// php-fpm prints the line of the included file here.
			file = m[1]
			line, _ = strconv.Atoi(m[3])
		}
	}
	switch class {
	case "load":
		if file == "" {
			t.Errorf("%s: class load but php-fpm printed no file:line", run.name)
			return ""
		}
		var errs lint.LoadErrors
		errors.As(run.err, &errs)
		for _, e := range errs {
			if e.Pos.File == file && int(e.Pos.Line) == line {
				st.errorsPredicted++
				return fmt.Sprintf("load error at %s:%d: %s", filepath.Base(file), line, e.Msg)
			}
		}
		t.Errorf("%s: php-fpm fails at %s:%d (%s); the loader says %v", run.name, file, line, msg, run.err)
	case "value":
		if run.err != nil {
			t.Errorf("%s: php-fpm reads the file (and refuses a value); the loader fails: %v", run.name, run.err)
			return ""
		}
		got := predictValueError(run.fpm, file, line)
		if got != msg {
			t.Errorf("%s: php-fpm says %q at %s:%d; fpmconf.ValueError says %q", run.name, msg, file, line, got)
			return ""
		}
		st.errorsPredicted++
		return "validation, for a rule: " + got
	case "post":
		if run.err != nil {
			t.Errorf("%s: php-fpm reads the files (and refuses the result); the loader fails: %v", run.name, run.err)
			return ""
		}
		st.errorsPredicted++
		for _, l := range v.lines {
			if m := dumpLine.FindStringSubmatch(l); m != nil && (m[1] == "ERROR" || m[1] == "ALERT") {
				return "validation, for a rule (after reading): " + m[2]
			}
		}
		return "validation, for a rule (after reading)"
	default:
		t.Errorf("%s: php-fpm failed; add the verdict to errorClass", run.name)
	}
	return ""
}

// predictValueError finds the entry at file:line in the model and asks
// ValueError what php-fpm says of it.
func predictValueError(f *lint.FPM, file string, line int) string {
	at := func(p lint.Pos) bool { return p.File == file && int(p.Line) == line }
	for k, v := range f.Global {
		if at(v.Pos) {
			return fpmconf.ValueError(true, v.Key, v.Value)
		}
		_ = k
	}
	for _, p := range f.Pools {
		for _, v := range p.Values {
			if at(v.Pos) {
				return fpmconf.ValueError(false, v.Key, v.Value)
			}
		}
		for k, v := range p.Env {
			if at(v.Pos) {
				return fpmconf.ArrayValueError("env", k, v.Value)
			}
		}
	}
	return "(no entry at that line)"
}

// ---- runs ----

func TestOracle(t *testing.T) {
	shared := sharedDir(t)
	corpus := filepath.Join(shared, "corpus", "fpm")
	verdicts := filepath.Join(corpus, "oracle-verdicts")
	tmp := t.TempDir()
	st := &oracleStats{}
	var table []string
	classes := map[string]int{}

	opts := Options{Prefix: tmp, Env: oracleLookup, Version: "8.2.36"}
	// The edge runs: each file included from line 6 of a wrapper.
	wrapper := func(include string) (*lint.FPM, error) {
		conf := filepath.Join(tmp, "php-fpm.conf")
		fsys := &source.FS{Overlay: map[string][]byte{
			conf: fmt.Appendf(nil, "[global]\npid = %s/fpm.pid\nerror_log = %s/fpm.log\n;\n;\ninclude=%s\n", tmp, tmp, include),
		}}
		// e53 names its include with the corpus placeholder.
		for _, p := range []string{filepath.Join(corpus, "edge", "e53-include-in-pool.conf")} {
			data, err := os.ReadFile(p)
			if err == nil {
				fsys.Overlay[p] = []byte(strings.ReplaceAll(string(data), "$CORPUS", corpus))
			}
		}
		f, _, err := Load(fsys, conf, opts)
		return f, err
	}

	type runCase struct {
		name    string
		verdict string
		run     func() *oracleRun
	}
	var cases []runCase
	edgeVerdicts, _ := filepath.Glob(filepath.Join(verdicts, "edge", "*.txt"))
	for _, vp := range edgeVerdicts {
		name := strings.TrimSuffix(filepath.Base(vp), ".txt")
		include := filepath.Join(corpus, "edge", name+".conf")
		if name == "e13-merge" {
			include = filepath.Join(corpus, "edge", "e13?-*.conf")
		}
		cases = append(cases, runCase{name, vp, func() *oracleRun {
			f, err := wrapper(include)
			return &oracleRun{name: name, fpm: f, err: err, prefix: tmp}
		}})
	}
	// The real configurations: masters laid out where their include= looks,
	// pool files through the wrapper.
	masters := map[string]struct {
		conf   string
		files  map[string]string // corpus file → path on the host
		prefix string
	}{
		"debian-bookworm-php8.2": {"/etc/php/8.2/fpm/php-fpm.conf", map[string]string{
			"debian-bookworm-php8.2/php-fpm.conf":    "/etc/php/8.2/fpm/php-fpm.conf",
			"debian-bookworm-php8.2/pool.d/www.conf": "/etc/php/8.2/fpm/pool.d/www.conf",
		}, "/usr"},
		"docker-current":        {"/usr/local/etc/php-fpm.conf", dockerFiles("docker-library-php/current"), "/usr/local"},
		"docker-pre2026":        {"/usr/local/etc/php-fpm.conf", dockerFiles("docker-library-php/pre2026"), "/usr/local"},
		"fedora-style-ius-2018": {"/etc/php-fpm.conf", rhelFiles("fedora-style-ius-2018"), "/usr"},
		"ius-rhel-php74":        {"/etc/php-fpm.conf", rhelFiles("ius-rhel-php74"), "/usr"},
		"sclorg-rh-php73":       {"/etc/php-fpm.conf", rhelFiles("sclorg-rh-php73"), "/usr"},
	}
	corpusVerdicts, _ := filepath.Glob(filepath.Join(verdicts, "corpus", "*.txt"))
	for _, vp := range corpusVerdicts {
		name := strings.TrimSuffix(filepath.Base(vp), ".txt")
		if m, ok := masters[name]; ok {
			cases = append(cases, runCase{"corpus/" + name, vp, func() *oracleRun {
				root := filepath.Join(tmp, "root-"+name)
				fsys := &source.FS{Root: root, Overlay: map[string][]byte{}}
				for from, to := range m.files {
					data, err := os.ReadFile(filepath.Join(corpus, from))
					if err != nil {
						t.Fatal(err)
					}
					fsys.Overlay[fsys.Path(to)] = data
				}
				o := opts
				o.Prefix = m.prefix
				f, _, err := Load(fsys, fsys.Path(m.conf), o)
				// The harness rewrote pid and error_log to its own paths.
				rewritten := strings.HasPrefix(m.conf, "/etc")
				return &oracleRun{name: "corpus/" + name, fpm: f, err: err, prefix: m.prefix, skipGlobal: map[string]bool{"pid": rewritten, "error_log": rewritten}}
			}})
			continue
		}
		// A pool file: community__x.rendered → community/x.rendered.conf.
		rel := strings.Replace(name, "__", "/", 1)
		pool := filepath.Join(corpus, rel+".conf")
		if _, err := os.Stat(pool); err != nil {
			pool = filepath.Join(corpus, rel)
		}
		if name == "php-src__www.conf.in" {
			pool = filepath.Join(corpus, "php-src", "www.conf.in.reconstructed-8.2")
		}
		cases = append(cases, runCase{"corpus/" + name, vp, func() *oracleRun {
			f, err := wrapper(pool)
			return &oracleRun{name: "corpus/" + name, fpm: f, err: err, prefix: tmp}
		}})
	}

	for _, c := range cases {
		data, err := os.ReadFile(c.verdict)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.NewReplacer("$ORACLE_TMP", tmp, "$CORPUS", corpus).Replace(string(data))
		v := parseVerdict(text)
		run := c.run()
		lerr := run.err
		if v.ok {
			if lerr != nil {
				t.Errorf("%s: php-fpm reads it; the loader fails: %v", c.name, lerr)
				continue
			}
			before := len(st.mismatches)
			st.compare(t, run, v)
			table = append(table, fmt.Sprintf("%-40s ok, %d mismatches", c.name, len(st.mismatches)-before))
			continue
		}
		class, ok := errorClass[c.name]
		if !ok {
			class = "?"
		}
		classes[class]++
		table = append(table, fmt.Sprintf("%-40s %s", c.name, st.checkError(t, run, v, class)))
	}
	if len(cases) < 100 {
		t.Errorf("only %d oracle cases found", len(cases))
	}
	for _, l := range table {
		t.Log(l)
	}
	t.Logf("values: %d of %d match php-fpm 8.2.36; errors: %d of %d predicted (%d load errors at php-fpm's line, %d values fpmconf.ValueError describes, %d refused after reading, loaded for rules)",
		st.matched, st.values, st.errorsPredicted, st.errors, classes["load"], classes["value"], classes["post"])
	for _, e := range st.expected {
		t.Logf("expected mismatch: %s", e)
	}
	for _, m := range st.mismatches {
		t.Errorf("mismatch: %s", m)
	}
}

func dockerFiles(dir string) map[string]string {
	return map[string]string{
		dir + "/php-fpm.conf":             "/usr/local/etc/php-fpm.conf",
		dir + "/php-fpm.d/docker.conf":    "/usr/local/etc/php-fpm.d/docker.conf",
		dir + "/php-fpm.d/www.conf":       "/usr/local/etc/php-fpm.d/www.conf",
		dir + "/php-fpm.d/zz-docker.conf": "/usr/local/etc/php-fpm.d/zz-docker.conf",
	}
}

func rhelFiles(dir string) map[string]string {
	return map[string]string{
		dir + "/php-fpm.conf":       "/etc/php-fpm.conf",
		dir + "/php-fpm.d/www.conf": "/etc/php-fpm.d/www.conf",
	}
}
