package fpm

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// scan parses one php-fpm line (a newline is added as php-fpm does) and
// returns its events and error.
func scan(line string, env map[string]string) ([]iniEvent, *iniError) {
	res := &resolver{
		vars:   func(n string) (string, bool) { v, ok := env[n]; return v, ok },
		consts: constants("8.2.36"),
	}
	events, err, _ := parseINI([]byte(line+"\n"), res)
	return events, err
}

func TestScannerValues(t *testing.T) {
	env := map[string]string{"FPM_LISTEN": "127.0.0.1:9008", "HOME": "/root", "EMPTY": ""}
	tests := []struct {
		line, key, value string
	}{
		// plain values, blanks
		{"listen = 127.0.0.1:9000", "listen", "127.0.0.1:9000"},
		{"\tpm.max_requests\t=\t77\t", "pm.max_requests", "77"},
		{"   ping.path   =   /ping   ", "ping.path", "/ping"},
		{"user=www-data", "user", "www-data"},
		{"a b = 1", "a b", "1"},
		{"access.format = %R - %u %t", "access.format", "%R - %u %t"},
		{"x = a\tb", "x", "a\tb"},
		{"listen.owner =", "listen.owner", ""},
		{"listen.owner = ; nobody", "listen.owner", ""},
		// comments
		{"pm.max_requests = 500 ; respawn", "pm.max_requests", "500"},
		{"pm.max_requests = 500;comment", "pm.max_requests", "500"},
		{"ping.path = /p;x", "ping.path", "/p"},
		{"ping.response = pong#1 # trailing", "ping.response", "pong#1 # trailing"},
		// double quotes: escapes, ${}, ';' inside, concatenation
		{`access.format = "%R ; %u %t \"%m %r\" %s"`, "access.format", `%R ; %u %t "%m %r" %s`},
		{`x = "a\\b\$c\nd"`, "x", `a\b$c\nd`},
		{`x = "home=${HOME} $x"`, "x", "home=/root $x"},
		{`x = "\${HOME}"`, "x", "${HOME}"},
		{`x = "$${HOME}"`, "x", "$/root"},
		{`x = "C:\path\"`, "x", `C:\path\`},
		{`x = ""`, "x", ""},
		{`x = " "`, "x", " "},
		{`x = say "hi" now`, "x", "sayhinow"},
		{`x = "a" "b"`, "x", "ab"},
		{`x = "a=b"`, "x", "a=b"},
		// single quotes: raw
		{`x = '%R %u ; x'`, "x", "%R %u ; x"},
		{`x = '${HOME}\n'`, "x", `${HOME}\n`},
		{`x = x 'y'`, "x", "x y"},
		// ${VAR}
		{"listen = ${FPM_LISTEN}", "listen", "127.0.0.1:9008"},
		{"x = x${NOPE}y", "x", "xy"},
		{"x = ${ HOME }", "x", "/root"},
		{"x = ${HOME}${HOME}", "x", "/root/root"},
		{"x = ${EMPTY}", "x", ""},
		{"x = ${NOPE:-7}", "x", ""}, // 8.2: the whole "NOPE:-7" is the name
		// $ without {
		{"env[P] = $PATH:/x", "env", "$PATH:/x"},
		{"x = $pool", "x", "$pool"},
		{"x = $${HOME}", "x", "$${HOME}"},
		{"x = a$", "x", "a$\n"},
		// booleans and null, unquoted only, any case
		{"x = yes", "x", "1"},
		{"x = On", "x", "1"},
		{"x = TRUE", "x", "1"},
		{"x = off", "x", ""},
		{"x = none", "x", ""},
		{"x = null", "x", ""},
		{"x = NULL ; c", "x", ""},
		{`x = "yes"`, "x", "yes"},
		{"x = yesno", "x", "yesno"},
		{"x = on.x", "x", "on.x"},
		// constants and operators
		{"x = E_ALL & ~E_DEPRECATED & ~E_STRICT", "x", "22527"},
		{"x = E_ALL", "x", "32767"},
		{"x = PHP_VERSION", "x", "8.2.36"},
		{"x = FOO_BAR", "x", "FOO_BAR"},
		{`x = "E_ALL"`, "x", "E_ALL"},
		{"x = 1|2", "x", "3"},
		{"x = !1", "x", "0"},
		{"x = (abc)", "x", "abc"},
		{"x = foo&bar", "x", "0"},
		{"x = 6^3", "x", "5"},
		{"x = ~/www", "x", "-1"},
		{"x = 99999999999 | 0", "x", "1215752191"},
		// numbers stay as written
		{"x = 007", "x", "007"},
		{"x = -1", "x", "-1"},
		{"x = 1.5", "x", "1.5"},
		// other characters
		{"x = {ok}", "x", "{ok}"},
		{"x = a[1]", "x", "a[1]"},
		{"x = héllo wörld", "x", "héllo wörld"},
		// line ends and BOM
		{"x = 42\r", "x", "42"},
		{"\xef\xbb\xbfx = 43", "x", "43"},
	}
	for _, tt := range tests {
		events, err := scan(tt.line, env)
		if err != nil {
			t.Errorf("%q: %s", tt.line, err.phpMessage())
			continue
		}
		if len(events) != 1 {
			t.Errorf("%q: %d events %+v", tt.line, len(events), events)
			continue
		}
		ev := events[0]
		if ev.name != tt.key || ev.value != tt.value || !ev.hasValue {
			t.Errorf("%q: got %q = %q (value %v), want %q = %q", tt.line, ev.name, ev.value, ev.hasValue, tt.key, tt.value)
		}
	}
}

func TestScannerStructure(t *testing.T) {
	env := map[string]string{"POOLNAME": "envpool"}
	tests := []struct {
		line string
		want string // events, "|"-separated: [section], key=value, key (no value), name[off]=value
	}{
		{"[www]", "[www]"},
		{"[www] ; pool comment", "[www]"},
		{"[ spaced pool ]", "[ spaced pool ]"},
		{`["quoted pool"]`, "[quoted pool]"},
		{"[${POOLNAME}]", "[envpool]"},
		{"[E_ALL]", "[E_ALL]"},
		{"[]", "[]"},
		{"[www] user = www-data", "[www]|user=www-data"},
		{"[a][b]", "[a]|[b]"},
		{"[a]b", "[a]|b"},
		{"clear_env", "clear_env"},
		{"# this is a hash comment", "# this is a hash comment"},
		{"#pm.max_children = 50", "#pm.max_children=50"},
		{"php_value[memory_limit] = 128M", "php_value[memory_limit]=128M"},
		{"php_value[ memory_limit ] = 1M", "php_value[memory_limit ]=1M"},
		{`php_admin_value["upload_max_filesize"] = 2M`, "php_admin_value[upload_max_filesize]=2M"},
		{"php_value [x] = 1", "php_value[x]=1"},
		{"php_value[] = 3", "php_value[]=3"},
		{"b[E_ALL] = 1", "b[32767]=1"},
		{"b[null] = 1", "b[]=1"},
		{"env[ A B ] = c", "env[A B ]=c"},
		{"x = '' y = 1", "x=|' y=1"},
		{"x = ''", "x=|'"}, // php-fpm: "value is NULL" for the "'"
		{"x = 1\ry = 2", "x=1|y=2"},
		{"a\tb = 1", "a|b=1"},
		{"; only a comment", ""},
		{"   ", ""},
		{"\r", ""},
	}
	for _, tt := range tests {
		events, err := scan(tt.line, env)
		if err != nil {
			t.Errorf("%q: %s", tt.line, err.phpMessage())
			continue
		}
		var got []string
		for _, ev := range events {
			switch {
			case ev.kind == evSection:
				got = append(got, "["+ev.name+"]")
			case ev.kind == evArray:
				got = append(got, ev.name+"["+ev.offset+"]="+ev.value)
			case ev.hasValue:
				got = append(got, ev.name+"="+ev.value)
			default:
				got = append(got, ev.name)
			}
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("%q: got %q, want %q", tt.line, strings.Join(got, "|"), tt.want)
		}
	}
}

func TestScannerErrors(t *testing.T) {
	tests := []struct {
		line string
		php  string // php's message
		col  int    // 1-based column of the error
	}{
		{"php_value[session.save_path] = a=b", "syntax error, unexpected '='", 33},
		{"x = a = b", "syntax error, unexpected '='", 7},
		{"= b", "syntax error, unexpected '='", 1},
		{`access.format = "%R`, `syntax error, unexpected end of file, expecting TC_DOLLAR_CURLY or TC_QUOTED_STRING or '"'`, 21},
		{`x = "\" `, `syntax error, unexpected end of file, expecting TC_DOLLAR_CURLY or TC_QUOTED_STRING or '"'`, 10},
		{"x = 'abc", "syntax error, unexpected end of file", 5},
		{`"pm.max_requests" = 5`, `syntax error, unexpected '"'`, 1},
		{"yes = 1", "syntax error, unexpected BOOL_TRUE", 1},
		{"x = yes no", "syntax error, unexpected BOOL_FALSE", 9},
		{"x = on x", "syntax error, unexpected TC_CONSTANT", 8},
		{"x = yes | 1", "syntax error, unexpected '|'", 9},
		{"x = (1", "syntax error, unexpected END_OF_LINE, expecting '^' or '|' or '&' or ')'", 7},
		{"x = 1)", "syntax error, unexpected ')'", 6},
		{"x = ${", "syntax error, unexpected end of file, expecting TC_VARNAME", 7},
		{"x = ${}", "syntax error, unexpected '}', expecting TC_VARNAME", 7},
		{"x = ${HOME", "syntax error, unexpected end of file, expecting '}'", 11},
		{"  [www]", "syntax error, unexpected END_OF_LINE, expecting '='", 8},
		{"[www", "syntax error, unexpected end of file, expecting ']'", 5},
		{"[a;b]", "syntax error, unexpected end of file, expecting ']'", 3},
		{"b[x'y] = 1", "syntax error, unexpected end of file, expecting ']'", 4},
		{"b[x]y = 1", "syntax error, unexpected TC_LABEL, expecting '='", 5},
		{"[a] = 1", "syntax error, unexpected '='", 5},
		{"$x = 1", "syntax error, unexpected '$'", 1},
	}
	for _, tt := range tests {
		_, err := scan(tt.line, nil)
		if err == nil {
			t.Errorf("%q: no error, want %q", tt.line, tt.php)
			continue
		}
		if err.phpMessage() != tt.php {
			t.Errorf("%q: %q, want %q", tt.line, err.phpMessage(), tt.php)
		}
		if err.off+1 != tt.col {
			t.Errorf("%q: error at column %d, want %d", tt.line, err.off+1, tt.col)
		}
	}
}

func TestScannerPositions(t *testing.T) {
	events, err := scan("\tphp_value[x] =   \"v\" ; c", nil)
	if err != nil || len(events) != 1 {
		t.Fatalf("%v %v", events, err)
	}
	if ev := events[0]; ev.keyOff != 1 || ev.valOff != 18 {
		t.Errorf("key at %d, value at %d; want 1 and 18", ev.keyOff, ev.valOff)
	}
	events, _ = scan("[p] user = x", nil)
	if events[0].keyOff != 0 || events[1].keyOff != 4 || events[1].valOff != 11 {
		t.Errorf("offsets %+v", events)
	}
	_, _, comments := parseINI([]byte("x = 1 ; one\n; two\r\n"), &resolver{})
	if len(comments) != 2 || comments[0].off != 6 || comments[0].text != " one" || comments[1].off != 12 || comments[1].text != " two" {
		t.Errorf("comments %+v", comments)
	}
}

func TestScannerWholeFile(t *testing.T) {
	// php.ini is parsed whole: a quoted value may span lines there.
	res := &resolver{consts: constants("")}
	events, err, _ := parseINI([]byte("a = \"x\ny\"\n[s]\nb = 'p\nq'\nc = PHP_VERSION\n"), res)
	if err != nil {
		t.Fatal(err.phpMessage())
	}
	want := []string{"a=x\ny", "[s]", "b=p\nq", "c=PHP_VERSION"}
	var got []string
	for _, ev := range events {
		if ev.kind == evSection {
			got = append(got, "["+ev.name+"]")
		} else {
			got = append(got, ev.name+"="+ev.value)
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzParseINI(f *testing.F) {
	for _, s := range diffFixed {
		f.Add(s)
	}
	f.Add("[www]\nlisten = /run/php/$pool.sock\nphp_admin_value[error_log] = \"${HOME}/x\" ; c\n")
	f.Fuzz(func(t *testing.T, s string) {
		src := []byte(s)
		events, perr, comments := parseINI(src, &resolver{vars: func(string) (string, bool) { return "v", true }, consts: constants("8.2"), fallback: true})
		for _, ev := range events {
			if ev.keyOff < 0 || ev.keyOff > len(src) || ev.valOff < 0 || ev.valOff > len(src) {
				t.Fatalf("event %+v out of the input", ev)
			}
		}
		for _, c := range comments {
			if c.off < 0 || c.off >= len(src) || src[c.off] != ';' {
				t.Fatalf("comment %+v is not at a ';'", c)
			}
		}
		if perr != nil && (perr.off < 0 || perr.off > len(src)) {
			t.Fatalf("error at %d, input %d bytes", perr.off, len(src))
		}
	})
}

// trivialLine is trivialComment as parseINI returns a line's comments.
func trivialLine(buf []byte) ([]iniComment, bool) {
	off, comment, ok := trivialComment(buf)
	if !ok || off < 0 {
		return nil, ok
	}
	return []iniComment{{off: off, text: string(comment)}}, true
}

// TestTrivialLine checks the blank and comment lines that scan takes
// without the scanner against the scanner itself: the same comments, no
// event, no error; and that it leaves every other line to the scanner.
func TestTrivialLine(t *testing.T) {
	lines := []string{
		"\n", "   \n", "\t \t\n", "\r\n", "  \r\n",
		";\n", "; a comment\n", "   ;indented\n", "\t; tab\r\n", ";;;\n", "; a = b\n",
		"; [www]\n", "; ${HOME} \"quoted\n", "; utf-8 é\n", "; trailing \t\n",
		// not trivial: the scanner decides
		"; cut\rhere\n", "a ; b\n", "[www] ; c\n", "x = 1\n", "#hash\n", " \r \n", "\ufeff; bom\n",
		"no newline",
	}
	for _, dir := range []string{"../../testdata/fpm", "../../../shared/corpus/fpm"} {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".conf") {
				return nil //nolint:nilerr // a corner the walk cannot read is no case
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil //nolint:nilerr // likewise
			}
			for _, l := range strings.SplitAfter(string(data), "\n") {
				if strings.HasSuffix(l, "\n") {
					lines = append(lines, l)
				}
			}
			return nil
		})
	}
	res := &resolver{vars: func(string) (string, bool) { return "v", true }, consts: constants("8.2"), fallback: true}
	trivial := 0
	for _, l := range lines {
		comments, ok := trivialLine([]byte(l))
		if !ok {
			continue
		}
		trivial++
		events, perr, want := parseINI([]byte(l), res)
		if len(events) > 0 || perr != nil || !reflect.DeepEqual(comments, want) {
			t.Errorf("%q: trivialLine gives %+v; the scanner %+v, %d events, error %v", l, comments, want, len(events), perr)
		}
	}
	for _, l := range []string{"; cut\rhere\n", "a ; b\n", "x = 1\n", "#hash\n", " \r \n", "no newline"} {
		if _, ok := trivialLine([]byte(l)); ok {
			t.Errorf("%q taken as trivial", l)
		}
	}
	if trivial < 100 {
		t.Errorf("only %d trivial lines compared", trivial)
	}
	t.Logf("%d of %d lines compared", trivial, len(lines))
}
