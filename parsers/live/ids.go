package live

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
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
	ids := &idNames{users: map[int]string{}, groups: map[int]string{}}
	acc := &lint.Accounts{Users: map[string]string{}, Members: map[string][]string{}}
	gidName := map[string]string{}
	groupFile := filepath.Join(etc, "group")
	if data, err := os.ReadFile(groupFile); err == nil {
		acc.Source = append(acc.Source, groupFile)
		eachRecord(data, func(f []string) {
			// name:password:GID:member,member
			if len(f) < 4 {
				return
			}
			gidName[f[2]] = f[0]
			if gid, err := strconv.Atoi(f[2]); err == nil {
				if _, dup := ids.groups[gid]; !dup {
					ids.groups[gid] = f[0]
				}
			}
			for _, m := range strings.Split(f[3], ",") {
				if m = strings.TrimSpace(m); m != "" {
					acc.Members[f[0]] = append(acc.Members[f[0]], m)
				}
			}
		})
	}
	passwdFile := filepath.Join(etc, "passwd")
	if data, err := os.ReadFile(passwdFile); err == nil {
		acc.Source = append(acc.Source, passwdFile)
		eachRecord(data, func(f []string) {
			// name:password:UID:GID:gecos:home:shell
			if len(f) < 4 {
				return
			}
			acc.Users[f[0]] = gidName[f[3]]
			if uid, err := strconv.Atoi(f[2]); err == nil {
				if _, dup := ids.users[uid]; !dup {
					ids.users[uid] = f[0]
				}
			}
		})
	}
	if len(acc.Source) == 0 {
		return ids, nil
	}
	return ids, acc
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
