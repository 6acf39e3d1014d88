package printers

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// Text is the format for people: each finding with its related places,
// consequence and fix, then a summary line.
//
//	sites-enabled/app:12:5: error: fastcgi_pass targets a socket no pool listens on [fastcgi-pass-unmatched]
//	  pool.d/www.conf:36:1: note: pool "www" listens here
//	  = every PHP request gets 502 Bad Gateway
//	  fix: point fastcgi_pass at the pool's socket
//	      fastcgi_pass unix:/run/php/php8.2-fpm.sock;
//
//	1 error in 14 files (12ms)
type Text struct{}

type palette struct{ bold, dim, red, yellow, cyan, green, reset string }

func colors(on bool) palette {
	if !on {
		return palette{}
	}
	return palette{bold: "\x1b[1m", dim: "\x1b[2m", red: "\x1b[1;31m", yellow: "\x1b[1;33m",
		cyan: "\x1b[1;36m", green: "\x1b[32m", reset: "\x1b[0m"}
}

func (c palette) sev(s lint.Severity) string {
	switch s {
	case lint.Error:
		return c.red
	case lint.Warning:
		return c.yellow
	}
	return c.cyan
}

func (Text) Print(w io.Writer, r *Report, o Options) error {
	bw := bufio.NewWriter(w)
	c := colors(o.Color)
	for _, f := range r.all() {
		fmt.Fprintf(bw, "%s%s:%s %s%s:%s %s%s%s %s[%s]%s\n",
			c.bold, where(f.Span.Start), c.reset, c.sev(f.Severity), sevName(f.Severity), c.reset,
			c.bold, oneLine(f.Message), c.reset, c.dim, f.Rule, c.reset)
		for _, rel := range f.Related {
			fmt.Fprintf(bw, "  %s%s:%s %snote:%s %s\n", c.bold, where(rel.Pos), c.reset, c.cyan, c.reset, oneLine(rel.Message))
		}
		if f.Consequence != "" {
			fmt.Fprintf(bw, "  %s=%s %s\n", c.bold, c.reset, oneLine(f.Consequence))
		}
		if f.Fix != nil && (f.Fix.Text != "" || f.Fix.Replacement != "") {
			if f.Fix.Text != "" {
				fmt.Fprintf(bw, "  %sfix:%s %s\n", c.green, c.reset, oneLine(f.Fix.Text))
			} else {
				fmt.Fprintf(bw, "  %sfix:%s write\n", c.green, c.reset)
			}
			for _, line := range strings.Split(strings.TrimRight(f.Fix.Replacement, "\n"), "\n") {
				if line != "" {
					fmt.Fprintf(bw, "      %s%s%s\n", c.green, escapeControls(line), c.reset)
				}
			}
		}
		bw.WriteByte('\n')
	}
	bw.WriteString(summary(r, c))
	for _, s := range r.Skipped {
		fmt.Fprintf(bw, "%sskipped:%s %s\n", c.dim, c.reset, oneLine(s))
	}
	return bw.Flush()
}

// summary is "3 errors, 1 warning, 2 notes in 14 files (12ms)" or
// "no problems found in 14 files (12ms)", with a newline.
func summary(r *Report, c palette) string {
	errs, warns, notes := r.counts()
	var parts []string
	add := func(n int, word, color string) {
		if n == 0 {
			return
		}
		if n != 1 {
			word += "s"
		}
		parts = append(parts, fmt.Sprintf("%s%d %s%s", color, n, word, c.reset))
	}
	add(errs, "error", c.red)
	add(warns, "warning", c.yellow)
	add(notes, "note", c.cyan)
	s := "no problems found"
	if len(parts) > 0 {
		s = strings.Join(parts, ", ")
	}
	files := "files"
	if r.Files == 1 {
		files = "file"
	}
	s += fmt.Sprintf(" in %d %s", r.Files, files)
	if r.Elapsed > 0 {
		s += " (" + elapsed(r.Elapsed) + ")"
	}
	return s + "\n"
}

func elapsed(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Round(time.Millisecond)/time.Millisecond)
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}
