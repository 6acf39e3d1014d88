package nginx

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// dumpMarker starts the line nginx -T prints before each file.
const dumpMarker = "# configuration file "

// dumpFile is one file of a dump: its path and its exact content.
type dumpFile struct {
	path       string
	line       int // the marker's line in the dump
	start, end int // the content's offsets in the dump
	data       []byte
}

// LoadDump reads the output of `nginx -T` (name is where it came from, for
// messages): every file it holds is put in fsys.Overlay under its path
// (mapped by fsys.Path), so positions point into the real files, and the
// first one is loaded as the main file. Includes resolve only against the
// files of the dump, which are exactly the ones nginx read. A dump it cannot
// split gives an empty model and the error.
func LoadDump(fsys *source.FS, name string, data []byte) (*lint.Nginx, []*lint.Source, error) {
	files, err := splitDump(name, data)
	if err != nil {
		return emptyModel(name), nil, lint.LoadErrors{err}
	}
	seen := map[string]int{}
	for _, f := range files {
		key := filepath.Clean(fsys.Path(f.path))
		if line, dup := seen[key]; dup {
			return emptyModel(name), nil, lint.LoadErrors{lint.Errorf(lint.Pos{File: name, Line: int32(f.line), Col: 1},
				"%q appears twice in the dump (first at line %d): nginx -T prints each file once; is this two dumps in one?", f.path, line)}
		}
		seen[key] = f.line
	}
	if fsys.Overlay == nil {
		fsys.Overlay = map[string][]byte{}
	}
	for _, f := range files {
		fsys.Overlay[filepath.Clean(fsys.Path(f.path))] = f.data
	}
	l := newLoader(fsys, filepath.Clean(fsys.Path(files[0].path)))
	l.dumpOnly = true
	return l.run()
}

// splitDump cuts a dump into its files. nginx writes each as the marker
// line, the file's bytes, then one newline.
func splitDump(name string, data []byte) ([]dumpFile, *lint.LoadError) {
	var files []dumpFile
	var nginxSaid []string
	absolute := false
	lineNo := 0
	for off := 0; off < len(data); {
		lineNo++
		end, next := len(data), len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			end, next = off+i, off+i+1
		}
		var line string // only the lines that may matter are copied
		if len(files) == 0 || bytes.HasPrefix(data[off:end], []byte(dumpMarker)) {
			line = string(data[off:end])
		}
		path, isMarker := markerPath(line)
		if len(files) == 0 {
			pos := lint.Pos{File: name, Line: int32(lineNo), Col: 1}
			switch {
			case isMarker:
				absolute = filepath.IsAbs(path)
			case strings.TrimSpace(line) == "":
			case strings.HasPrefix(line, "nginx: "):
				nginxSaid = append(nginxSaid, line)
			case strings.HasPrefix(line, strings.TrimSpace(dumpMarker)):
				return nil, lint.Errorf(pos, "malformed nginx -T marker %q: expected \"# configuration file PATH:\"", line)
			default:
				return nil, lint.Errorf(pos, "expected a \"# configuration file PATH:\" line, not %q: is this the output of nginx -T?", prefix(line, 60))
			}
		}
		// After the first marker, a line that looks like one but whose path
		// is not of the same kind (absolute or not) is taken as content.
		if isMarker && filepath.IsAbs(path) == absolute {
			if len(files) > 0 {
				files[len(files)-1].end = off
			}
			files = append(files, dumpFile{path: path, line: lineNo, start: next})
		}
		off = next
	}
	if len(files) == 0 {
		pos := lint.Pos{File: name, Line: int32(max(lineNo, 1)), Col: 1}
		for _, s := range nginxSaid {
			if strings.Contains(s, "[emerg]") || strings.Contains(s, "test failed") {
				return nil, lint.Errorf(pos, "no configuration in this nginx -T output; nginx said %q: fix that first", s)
			}
		}
		return nil, lint.Errorf(pos, "no \"# configuration file PATH:\" line: is this the output of nginx -T?")
	}
	files[len(files)-1].end = len(data)
	for i := range files {
		f := &files[i]
		f.start = min(f.start, f.end)
		// nginx appends one newline after each file's bytes
		f.data = bytes.TrimSuffix(data[f.start:f.end], []byte("\n"))
	}
	return files, nil
}

// markerPath returns PATH of a "# configuration file PATH:" line.
func markerPath(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, dumpMarker)
	if !ok {
		return "", false
	}
	path, ok := strings.CutSuffix(rest, ":")
	if !ok || path == "" || strings.TrimSpace(path) != path {
		return "", false
	}
	return path, true
}
