package parsers

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// loadAccounts reads /etc/passwd and /etc/group (under the root when set).
// Missing files are no error: the permission rule then only knows each
// user's own group, and says so.
func loadAccounts(fsys *source.FS) (*lint.Accounts, []*lint.Source) {
	acc := &lint.Accounts{Users: map[string]string{}, Members: map[string][]string{}, Groups: map[string]bool{}}
	var sources []*lint.Source
	gidName := map[string]string{}
	groupPath := fsys.Path("/etc/group")
	if f, err := fsys.ReadFile(groupPath); err == nil {
		acc.Source = append(acc.Source, f.Path)
		sources = append(sources, &lint.Source{Path: f.Path, RealPath: f.RealPath, Kind: lint.KindSystem, Size: int64(len(f.Data))})
		eachRecord(f.Data, func(fields []string) {
			// name:password:GID:member,member
			if len(fields) < 4 {
				return
			}
			gidName[fields[2]] = fields[0]
			acc.Groups[fields[0]] = true
			for _, m := range strings.Split(fields[3], ",") {
				if m = strings.TrimSpace(m); m != "" {
					acc.Members[fields[0]] = append(acc.Members[fields[0]], m)
				}
			}
		})
	}
	passwdPath := fsys.Path("/etc/passwd")
	if f, err := fsys.ReadFile(passwdPath); err == nil {
		acc.Source = append(acc.Source, f.Path)
		sources = append(sources, &lint.Source{Path: f.Path, RealPath: f.RealPath, Kind: lint.KindSystem, Size: int64(len(f.Data))})
		eachRecord(f.Data, func(fields []string) {
			// name:password:UID:GID:gecos:home:shell
			if len(fields) < 4 {
				return
			}
			acc.Users[fields[0]] = gidName[fields[3]]
		})
	}
	if len(acc.Source) == 0 {
		return nil, nil
	}
	return acc, sources
}

func eachRecord(data []byte, fn func([]string)) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fn(strings.Split(line, ":"))
	}
}
