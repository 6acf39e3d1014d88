package filter

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// Fingerprint identifies a finding independently of line numbers, so that a
// baseline entry or a GitHub code scanning alert survives unrelated lines
// being added or removed above it.
//
// It is the first 16 bytes, in hex, of SHA-256 over
//
//	"v1" NUL rule id NUL file NUL normalized message
//
// where file is the finding's primary file (slash-separated, cleaned, as
// given: run the tool from the same directory with the same arguments), and
// the message is normalized by cutting every position it might mention (the
// finding's own and its related positions written as file:line[:col], their
// base names likewise, and "line N"), then collapsing white space. Other
// digits stay: a port, a size or a timeout tells two findings apart, and a
// changed value is a new finding.
//
// Two findings can share a fingerprint (the same problem twice in a file);
// [Fingerprints] tells them apart by their order.
func Fingerprint(f lint.Finding) string {
	file := normFile(f.Span.Start.File)
	h := sha256.New()
	fmt.Fprintf(h, "v1\x00%s\x00%s\x00%s", f.Rule, file, normalizeMessage(f))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Fingerprints returns the fingerprint of every finding of fs (sorted, as the
// engine leaves them) with its occurrence: "<Fingerprint>:<n>", n counting
// from 1 among the findings of fs with the same Fingerprint, in order. This
// is the form SARIF's partialFingerprints, the JSON output and baselines use
// (the way GitHub's primaryLocationLineHash counts repeats).
func Fingerprints(fs []lint.Finding) []string {
	out := make([]string, len(fs))
	seen := make(map[string]int, len(fs))
	for i, f := range fs {
		fp := Fingerprint(f)
		seen[fp]++
		out[i] = fp + ":" + strconv.Itoa(seen[fp])
	}
	return out
}

var (
	lineWordRE = regexp.MustCompile(`(?i)\b(lines?) \d+(\s*[-–]\s*\d+)?`)
	spaceRE    = regexp.MustCompile(`\s+`)
)

func normalizeMessage(f lint.Finding) string {
	msg := f.Message
	files := map[string]bool{}
	for _, p := range []lint.Pos{f.Span.Start, f.Span.End} {
		files[p.File] = true
	}
	for _, r := range f.Related {
		files[r.Pos.File] = true
	}
	for name := range files {
		if name == "" {
			continue
		}
		for _, n := range []string{name, filepath.ToSlash(name), path.Base(filepath.ToSlash(name))} {
			msg = cutPositions(msg, n)
		}
	}
	msg = lineWordRE.ReplaceAllString(msg, "$1")
	return strings.TrimSpace(spaceRE.ReplaceAllString(msg, " "))
}

// cutPositions removes ":line" and ":line:col" after each occurrence of name.
func cutPositions(msg, name string) string {
	var b strings.Builder
	for {
		i := strings.Index(msg, name)
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		b.WriteString(msg[:i+len(name)])
		msg = msg[i+len(name):]
		for k := 0; k < 2 && len(msg) > 1 && msg[0] == ':' && isDigit(msg[1]); k++ {
			j := 1
			for j < len(msg) && isDigit(msg[j]) {
				j++
			}
			msg = msg[j:]
		}
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func normFile(p string) string {
	if p == "" {
		return ""
	}
	return strings.TrimPrefix(path.Clean(filepath.ToSlash(p)), "./")
}
