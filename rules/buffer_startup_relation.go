package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// BufferStartupRelation finds buffer settings that make nginx -t fail.
var BufferStartupRelation = &lint.Rule{
	ID:       "buffer-startup-relation",
	Title:    "buffer sizes that nginx refuses to start with",
	Severity: lint.Error,
	Tags:     []string{"buffers", "startup"},
	Doc: `nginx checks the buffer directives of the FastCGI, proxy, uwsgi and SCGI modules against each
other at startup, at every level (http, server, location) after inheritance. With "larger" the
larger of *_buffer_size and one of *_buffers:

- *_buffers must have at least 2 buffers;
- *_busy_buffers_size (by default 2 × larger) must be at least larger, and at most the size of all
  *_buffers minus one buffer;
- *_temp_file_write_size (by default 2 × larger) must be at least larger;
- *_max_temp_file_size must be 0 or at least larger.

The classic case: raising only fastcgi_buffer_size to 16k or 32k to cure "upstream sent too big
header". The implied busy size becomes 32k or 64k, more than the default 8 4k buffers minus one
(28k), and nginx -t fails: the reload is refused, or a fresh start takes every site down. nginx
reports it at the end of the enclosing block; this rule reports it at the directive, and its fix
is checked against the same relations.`,
	Bad: `fastcgi_buffer_size 32k;`,
	Good: `fastcgi_buffer_size 32k;
fastcgi_buffers 16 16k;`,
	Fix:   "Raise *_buffers together with *_buffer_size (e.g. fastcgi_buffer_size 32k; fastcgi_buffers 16 16k;), and keep any busy or temp-file sizes you set between the larger buffer and all buffers minus one.",
	Check: checkBufferStartupRelation,
}

func checkBufferStartupRelation(m *lint.Model, r *lint.Reporter) {
	for _, block := range httpBlocks(m) {
		// A violation is reported where a value is set: only at the levels
		// that set one of the module's buffer directives.
		for _, module := range modulesSettingBuffers(block) {
			s, ok := effectiveBuffers(block, module)
			if !ok {
				continue
			}
			for _, v := range s.violations() {
				culprit := culpritAt(s, block, v.culprits)
				if culprit.IsZero() {
					continue // reported at the level that sets it
				}
				r.Report(bufferFinding(s, v, culprit))
			}
		}
	}
}

// modulesSettingBuffers lists the modules, in bufferModules' order, whose
// buffer directives block itself sets.
func modulesSettingBuffers(block lint.Directive) []string {
	var set uint
	for c := range block.Block() {
		name := c.Name()
		if !strings.HasSuffix(name, "_size") && !strings.HasSuffix(name, "_buffers") {
			continue // most directives: no map lookup
		}
		if module, ok := bufferDirective[name]; ok {
			set |= 1 << slices.Index(bufferModules, module)
		}
	}
	var out []string
	for i, module := range bufferModules {
		if set&(1<<i) != 0 {
			out = append(out, module)
		}
	}
	return out
}

// culpritAt returns the first of names set at block itself, or the zero
// Directive.
func culpritAt(s *bufferSettings, block lint.Directive, names []string) lint.Directive {
	for _, n := range names {
		if d := s.at.get(n); !d.IsZero() && block.Child(n) == d {
			return d
		}
	}
	return lint.Directive{}
}

func bufferFinding(s *bufferSettings, v violation, culprit lint.Directive) lint.Finding {
	f := lint.Finding{
		Span: culprit.Span(),
		Message: fmt.Sprintf("nginx will refuse to start: %s (here %s)",
			v.message, s.describe()),
		Consequence: fmt.Sprintf("nginx -t fails: [emerg] %s; the reload is refused, a fresh start leaves every site down", v.message),
	}
	for _, n := range v.culprits {
		if d := s.at.get(n); !d.IsZero() && d != culprit {
			f.Related = append(f.Related, lint.Related{Pos: d.Pos(), Message: fmt.Sprintf("%s in force here", strings.TrimSuffix(d.String(), ";"))})
		}
	}
	if lines := s.repaired(); len(lines) > 0 {
		f.Fix = &lint.Fix{Text: "add next to it: " + strings.Join(lines, " ")}
		if len(lines) == 1 {
			f.Fix.Replacement = culprit.String() + "\n" + lines[0]
			if strings.HasPrefix(lines[0], culprit.Name()+" ") {
				f.Fix.Text = "change it to " + lines[0]
				f.Fix.Replacement = lines[0]
			}
			f.Fix.Span = culprit.Span()
		}
	}
	return f
}

// describe gives the values in force, defaults included.
func (s *bufferSettings) describe() string {
	busy := fmt.Sprintf("%s %s", s.name("busy_buffers_size"), formatSize(s.effectiveBusy()))
	if !s.busySet {
		busy += " implied"
	}
	return fmt.Sprintf("%s %s, %s %d %s, %s", s.name("buffer_size"), formatSize(s.bufferSize),
		s.name("buffers"), s.num, formatSize(s.size), busy)
}
