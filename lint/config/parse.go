package config

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/filter"
)

type parser struct {
	file string
	data []byte
	cfg  *Config
	errs lint.LoadErrors
}

func (p *parser) pos(n *yaml.Node) lint.Pos {
	return lint.Pos{File: p.file, Line: int32(n.Line), Col: int32(n.Column)}
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &lint.LoadError{Pos: p.pos(n), Msg: fmt.Sprintf(format, args...)})
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns yaml.v3's "yaml: line 3: …" into a LoadError at that line.
func (p *parser) yamlError(err error) *lint.LoadError {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		msg := m[2]
		if lines := strings.Split(string(p.data), "\n"); line >= 1 && line <= len(lines) && strings.HasPrefix(strings.TrimLeft(lines[line-1], " "), "\t") {
			msg += " (YAML indents with spaces, not tabs)"
		}
		return &lint.LoadError{Pos: lint.Pos{File: p.file, Line: int32(line)}, Msg: msg, Err: err}
	}
	// yaml.v3 gives no line for its reader's errors (a control character,
	// invalid UTF-8), wherever they are, nor for an error on the first line.
	pos := lint.Pos{File: p.file, Line: 1}
	if i := notYAMLText(p.data); i >= 0 && (strings.Contains(msg, "control characters") || strings.Contains(msg, "UTF-8")) {
		line, col := yamlLineCol(p.data, i)
		pos.Line, pos.Col = int32(line), int32(col)
	}
	return &lint.LoadError{Pos: pos, Msg: strings.TrimPrefix(msg, "yaml: "), Err: err}
}

// utf8Text returns data as UTF-8. A file that starts with a UTF-16 byte
// order mark (what Windows PowerShell 5 writes with >) is decoded here, so
// that positions count in its text, as an editor shows it.
func utf8Text(data []byte) ([]byte, error) {
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(data, []byte{0, 0, 0xfe, 0xff}), bytes.HasPrefix(data, []byte{0xff, 0xfe, 0, 0}):
		return nil, errors.New("the file is UTF-32: save it as UTF-8")
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		order = binary.BigEndian
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		order = binary.LittleEndian
	default:
		return data, nil
	}
	if len(data)%2 != 0 {
		return nil, errors.New("the file starts as UTF-16 but has an odd number of bytes: save it as UTF-8")
	}
	units := make([]uint16, 0, len(data)/2-1)
	for i := 2; i < len(data); i += 2 {
		units = append(units, order.Uint16(data[i:]))
	}
	return []byte(string(utf16.Decode(units))), nil
}

// hiddenBreak returns the offset and name of the first NEL, LS or PS in
// data, or -1: yaml.v3 counts them as line breaks (and folds them into
// values) where an editor shows none, so its positions would match no line.
func hiddenBreak(data []byte) (int, string) {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch r {
		case 0x85:
			return i, "U+0085 NEXT LINE"
		case 0x2028:
			return i, "U+2028 LINE SEPARATOR"
		case 0x2029:
			return i, "U+2029 PARAGRAPH SEPARATOR"
		}
		i += n
	}
	return -1, ""
}

// yamlLineCol returns the line and (byte) column of offset i, counting line
// breaks as yaml.v3 does for its own positions: CRLF, CR, LF, NEL, LS, PS.
func yamlLineCol(data []byte, i int) (line, col int) {
	line, start := 1, 0
	for j := 0; j < i; {
		r, n := utf8.DecodeRune(data[j:])
		switch {
		case r == '\r' && j+1 < i && data[j+1] == '\n':
			n = 2
			fallthrough
		case r == '\r' || r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029:
			line, start = line+1, j+n
		}
		j += n
	}
	return line, i - start + 1
}

// notYAMLText returns the offset of the first byte of data that YAML does
// not allow (invalid UTF-8, or a character outside YAML's printable set
// other than tab, LF and CR), or -1.
func notYAMLText(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			return i
		case r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0x7e || r == 0x85 || r >= 0xa0 && r <= 0xd7ff ||
			r >= 0xe000 && r <= 0xfffd || r >= 0x10000:
		default:
			return i
		}
		i += n
	}
	return -1
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func kindName(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	return "a value"
}

// pairs calls fn for each key and value of a mapping, reporting non-string
// and duplicate keys; where says what the mapping is, for messages.
func (p *parser) pairs(n *yaml.Node, where string, fn func(key string, k, v *yaml.Node)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping, not %s", where, kindName(n))
		return
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "%s: keys must be names", where)
			continue
		}
		if k.Tag == "!!merge" {
			p.errorf(k, "%s: merge keys (<<) are not supported", where)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.errorf(k, "duplicate key %q (first at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		fn(k.Value, k, v)
	}
}

