package live

import (
	"os"
	"path/filepath"
	"strconv"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/accounts"
)

// idNames maps the host's numeric user and group ids to names.
type idNames struct {
	users  map[int]string
	groups map[int]string
}

func (n *idNames) user(id int) string {
	if n != nil {
		if s, ok := n.users[id]; ok {
			return s
		}
	}
	return "#" + strconv.Itoa(id)
}

func (n *idNames) group(id int) string {
	if n != nil {
		if s, ok := n.groups[id]; ok {
			return s
		}
	}
	return "#" + strconv.Itoa(id)
}

// readIDs reads etc/passwd and etc/group: the id → name maps, and the
// accounts (nil when neither file could be read).
func readIDs(etc string) (*idNames, *lint.Accounts) {
	var data [2][]byte
	var read []string
	for i, name := range []string{"passwd", "group"} {
		path := filepath.Join(etc, name)
		if b, err := os.ReadFile(path); err == nil {
			data[i] = b
			read = append(read, path)
		}
	}
	t := accounts.Read(data[0], data[1])
	ids := &idNames{users: t.UserNames, groups: t.GroupNames}
	if len(read) == 0 {
		return ids, nil
	}
	t.Accounts.Source = read
	return ids, t.Accounts
}
