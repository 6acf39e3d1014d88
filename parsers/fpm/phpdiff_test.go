package fpm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The differential test runs PHP's own INI parser (parse_ini_string, the
// scanner php-fpm and php.ini use) on thousands of generated lines and
// compares with ours. It needs a PHP 8.2 binary and is skipped without one.

func php82(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"php8.2", "php"} {
		path, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "-n", "-r", "echo PHP_MAJOR_VERSION, '.', PHP_MINOR_VERSION;").Output()
		if err == nil && string(out) == "8.2" {
			return path
		}
	}
	t.Skip("no PHP 8.2 binary (php8.2 or php) to compare with")
	return ""
}

// phpDiffScript parses each input line (JSON strings, one a line) as
// parse_ini_string does and prints the result as JSON with string keys.
const phpDiffScript = `
function enc($a) {
	if (!is_array($a)) return json_encode((string)$a);
	$o = [];
	foreach ($a as $k => $v) $o[] = json_encode((string)$k) . ":" . enc($v);
	return "{" . implode(",", $o) . "}";
}
while (($l = fgets(STDIN)) !== false) {
	$s = json_decode($l);
	error_clear_last();
	$r = @parse_ini_string($s, true, INI_SCANNER_NORMAL);
	if ($r === false) {
		$e = error_get_last();
		echo json_encode(["err" => $e ? $e["message"] : "?"]), "\n";
	} else {
		echo "{\"ok\":", enc($r), "}\n";
	}
}
`

type phpResult struct {
	Err string         `json:"err"`
	OK  map[string]any `json:"ok"`
}

func runPHP(t *testing.T, php string, inputs []string) []phpResult {
	t.Helper()
	var in bytes.Buffer
	for _, s := range inputs {
		b, _ := json.Marshal(s)
		in.Write(b)
		in.WriteByte('\n')
	}
	cmd := exec.Command(php, "-n", "-r", phpDiffScript)
	cmd.Stdin = &in
	cmd.Env = append(os.Environ(), "FPMTEST_VAR=from-env", "FPMTEST_EMPTY=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("php: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(inputs) {
		t.Fatalf("php printed %d results for %d inputs", len(lines), len(inputs))
	}
	res := make([]phpResult, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &res[i]); err != nil {
			t.Fatalf("php output %q: %v", l, err)
		}
	}
	return res
}

// ourParseINIString mimics parse_ini_string(s, true, INI_SCANNER_NORMAL):
// the events become nested arrays as php_ini_parser_cb_with_sections builds
// them.
func ourParseINIString(s string) (map[string]any, *iniError) {
	env := func(name string) (string, bool) {
		switch name {
		case "FPMTEST_VAR":
			return "from-env", true
		case "FPMTEST_EMPTY":
			return "", true
		}
		return os.LookupEnv(name)
	}
	res := &resolver{vars: env, consts: constants("8.2.36")}
	events, perr, _ := parseINI([]byte(s), res)
	top := map[string]any{}
	cur := top
	appendIdx := map[string]int{}
	for _, ev := range events {
		switch ev.kind {
		case evSection:
			sec := map[string]any{}
			top[ev.name] = sec
			cur = sec
		case evEntry:
			if ev.hasValue {
				cur[ev.name] = ev.value
			}
		case evArray:
			arr, ok := cur[ev.name].(map[string]any)
			if !ok {
				arr = map[string]any{}
				cur[ev.name] = arr
			}
			key := ev.offset
			if key == "" {
				key = strconv.Itoa(nextIndex(arr, appendIdx))
			}
			arr[key] = ev.value
		}
	}
	return top, perr
}

func nextIndex(arr map[string]any, _ map[string]int) int {
	next := 0
	for k := range arr {
		if n, err := strconv.Atoi(k); err == nil && strconv.Itoa(n) == k && n >= next {
			next = n + 1
		}
	}
	return next
}

