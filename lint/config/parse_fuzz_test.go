package config_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/config"
)

// FuzzParse fuzzes the reader of .nginx502-lint.yml: no panic, errors are
// lint.LoadErrors naming the file, each at a line of it (and, when it has
// one, a column of that line), and the accessors work on whatever was read.
//
//	go test ./lint/config -run '^$' -fuzz '^FuzzParse$' -fuzztime 5m
func FuzzParse(f *testing.F) {
	f.Add([]byte(config.Default()))
	for _, s := range []string{
		"rules:\n  disable: [a, b]\n  buffer-too-small:\n    severity: off\n    options: {min_buffer_size: 16k}\nexclude: [\"**/x\", \"[\"]\nroot: deploy\nnginx_user: \"www-data www-data\"\nfail_on: error\nmin_severity: note\n",
		"a: &x {b: *x}\n", "<<: {a: 1}\n", "rules: [1]\nrules: {}\n", "\tkey: 1\n", "---\n---\n", "rules:\n  x:\n    severity: [1]\n",
		"nginx_user: \"\"\nfail_on: {}\n", "? [a]\n: b\n", "a: !!binary AAA=\n", "\xef\xbb\xbfroot: x\n", "a: 1\x00",
	} {
		f.Add([]byte(s))
	}
	for _, dir := range []string{"../../testdata/config"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
				f.Add(data)
			}
		}
	}
	known := []*lint.Rule{{ID: "buffer-too-small", Options: []lint.RuleOption{{Name: "min_buffer_size", Valid: func(v string) bool { _, ok := lint.ParseSize(v); return ok }}}}, {ID: "timeout-too-low"}, {ID: "load-error"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "dir/.nginx502-lint.yml"
		cfg, err := config.Parse(name, data)
		if err != nil {
			checkErrors(t, name, data, err)
			return
		}
		if cfg == nil {
			t.Fatal("no error and no configuration")
		}
		if err := cfg.Validate(known); err != nil {
			checkErrors(t, name, data, err)
		}
		cfg.Disabled()
		cfg.Severities()
		for id := range cfg.Rules {
			cfg.Options(id)
		}
		cfg.Dir()
		cfg.RootDir()
	})
}

func checkErrors(t *testing.T, name string, data []byte, err error) {
	t.Helper()
	var les lint.LoadErrors
	if !errors.As(err, &les) || len(les) == 0 {
		t.Fatalf("error %T is not a lint.LoadErrors: %v", err, err)
	}
	lines := yamlLines(data)
	for _, e := range les {
		p := e.Pos
		if p.File != name {
			t.Fatalf("error %q names file %q, want %q", e.Msg, p.File, name)
		}
		if p.Line < 1 || int(p.Line) > len(lines) {
			t.Fatalf("error %q at line %d, outside the file's %d lines", e.Msg, p.Line, len(lines))
		}
		// yaml.v3 counts columns in characters, not bytes: a column
		// within the line's bytes is the check that holds for both.
		if p.Col != 0 && (p.Col < 1 || int(p.Col) > len(lines[p.Line-1])+1) {
			t.Fatalf("error %q at %v: column outside line %d (%d bytes)", e.Msg, p, p.Line, len(lines[p.Line-1]))
		}
	}
}

// yamlLines splits data into lines as YAML (and yaml.v3) counts them: CRLF,
// a lone CR and LF break lines, and so do NEL, LS and PS for yaml.v3. A
// file that starts with a UTF-16 byte order mark is read as UTF-16, with
// positions in the decoded text.
func yamlLines(data []byte) [][]byte {
	if len(data) >= 2 && (data[0] == 0xfe && data[1] == 0xff || data[0] == 0xff && data[1] == 0xfe) {
		units := make([]uint16, 0, len(data)/2)
		for i := 2; i+1 < len(data); i += 2 {
			if data[0] == 0xfe {
				units = append(units, uint16(data[i])<<8|uint16(data[i+1]))
			} else {
				units = append(units, uint16(data[i+1])<<8|uint16(data[i]))
			}
		}
		data = []byte(string(utf16.Decode(units)))
	}
	s := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n").Replace(string(data))
	return bytes.Split([]byte(s), []byte("\n"))
}

// TestYAMLErrorLines pins what FuzzParse found: yaml.v3 leaves the line out
// of its errors on the first line and of its reader's errors (a control
// character, invalid UTF-8) anywhere; the error must still name the line,
// counted as YAML counts lines.
func TestYAMLErrorLines(t *testing.T) {
	for _, c := range []struct {
		in        string
		line, col int32
	}{
		{"\tkey: 1\n", 1, 0},
		{"a: \"\\q\"\n", 1, 0},
		{"a: 1\x00", 1, 5},
		{"a: 1\nb: 2\n\x01", 3, 1},
		{"a: 1\n# caf\xe9\n", 2, 6},
		{"\r\xf1", 2, 1}, // a lone CR ends a line in YAML
		{"a: 1\r\nb: \x7f\n", 2, 4},
		// U+2028 in the UTF-16 "\ufeff\u2028\u2028〰": yaml.v3 placed
		// its error at a column of an empty line.
		{"\xfe\xff\xfe\xff ( (00", 1, 4},
		{"a: 1\r\nb: x\u2029y\n", 2, 5},
		{"\xff\xfe\x00", 1, 1},                  // UTF-16 of an odd length
		{"\xff\xfe\x00\x00a\x00\x00\x00", 1, 1}, // UTF-32
	} {
		_, err := config.Parse("c.yml", []byte(c.in))
		var les lint.LoadErrors
		if !errors.As(err, &les) || len(les) != 1 {
			t.Errorf("%q: want one load error, got %v", c.in, err)
			continue
		}
		if p := les[0].Pos; p.Line != c.line || p.Col != c.col {
			t.Errorf("%q: error %q at %d:%d, want %d:%d", c.in, les[0].Msg, p.Line, p.Col, c.line, c.col)
		}
	}
}

// TestUTF16 reads a configuration as Windows PowerShell 5 writes it with >:
// UTF-16, little-endian, with a byte order mark.
func TestUTF16(t *testing.T) {
	text := "fail_on: error\r\nrules:\r\n  timeout-too-low:\r\n    severity: off\r\n"
	data := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(text)) {
		data = append(data, byte(u), byte(u>>8))
	}
	cfg, err := config.Parse("c.yml", data)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.FailOn != lint.Error || !cfg.Disabled()["timeout-too-low"] {
		t.Errorf("read %+v", cfg)
	}
}
