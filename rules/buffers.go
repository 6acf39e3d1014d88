package rules

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// pageSize is the default of *_buffer_size and of one of *_buffers: one
// memory page, 4 KiB on x86-64 and most arm64 Linux hosts.
const pageSize = 4096

// bufferModules are the upstream modules whose buffers nginx checks at
// startup, each with the same relations between its directives.
var bufferModules = []string{"fastcgi", "proxy", "uwsgi", "scgi"}

// bufferSettings are one module's buffer directives in force at a level.
type bufferSettings struct {
	module string
	// values in bytes; num is the count of *_buffers.
	bufferSize, num, size, busy, tempWrite, maxTemp int64
	// busySet, tempWriteSet and maxTempSet say the directive is written;
	// otherwise nginx derives it (2 × the larger buffer, 1024m).
	busySet, tempWriteSet, maxTempSet bool
	// at holds the directives in force, by name; a default has none.
	at inForceSet
}

// inForceSet is a few directives by name (a module's five buffer
// directives): a slice is cheaper than a map for so few.
type inForceSet []lint.Directive

// get returns the directive named name, or the zero Directive.
func (set inForceSet) get(name string) lint.Directive {
	for _, d := range set {
		if d.Name() == name {
			return d
		}
	}
	return lint.Directive{}
}

// bufferNames holds each module's buffer directive names, built once:
// buffer_size, busy_buffers_size, temp_file_write_size,
// max_temp_file_size, buffers.
var bufferNames = func() map[string][5]string {
	out := map[string][5]string{}
	for _, m := range bufferModules {
		out[m] = [5]string{m + "_buffer_size", m + "_busy_buffers_size", m + "_temp_file_write_size", m + "_max_temp_file_size", m + "_buffers"}
	}
	return out
}()

// bufferDirective maps each name of bufferNames to its module.
var bufferDirective = func() map[string]string {
	out := map[string]string{}
	for m, names := range bufferNames {
		for _, n := range names {
			out[n] = m
		}
	}
	return out
}()

func (s *bufferSettings) name(suffix string) string { return s.module + "_" + suffix }

// larger is the maximum of *_buffer_size and one of *_buffers.
func (s *bufferSettings) larger() int64 { return max(s.bufferSize, s.size) }

func (s *bufferSettings) effectiveBusy() int64 {
	if s.busySet {
		return s.busy
	}
	return 2 * s.larger()
}

func (s *bufferSettings) effectiveTempWrite() int64 {
	if s.tempWriteSet {
		return s.tempWrite
	}
	return 2 * s.larger()
}

// effectiveBuffers reads module's buffer directives in force at block.
// ok is false when a value is not a size (another rule's business).
func effectiveBuffers(block lint.Directive, module string) (s *bufferSettings, ok bool) {
	s = &bufferSettings{module: module, bufferSize: pageSize, num: 8, size: pageSize, at: make(inForceSet, 0, 5)}
	names := bufferNames[module]
	read := func(name string, dst *int64, set *bool) bool {
		d := inForce(block, name)
		if d.IsZero() {
			return true
		}
		s.at = append(s.at, d)
		n, valid := lint.ParseSize(d.Arg(0))
		if !valid {
			return false
		}
		*dst = n
		if set != nil {
			*set = true
		}
		return true
	}
	if !read(names[0], &s.bufferSize, nil) || !read(names[1], &s.busy, &s.busySet) ||
		!read(names[2], &s.tempWrite, &s.tempWriteSet) || !read(names[3], &s.maxTemp, &s.maxTempSet) {
		return nil, false
	}
	if d := inForce(block, names[4]); !d.IsZero() {
		s.at = append(s.at, d)
		n, okN := parseCount(d.Arg(0))
		size, okS := lint.ParseSize(d.Arg(1))
		// nginx refuses a count or size of 0 as it reads the directive
		// ("invalid value"), before the relations are checked.
		if !okN || !okS || d.NArgs() != 2 || n == 0 || size == 0 {
			return nil, false
		}
		s.num, s.size = n, size
	}
	return s, true
}

// inForce is lint.Effective(block, name).Last() without building the
// setting: the last directive named name at the nearest level that has one.
func inForce(block lint.Directive, name string) lint.Directive {
	for level := block; !level.IsZero(); level = level.Parent() {
		if d := level.Child(name); !d.IsZero() {
			return d
		}
		if n := level.Name(); !lint.Inherited(name) || n == "http" || n == "stream" || level.IsRoot() {
			break
		}
	}
	return lint.Directive{}
}