func (p *parser) unknownKey(k *yaml.Node, where string, want []string) {
	msg := fmt.Sprintf("unknown key %q in %s", k.Value, where)
	known := map[string]bool{}
	for _, w := range want {
		known[w] = true
	}
	if s := filter.Closest(k.Value, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	} else {
		msg += fmt.Sprintf(" (want %s)", strings.Join(want, ", "))
	}
	p.errorf(k, "%s", msg)
}

// scalar returns a string or number value.
func (p *parser) scalar(key string, v *yaml.Node) (string, bool) {
	if v.Kind != yaml.ScalarNode || isNull(v) {
		p.errorf(v, "%s must be a string, not %s", key, kindName(v))
		return "", false
	}
	return v.Value, true
}

func (p *parser) strings(key string, v *yaml.Node) []RuleRef {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.errorf(v, "%s must be a list, not %s", key, kindName(v))
		return nil
	}
	var out []RuleRef
	for _, e := range v.Content {
		e = deref(e)
		if s, ok := p.scalar(key+" entries", e); ok {
			out = append(out, RuleRef{ID: s, Pos: p.pos(e)})
		}
	}
	return out
}

func (p *parser) severity(key string, v *yaml.Node, allowOff bool) (sev lint.Severity, off bool) {
	s, ok := p.scalar(key, v)
	if !ok {
		return 0, false
	}
	if allowOff && s == "off" {
		return 0, true
	}
	sev, err := lint.ParseSeverity(s)
	if err != nil {
		want := "error, warning or note"
		if allowOff {
			want = "error, warning, note or off"
		}
		p.errorf(v, "%s: unknown severity %q (want %s)", key, s, want)
	}
	return sev, false
}

var topKeys = []string{"rules", "exclude", "root", "nginx_user", "fail_on", "min_severity"}

func (p *parser) top(n *yaml.Node) {
	c := p.cfg
	p.pairs(n, "the configuration", func(key string, k, v *yaml.Node) {
		switch key {
		case "rules":
			p.rules(v)
		case "exclude":
			for _, r := range p.strings(key, v) {
				if err := filter.CheckGlob(r.ID); err != nil {
					p.errs = append(p.errs, &lint.LoadError{Pos: r.Pos, Msg: "exclude: " + err.Error(), Err: err})
					continue
				}
				c.Exclude = append(c.Exclude, r.ID)
			}
		case "root":
			c.Root, _ = p.scalar(key, v)
		case "nginx_user":
			if s, ok := p.scalar(key, v); ok {
				if f := strings.Fields(s); len(f) < 1 || len(f) > 2 {
					p.errorf(v, "nginx_user must be \"user\" or \"user group\", not %q", s)
				} else {
					c.NginxUser = strings.Join(f, " ")
				}
			}
		case "fail_on":
			c.FailOn, _ = p.severity(key, v, false)
		case "min_severity":
			c.MinSeverity, _ = p.severity(key, v, false)
		default:
			p.unknownKey(k, "the configuration", topKeys)
		}
	})
}

var ruleKeys = []string{"severity", "options"}

func (p *parser) rules(n *yaml.Node) {
	c := p.cfg
	p.pairs(n, "rules", func(key string, k, v *yaml.Node) {
		if key == "disable" {
			c.Disable = append(c.Disable, p.strings("rules.disable", v)...)
			return
		}
		rc := &RuleConfig{RuleRef: RuleRef{ID: key, Pos: p.pos(k)}}
		c.Rules[key] = rc
		where := "rules." + key
		if v.Kind != yaml.MappingNode {
			p.errorf(v, "%s must be a mapping with severity or options, not %s", where, kindName(v))
			return
		}
		p.pairs(v, where, func(key string, k, v *yaml.Node) {
			switch key {
			case "severity":
				rc.Severity, rc.Off = p.severity(where+".severity", v, true)
			case "options":
				rc.Options = map[string]Option{}
				p.pairs(v, where+".options", func(key string, _, v *yaml.Node) {
					if s, ok := p.scalar(where+".options."+key, v); ok {
						rc.Options[key] = Option{Value: s, Pos: p.pos(v)}
					}
				})
			default:
				p.unknownKey(k, where, ruleKeys)
			}
		})
	})
}

func sortErrs(es lint.LoadErrors) {
	slices.SortStableFunc(es, func(a, b *lint.LoadError) int {
		switch {
		case a.Pos.Before(b.Pos):
			return -1
		case b.Pos.Before(a.Pos):
			return 1
		}
		return 0
	})
}
