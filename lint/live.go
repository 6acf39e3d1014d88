package lint

import (
	"path"
	"strconv"
	"strings"
)

// LiveFacts are what `--live` observed on the host the linter runs on:
// the backend sockets and ports nginx connects to, the running php-fpm
// masters, and SELinux. The probe (parsers/live) gathers them; the live
// rules judge them. Nil when --live was not given.
type LiveFacts struct {
	// Sockets are the unix sockets of the backend hops, one per path.
	Sockets []*LiveSocket `json:"sockets,omitempty"`
	// TCP are the TCP addresses of the backend hops, one per host:port.
	TCP []*LiveTCP `json:"tcp,omitempty"`
	// FPMMasters are the php-fpm master processes found in /proc; valid
	// only when ProcScanned.
	FPMMasters []*FPMMaster `json:"fpm_masters,omitempty"`
	// ProcScanned is true when /proc could be read.
	ProcScanned bool `json:"proc_scanned"`
	// SELinux is nil when the host has no SELinux (no selinuxfs).
	SELinux *SELinux `json:"selinux,omitempty"`
	// Root is true when the probe ran as root: its own connect() then
	// passes file permissions, so a successful connect proves a listener,
	// not that the nginx workers may connect.
	Root bool `json:"root"`
	// Notes say what could not be observed, one sentence each.
	Notes []string `json:"notes,omitempty"`
}

// LiveFile is the owner, group, mode and ACL of a file or directory.
type LiveFile struct {
	Path string `json:"path"`
	UID  int    `json:"uid"`
	GID  int    `json:"gid"`
	// Owner and Group are the names the host's /etc/passwd and /etc/group
	// give the ids; "#UID" / "#GID" when they have none.
	Owner string `json:"owner"`
	Group string `json:"group"`
	// Mode holds the permission bits (0o777) only.
	Mode uint32 `json:"mode"`
	// ACL is the POSIX access ACL, nil when the file has none.
	ACL *ACL `json:"acl,omitempty"`
	// ACLUnknown is true when the ACL could not be read (the rules then
	// judge by the mode bits and say so).
	ACLUnknown bool `json:"acl_unknown,omitempty"`
}

// ACL is a POSIX access ACL (system.posix_acl_access).
type ACL struct {
	// UserObj, GroupObj, Other are the owner, owning group and others
	// entries, as rwx bits (0–7).
	UserObj  uint32 `json:"user_obj"`
	GroupObj uint32 `json:"group_obj"`
	Other    uint32 `json:"other"`
	// Mask limits named entries and GroupObj; HasMask false means none.
	Mask    uint32 `json:"mask"`
	HasMask bool   `json:"has_mask"`
	// Users and Groups are the named entries, by name ("#ID" when the id
	// has no name).
	Users  []ACLEntry `json:"users,omitempty"`
	Groups []ACLEntry `json:"groups,omitempty"`
}

// ACLEntry is a named ACL entry.
type ACLEntry struct {
	Name string `json:"name"`
	ID   int    `json:"id"`
	Perm uint32 `json:"perm"`
}

// LiveSocket is what the probe saw of one unix socket path.
type LiveSocket struct {
	Path string `json:"path"`
	// Exists is false when stat() says ENOENT.
	Exists bool `json:"exists"`
	// IsSocket is false for a path that exists but is another kind of file;
	// Type then names it ("regular file", "directory").
	IsSocket bool   `json:"is_socket"`
	Type     string `json:"type,omitempty"`
	// File holds owner, group, mode and ACL when the path exists.
	File *LiveFile `json:"file,omitempty"`
	// Dirs are the directories on the way to the socket, from / down,
	// as far as they exist: the nginx workers need search (x) permission
	// on each.
	Dirs []*LiveFile `json:"dirs,omitempty"`
	// DirMissing is the first directory on the path that does not exist,
	// "" when all do.
	DirMissing string `json:"dir_missing,omitempty"`
	// Siblings are the other sockets in the socket's directory (names
	// only, at most 20), for "did you mean".
	Siblings []string `json:"siblings,omitempty"`
	// Connect is the result of a test connect().
	Connect Connect `json:"connect"`
	// StatError is set when stat() failed for another reason than ENOENT.
	StatError string `json:"stat_error,omitempty"`
}

// LiveTCP is what the probe saw of one TCP backend address.
type LiveTCP struct {
	Host string `json:"host"`
	Port int    `json:"port"`
	// Connect is the result of a test connect().
	Connect Connect `json:"connect"`
}

// Address is host:port.
func (t *LiveTCP) Address() string { return JoinHostPort(t.Host, t.Port) }

// Connect is the result of one test connect().
type Connect struct {
	// Tried is false when the probe did not connect (see Skipped).
	Tried bool `json:"tried"`
	OK    bool `json:"ok"`
	// Errno is the error's number (111) and Error its text as nginx logs
	// it ("Connection refused"); 0 and "" for success.
	Errno int    `json:"errno,omitempty"`
	Error string `json:"error,omitempty"`
	// TimedOut is true when no answer came within the bound.
	TimedOut bool `json:"timed_out,omitempty"`
	// Skipped says why no connect() was tried.
	Skipped string `json:"skipped,omitempty"`
	// Millis is how long the connect took.
	Millis int64 `json:"ms"`
}

// Describe renders the result like nginx's error log: "(111: Connection
// refused)", "timed out after 1s", "ok".
func (c Connect) Describe() string {
	switch {
	case !c.Tried:
		return "not tried: " + c.Skipped
	case c.OK:
		return "connected"
	case c.TimedOut:
		return "no answer within " + strconv.FormatInt(c.Millis, 10) + "ms (connect timed out)"
	case c.Errno != 0:
		return "(" + strconv.Itoa(c.Errno) + ": " + c.Error + ")"
	}
	return c.Error
}

// FPMMaster is a running php-fpm master process.
type FPMMaster struct {
	PID int `json:"pid"`
	// Config is the php-fpm.conf it runs with, from its process title
	// ("php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)") or its
	// arguments (-y / --fpm-config); "" when neither says.
	Config string `json:"config,omitempty"`
	// Binary is the executable's name (php-fpm8.2), "" when unreadable.
	Binary string `json:"binary,omitempty"`
	// Version is the PHP version from the configuration path or the binary
	// name ("8.2"), "" when neither says.
	Version string `json:"version,omitempty"`
	// Cmdline is the process's command line, NULs as spaces.
	Cmdline string `json:"cmdline"`
}

// SELinux is the host's SELinux state.
type SELinux struct {
	Enforcing bool `json:"enforcing"`
	// Booleans holds the booleans the rules read, by name, when readable.
	Booleans map[string]bool `json:"booleans,omitempty"`
}

// Socket returns the facts of a unix socket path, or nil.
func (l *LiveFacts) Socket(p string) *LiveSocket {
	if l == nil {
		return nil
	}
	for _, s := range l.Sockets {
		if s.Path == path.Clean(p) {
			return s
		}
	}
	return nil
}

// TCPAddr returns the facts of a TCP address, or nil.
func (l *LiveFacts) TCPAddr(host string, port int) *LiveTCP {
	if l == nil {
		return nil
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	for _, t := range l.TCP {
		if t.Host == host && t.Port == port {
			return t
		}
	}
	return nil
}

// JoinHostPort renders host:port, with brackets around an IPv6 address.
func JoinHostPort(host string, port int) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}