// diffFragments are the pieces generated lines are made of.
var diffFragments = []string{
	"a", "b", "key", "pm.max_children", "x.y-z/w:v", "#k", "é", "php_value[", "env[", "[", "]", "[sec]", "[ s p ]",
	" ", "  ", "\t", "=", " = ", "=", ";", " ; c", ";c", "\r", "\r\n",
	"yes", "no", "on", "Off", "TRUE", "none", "null", "NULL", "nonex", "yesno",
	"1", "007", "-5", "1.5", ".5", "5.", "-", "0x1A", "99999999999",
	"E_ALL", "E_NOTICE", "PHP_OS", "UNKNOWN_CONST", "_x", "true",
	"\"", "\"q\"", "\"a b\"", "\"\\\"\"", "\"\\\\\"", "\"\\$\"", "\"x\\\"", "\"$\"", "\"${FPMTEST_VAR}\"",
	"'", "'r'", "''", "'a;b'", "' '",
	"${", "${FPMTEST_VAR}", "${FPMTEST_EMPTY}", "${NOPE_UNSET}", "${ FPMTEST_VAR }", "${A:-b}", "}", "{", "$", "$x", "$$", "a$", "$\\", "\\",
	"|", "&", "^", "~", "!", "(", ")", "( ", " )",
	"/run/php/$pool.sock", "127.0.0.1:9000", "[::1]:9000", "www-data", "a=b", "%R %u",
	"\xef\xbb\xbf",
}

func genLines(n int, seed int64) []string {
	r := rand.New(rand.NewSource(seed))
	lines := make([]string, 0, n)
	for len(lines) < n {
		k := 1 + r.Intn(7)
		var b strings.Builder
		// Most lines look like options, to reach the value grammar.
		if r.Intn(3) > 0 {
			b.WriteString([]string{"a", "b[x]", "b[]", "k ", " key", "[s] a", "b[ E_ALL ]"}[r.Intn(7)])
			b.WriteString([]string{" = ", "=", "\t=\t", " ="}[r.Intn(4)])
		}
		for i := 0; i < k; i++ {
			b.WriteString(diffFragments[r.Intn(len(diffFragments))])
		}
		b.WriteString("\n")
		lines = append(lines, b.String())
	}
	return lines
}

// valueFragments make mostly valid values.
var valueFragments = []string{
	"x", "www-data", "/run/php/php8.2-fpm.sock", "127.0.0.1:9000", " ", "\t", "yes", "off", "null", "E_ALL", "FOO_BAR",
	"1", "-1", "2.5", "\"q z\"", "\"\\\"\"", "'raw ; x'", "${FPMTEST_VAR}", "\"${NOPE}\"", "$pool", "$", "a$b",
	" ; comment", "|", "&", "~", "!", "(", ")", "^", "{x}", "a[1]", "%R - %u", "\\", "é", "#",
}

func genValueLines(n int, seed int64) []string {
	r := rand.New(rand.NewSource(seed))
	lines := make([]string, 0, n)
	for len(lines) < n {
		var b strings.Builder
		b.WriteString([]string{"k = ", "php_value[k] = ", "[p] k = ", "k=", "env[ A ] ="}[r.Intn(5)])
		for i, k := 0, 1+r.Intn(4); i < k; i++ {
			b.WriteString(valueFragments[r.Intn(len(valueFragments))])
		}
		b.WriteString([]string{"\n", "\r\n", " \n", "\t;x\n"}[r.Intn(4)])
		lines = append(lines, b.String())
	}
	return lines
}

