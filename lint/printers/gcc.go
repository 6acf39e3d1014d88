package printers

import (
	"bufio"
	"fmt"
	"io"
)

// GCC is gcc's diagnostic format, which vim's and emacs's compile modes
// parse: one line per finding, and a "note:" line per related place.
//
//	sites-enabled/app:12:5: error: fastcgi_pass targets a socket no pool listens on [fastcgi-pass-unmatched]
//	pool.d/www.conf:36:1: note: pool "www" listens here
type GCC struct{}

func (GCC) Print(w io.Writer, r *Report, _ Options) error {
	bw := bufio.NewWriter(w)
	for _, f := range r.all() {
		fmt.Fprintf(bw, "%s: %s: %s [%s]\n", where(f.Span.Start), sevName(f.Severity), oneLine(f.Message), f.Rule)
		for _, rel := range f.Related {
			fmt.Fprintf(bw, "%s: note: %s\n", where(rel.Pos), oneLine(rel.Message))
		}
	}
	return bw.Flush()
}
