// Package accounts reads the users and groups of /etc/passwd and /etc/group.
package accounts

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// Table is what the two files say.
type Table struct {
	// Accounts are the names, primary groups and memberships (Source is
	// left for the caller, who knows the files' paths).
	Accounts *lint.Accounts
	// UserNames and GroupNames map numeric ids to names, the first name
	// listed winning as it does for the C library.
	UserNames, GroupNames map[int]string
}

// Read parses the contents of /etc/passwd and /etc/group; nil stands for a
// file that could not be read.
func Read(passwd, group []byte) *Table {
	t := &Table{
		Accounts:   &lint.Accounts{Users: map[string]string{}, Members: map[string][]string{}, Groups: map[string]bool{}},
		UserNames:  map[int]string{},
		GroupNames: map[int]string{},
	}
	acc := t.Accounts
	gidName := map[string]string{}
	eachRecord(group, func(f []string) {
		// name:password:GID:member,member
		if len(f) < 4 {
			return
		}
		gidName[f[2]] = f[0]
		acc.Groups[f[0]] = true
		if gid, err := strconv.Atoi(f[2]); err == nil {
			if _, dup := t.GroupNames[gid]; !dup {
				t.GroupNames[gid] = f[0]
			}
		}
		for _, m := range strings.Split(f[3], ",") {
			if m = strings.TrimSpace(m); m != "" {
				acc.Members[f[0]] = append(acc.Members[f[0]], m)
			}
		}
	})
	eachRecord(passwd, func(f []string) {
		// name:password:UID:GID:gecos:home:shell
		if len(f) < 4 {
			return
		}
		acc.Users[f[0]] = gidName[f[3]]
		if uid, err := strconv.Atoi(f[2]); err == nil {
			if _, dup := t.UserNames[uid]; !dup {
				t.UserNames[uid] = f[0]
			}
		}
	})
	return t
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