// diffFixed are lines worth keeping whatever the generator does.
var diffFixed = []string{
	"a = yes no\n", "a = on x\n", "a = \"x\" y\n", "a = x 'y'\n", "a = ''\n", "a = 'abc\n", "a = a$\n",
	"yes = 1\n", "  [www]\n", "[ E_ALL ]\n", "b[E_ALL] = 1\n", "b[ E_ALL ] = 1\n", "a]b = 1\n",
	"a = E_ALL & ~E_DEPRECATED & ~E_STRICT\n", "a = \"C:\\path\\\"\n", "a = \"a\\\"b\"\n", "a = -1.5\n",
	"a = (1\n", "a = 1)\n", "a = ~~1\n", "a = 1|2&3\n", "[a] b = 1\n", "[a][b]\n", "a = 1;x\n",
	"a = '' b = 1\n", "a = x '' y = 1\n", "a = x' b = 1\n", "b[''] = 1\n", "b[x'y] = 1\n",
	"a = \"\\${FPMTEST_VAR}\"\n", "a = $${FPMTEST_VAR}\n", "a = ${X Y}\n", "a = ${}\n", "a = ${\n",
	"a = 99999999999 | 0\n", "a = \" 12abc\" | 0\n", "b[null] = 1\n", "b[true] = 1\n", "[null]\n",
	"a = \"x\r\n", "a = x\\\n", "[a\\]b]\n", "b[x\\]y] = 1\n", "\xef\xbb\xbf\xef\xbb\xbf\n", " \xef\xbb\xbfx = 1\n",
	"a = 1\rb = 2\n", "a = \"a\" ;\n", "a = \"\\\" \n", "a = \"x\" \t y\n", "b[\t\"x\"\t] = 1\n",
	"[a]b\n", "[a] = 1\n", "a = ( E_ALL )\n", "a = E_ALL E_ALL\n", "a = 'x''' y = 1\n",
	"a = \"x\ny\"\nb = 1\n", "a = 'x\ny'\nb = 2\n", "a = 1\n\n[s]\nb = \"q\" ; c\nc = ${FPMTEST_VAR}\n", "a = \"x\r\n\"\n",
	"[s\n]\n", "a = x\\\ny = 2\n", "a = $\nb = 1\n", "\xef\xbb\xbfa = 1\n\xef\xbb\xbfb = 2\n", "a = 1", "a = \"1", "[s", "a = $", "a = x$", "a = x'", "a = ''", "a = 'x''",
	"a = $\"x\"\n", "a = \"a$\"b\"\n", "a = ${FPMTEST_VAR}\"x\"\n", "a = x=y\n", "= b\n", "[\n", "[a;b]\n",
}

func TestDifferentialPHP(t *testing.T) {
	php := php82(t)
	inputs := append(append(append([]string{}, diffFixed...), genLines(10000, 1)...), genValueLines(10000, 2)...)
	want := runPHP(t, php, inputs)
	bad := 0
	for i, in := range inputs {
		got, gerr := ourParseINIString(in)
		w := want[i]
		switch {
		case w.Err != "" && gerr == nil:
			bad++
			t.Errorf("%q: php fails (%s), we read %v", in, w.Err, got)
		case w.Err == "" && gerr != nil:
			bad++
			t.Errorf("%q: php reads %v, we fail (%s)", in, w.OK, gerr.phpMessage())
		case w.Err != "":
			// The "unexpected X" part must agree.
			if unexpectedOf(w.Err) != unexpectedOf(gerr.phpMessage()) {
				bad++
				t.Errorf("%q: php says %q, we say %q", in, w.Err, gerr.phpMessage())
			}
		default:
			if fmt.Sprint(normalize(w.OK)) != fmt.Sprint(normalize(got)) {
				bad++
				t.Errorf("%q:\n php %v\n ours %v", in, w.OK, got)
			}
		}
		if bad > 30 {
			t.Fatal("too many differences")
		}
	}
	t.Logf("%d lines compared with %s", len(inputs), php)
}

// normalize makes maps comparable by printing them sorted.
func normalize(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("{")
	for _, k := range keys {
		fmt.Fprintf(&b, "%q:%v,", k, normalize(m[k]))
	}
	b.WriteString("}")
	return b.String()
}

func unexpectedOf(msg string) string {
	msg = strings.TrimPrefix(msg, "syntax error, unexpected ")
	if i := strings.Index(msg, " in Unknown"); i >= 0 {
		msg = msg[:i]
	}
	if i := strings.Index(msg, ", expecting"); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
