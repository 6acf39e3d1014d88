package filter

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// BaselineVersion is the version of the baseline file format.
const BaselineVersion = 1

// baselineFile is the JSON form of a baseline. Entries carry no line
// numbers, so that the file does not change when lines move; rule, file and
// message are there for the reader of a diff.
type baselineFile struct {
	Version  int             `json:"version"`
	Tool     string          `json:"tool"`
	Findings []baselineEntry `json:"findings"`
}

type baselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	File        string `json:"file"`
	Message     string `json:"message"`
}

// Baseline is a set of accepted findings, by [Fingerprints]. As a
// [Processor] it drops the findings it holds.
type Baseline struct {
	known   map[string]bool
	matched int
}

// WriteBaseline writes fs (as they leave the stages before the baseline) as a
// baseline file.
func WriteBaseline(w io.Writer, fs []lint.Finding) error {
	bf := baselineFile{Version: BaselineVersion, Tool: "nginx502-lint", Findings: []baselineEntry{}}
	for i, fp := range Fingerprints(fs) {
		f := fs[i]
		bf.Findings = append(bf.Findings, baselineEntry{Fingerprint: fp, Rule: f.Rule, File: normFile(f.Span.Start.File), Message: f.Message})
	}
	slices.SortFunc(bf.Findings, func(a, b baselineEntry) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	data, err := json.MarshalIndent(bf, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// LoadBaseline reads a baseline file.
func LoadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	b, err := ReadBaseline(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read baseline %s: %w", path, err)
	}
	return b, nil
}

// ReadBaseline reads a baseline from r.
func ReadBaseline(r io.Reader) (*Baseline, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var bf baselineFile
	if err := dec.Decode(&bf); err != nil {
		return nil, err
	}
	if bf.Version != BaselineVersion {
		return nil, fmt.Errorf("baseline version %d is not supported (want %d)", bf.Version, BaselineVersion)
	}
	b := &Baseline{known: make(map[string]bool, len(bf.Findings))}
	for _, e := range bf.Findings {
		b.known[e.Fingerprint] = true
	}
	return b, nil
}

// Len is the number of findings in the baseline.
func (b *Baseline) Len() int { return len(b.known) }

// Stale is the number of baseline entries the last Process did not meet:
// problems fixed since the baseline was written.
func (b *Baseline) Stale() int { return len(b.known) - b.matched }

func (b *Baseline) Process(fs []lint.Finding) []lint.Finding {
	out := fs[:0:0]
	b.matched = 0
	for i, fp := range Fingerprints(fs) {
		if b.known[fp] {
			b.matched++
			continue
		}
		out = append(out, fs[i])
	}
	return out
}
