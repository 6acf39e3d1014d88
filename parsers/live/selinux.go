package live

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// SELinuxBooleans are the booleans the live rules read.
var SELinuxBooleans = []string{"httpd_can_network_connect"}

// ReadSELinux reads SELinux's state from sysRoot/fs/selinux (selinuxfs);
// nil when the host has no SELinux.
func ReadSELinux(sysRoot string) *lint.SELinux {
	dir := filepath.Join(sysRoot, "fs", "selinux")
	data, err := os.ReadFile(filepath.Join(dir, "enforce"))
	if err != nil {
		return nil
	}
	s := &lint.SELinux{Enforcing: strings.TrimSpace(string(data)) == "1", Booleans: map[string]bool{}}
	for _, name := range SELinuxBooleans {
		// "1 1": the current value, then the pending one.
		b, err := os.ReadFile(filepath.Join(dir, "booleans", name))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			s.Booleans[name] = f[0] == "1"
		}
	}
	return s
}
