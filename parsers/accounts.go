package parsers

import (
	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/accounts"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// loadAccounts reads /etc/passwd and /etc/group (under the root when set).
// Missing files are no error: the permission rule then only knows each
// user's own group, and says so.
func loadAccounts(fsys *source.FS) (*lint.Accounts, []*lint.Source) {
	var sources []*lint.Source
	var data [2][]byte
	for i, name := range []string{"/etc/passwd", "/etc/group"} {
		f, err := fsys.ReadFile(fsys.Path(name))
		if err != nil {
			continue
		}
		data[i] = f.Data
		sources = append(sources, &lint.Source{Path: f.Path, RealPath: f.RealPath, Kind: lint.KindSystem, Size: int64(len(f.Data))})
	}
	if len(sources) == 0 {
		return nil, nil
	}
	acc := accounts.Read(data[0], data[1]).Accounts
	for _, s := range sources {
		acc.Source = append(acc.Source, s.Path)
	}
	return acc, sources
}