func parseCount(v string) (int64, bool) {
	n, ok := lint.ParseSize(v)
	return n, ok && !strings.ContainsAny(v, "kKmMgG")
}

// violation is one relation that nginx -t checks and s breaks.
type violation struct {
	// message is nginx's own [emerg] text.
	message string
	// culprits are the directives involved, most specific first.
	culprits []string
}

// violations returns the startup relations s breaks, in the order nginx
// checks them (ngx_http_fastcgi_merge_loc_conf and its siblings).
func (s *bufferSettings) violations() []violation {
	var out []violation
	bufs, bsize, busy := s.name("buffers"), s.name("buffer_size"), s.name("busy_buffers_size")
	if s.num < 2 {
		out = append(out, violation{fmt.Sprintf(`there must be at least 2 "%s"`, bufs), []string{bufs}})
		return out // nginx stops at the first error
	}
	larger := fmt.Sprintf(`the maximum of the value of "%s" and one of the "%s"`, bsize, bufs)
	b := s.effectiveBusy()
	if b < s.larger() {
		return append(out, violation{fmt.Sprintf(`"%s" must be equal to or greater than %s`, busy, larger), []string{busy, bsize, bufs}})
	}
	if b > (s.num-1)*s.size {
		return append(out, violation{fmt.Sprintf(`"%s" must be less than the size of all "%s" minus one buffer`, busy, bufs), []string{busy, bsize, bufs}})
	}
	if s.effectiveTempWrite() < s.larger() {
		tw := s.name("temp_file_write_size")
		return append(out, violation{fmt.Sprintf(`"%s" must be equal to or greater than %s`, tw, larger), []string{tw, bsize, bufs}})
	}
	if s.maxTempSet && s.maxTemp != 0 && s.maxTemp < s.larger() {
		mt := s.name("max_temp_file_size")
		return append(out, violation{fmt.Sprintf(`"%s" must be equal to zero to disable temporary files usage or must be equal to or greater than %s`, mt, larger), []string{mt, bsize, bufs}})
	}
	return out
}

// repaired returns the directives to write so that nginx starts, keeping
// what the user set and changing as little as possible. The result is
// checked with the same relations.
func (s *bufferSettings) repaired() []string {
	fixed := *s
	if fixed.num < 2 {
		fixed.num = 2
	}
	var lines []string
	if fixed.busySet && fixed.busy < fixed.larger() {
		fixed.busy = fixed.larger()
		lines = append(lines, fmt.Sprintf("%s %s;", s.name("busy_buffers_size"), formatSize(fixed.busy)))
	}
	if need := fixed.effectiveBusy(); need > (fixed.num-1)*fixed.size {
		// More buffers of the same size; past 16 of them, fewer larger
		// ones, as configurations are usually written (16 8k, 16 16k).
		fixed.num = (need+fixed.size-1)/fixed.size + 1
		if fixed.num > 16 {
			fixed.num = 16
			for (fixed.num-1)*fixed.size < fixed.effectiveBusy() {
				fixed.size *= 2
			}
		}
		fixed.busy = min(fixed.busy, (fixed.num-1)*fixed.size)
	}
	if fixed.num != s.num || fixed.size != s.size {
		lines = append([]string{fmt.Sprintf("%s %d %s;", s.name("buffers"), fixed.num, formatSize(fixed.size))}, lines...)
	}
	if fixed.tempWriteSet && fixed.tempWrite < fixed.larger() {
		fixed.tempWrite = fixed.larger()
		lines = append(lines, fmt.Sprintf("%s %s;", s.name("temp_file_write_size"), formatSize(fixed.tempWrite)))
	}
	if fixed.maxTempSet && fixed.maxTemp != 0 && fixed.maxTemp < fixed.larger() {
		fixed.maxTemp = 0
		lines = append(lines, fmt.Sprintf("%s 0;", s.name("max_temp_file_size")))
	}
	if len(fixed.violations()) > 0 {
		return nil
	}
	return lines
}

// formatSize writes n the way nginx configurations usually do.
func formatSize(n int64) string {
	switch {
	case n%(1<<20) == 0 && n > 0:
		return fmt.Sprintf("%dm", n>>20)
	case n%1024 == 0 && n > 0:
		return fmt.Sprintf("%dk", n>>10)
	}
	return fmt.Sprint(n)
}

// httpBlocks returns every block of the http context whose settings nginx
// merges: http, server, location, if and limit_except.
func httpBlocks(m *lint.Model) []lint.Directive {
	if m.Nginx == nil {
		return nil
	}
	return m.Nginx.Levels
}
