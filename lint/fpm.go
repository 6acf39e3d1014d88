package lint

import (
	"path"
	"sort"
)

// FPM is one PHP-FPM master process's configuration: its php-fpm.conf with
// the [global] section, every pool it loads through include=, and the
// php.ini its workers read.
type FPM struct {
	// File is the main configuration file (php-fpm.conf), or the pool file
	// when a pool file was given alone.
	File string `json:"file"`
	// Version is the PHP version read from the path (/etc/php/8.2/fpm →
	// "8.2"), "" when the path does not say.
	Version string `json:"version,omitempty"`
	// Prefix is the directory php-fpm resolves relative paths against
	// (relative include= patterns, relative listen sockets): the `prefix`
	// of [global] is not it; php-fpm's -p or its compiled prefix is.
	Prefix string `json:"prefix"`
	// Global holds the [global] section's values, keyed by directive name.
	Global map[string]*Value `json:"global"`
	// Pools in the order their sections first appear.
	Pools []*Pool `json:"pools"`
	// PHPIni is the php.ini (plus scan directory) this php-fpm's workers
	// read; nil when it was not found.
	PHPIni *PHPIni `json:"php_ini,omitempty"`
	// Standalone is true when a pool file was loaded without its master
	// configuration: the [global] values and other pools are unknown.
	Standalone bool `json:"standalone,omitempty"`
	// GlobalEntries are every key = value line read in the [global] section
	// (or before any section), in file order, repeated keys included:
	// php-fpm judges each line as it reads it, while Global keeps the last.
	// Not in the JSON model, which shows Global.
	GlobalEntries []*Entry `json:"-"`
	// Includes are the include= lines read, in order, with the files each
	// one read. Not in the JSON model.
	Includes []*Include `json:"-"`
}

// Entry is one key = value line of a PHP-FPM file, as php-fpm reads it
// before a later line overrides it.
type Entry struct {
	// Key is the directive as written: "pm.max_children", "env[PATH]".
	Key string
	// Name is the directive without an array key ("env" for env[PATH]);
	// Index is the array key ("PATH"). Array says whether it is name[key].
	Name  string
	Index string
	Array bool
	// Value is what php-fpm makes of it, as Value.Value: quotes removed,
	// booleans and constants read, ${ENV} expanded, $pool replaced in a
	// pool's string values.
	Value string
	// Raw is the value as written on the line, quotes included, without a
	// trailing comment or blanks: "~/www" for a Value of "-1".
	Raw string
	// Pos is where the key starts; ValuePos where the value starts.
	Pos      Pos
	ValuePos Pos
}

// Include is an include= line of a PHP-FPM file.
type Include struct {
	// Pattern is the value as read (a glob or a path, maybe relative to
	// php-fpm's prefix).
	Pattern string
	Pos     Pos
	// Files are the files it read, in order (empty when nothing matched:
	// php-fpm only warns then).
	Files []string
}

// Value is one configuration value with its origin.
type Value struct {
	// Key is the directive as written: "listen", "php_admin_value[memory_limit]".
	Key string `json:"key"`
	// Value is what php-fpm makes of it: quotes removed, yes/on/true → "1",
	// no/off/false/none/null → "", ${ENV} expanded, $pool replaced.
	Value string `json:"value"`
	// Pos is where the key starts; the zero Pos for a default.
	Pos Pos `json:"pos,omitzero"`
	// Default is true when the file does not set the value and php-fpm's
	// (or PHP's) built-in default applies.
	Default bool `json:"default,omitempty"`
}

// Pool is one [name] section of PHP-FPM: one listening socket and its workers.
type Pool struct {
	Name string `json:"name"`
	// Pos is the first [name] header of the pool.
	Pos Pos `json:"pos"`
	// FPM is the master configuration that loads the pool.
	FPM *FPM `json:"-"`
	// Values holds the pool's plain directives (last one wins), keyed by name.
	Values map[string]*Value `json:"values"`
	// PHPValues holds php_value/php_flag and php_admin_value/php_admin_flag
	// settings as PHP applies them: the first one set wins, and an admin
	// value beats a non-admin one. Keyed by the ini name.
	PHPValues map[string]*PHPValue `json:"php_values,omitempty"`
	// Env holds env[NAME] settings.
	Env map[string]*Value `json:"env,omitempty"`
	// Listen is the parsed `listen` value; Listen.Value is nil when the pool
	// sets none (php-fpm refuses to start then).
	Listen Listen `json:"listen"`
	// Entries are every line of the pool's sections in file order, plain
	// and array directives, repeated keys included: php-fpm refuses the
	// first bad line even when a later one sets the key again. Not in the
	// JSON model, which shows Values, PHPValues and Env.
	Entries []*Entry `json:"-"`
}

// PHPValue is a php.ini setting made by a pool.
type PHPValue struct {
	// Key is the directive as written: php_admin_flag[log_errors].
	Key   string `json:"key"`
	Name  string `json:"name"`
	Value string `json:"value"`
	Admin bool   `json:"admin,omitempty"`
	Pos   Pos    `json:"pos"`
}

// ListenKind says how a pool listens.
type ListenKind string

const (
	ListenUnix ListenKind = "unix"
	ListenTCP  ListenKind = "tcp"
)

// Listen is a pool's `listen` address.
type Listen struct {
	Kind ListenKind `json:"kind,omitempty"`
	// Path of a unix socket, made absolute against the FPM prefix the way
	// php-fpm does.
	Path string `json:"path,omitempty"`
	// Host is the address a TCP pool binds: "127.0.0.1", "::1", a host name,
	// or "" for all interfaces (a bare port, 0.0.0.0, [::] or *).
	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`
	// Value is the `listen` line; nil when the pool has none.
	Value *Value `json:"-"`
}

// AllInterfaces reports whether a TCP pool listens on every address.
func (l Listen) AllInterfaces() bool { return l.Kind == ListenTCP && l.Host == "" }

// PHPIni is the php.ini an FPM's workers read: the main file and the .ini
// files of its scan directory, later files overriding earlier ones.
type PHPIni struct {
	Files  []string          `json:"files"`
	Values map[string]*Value `json:"values"`
}

// PoolDefaults are php-fpm's built-in values for the pool directives rules
// read (php-src sapi/fpm/fpm/fpm_conf.c, 8.x). A missing key has no default.
var PoolDefaults = map[string]string{
	"listen.backlog":            "-1", // the kernel's limit, net.core.somaxconn
	"listen.mode":               "0660",
	"pm.max_requests":           "0",
	"pm.process_idle_timeout":   "10s",
	"request_terminate_timeout": "0",
	"request_slowlog_timeout":   "0",
	"security.limit_extensions": ".php .phar",
	"catch_workers_output":      "",
	"clear_env":                 "1",
}

// PHPDefaults are PHP's built-in values, when no php.ini sets them, for the
// settings rules read.
var PHPDefaults = map[string]string{
	"max_execution_time": "30",
	"cgi.fix_pathinfo":   "1",
	"display_errors":     "1",
	"log_errors":         "1",
	"error_log":          "",
	"output_buffering":   "0",
	"max_input_time":     "-1",
}

// Get returns the pool's value for key, or its php-fpm default (Default set),
// or nil when the pool does not set it and there is no default.
func (p *Pool) Get(key string) *Value {
	if v, ok := p.Values[key]; ok {
		return v
	}
	if d, ok := PoolDefaults[key]; ok {
		return &Value{Key: key, Value: d, Default: true}
	}
	return nil
}

// Set reports whether the pool's files set key.
func (p *Pool) Set(key string) bool {
	_, ok := p.Values[key]
	return ok
}

// PHPSetting returns the php.ini setting name in force in the pool's workers:
// the pool's php_admin_value/php_value, else its FPM's php.ini, else PHP's
// default (Default set); nil when none of these has it.
func (p *Pool) PHPSetting(name string) *Value {
	if v, ok := p.PHPValues[name]; ok {
		return &Value{Key: v.Key, Value: v.Value, Pos: v.Pos}
	}
	if p.FPM != nil && p.FPM.PHPIni != nil {
		if v, ok := p.FPM.PHPIni.Values[name]; ok {
			return v
		}
	}
	if d, ok := PHPDefaults[name]; ok {
		return &Value{Key: name, Value: d, Default: true}
	}
	return nil
}

// SortedKeys returns the keys of a value map in order, for stable output.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Accounts are the users and groups of the host (or of --root), from
// /etc/passwd and /etc/group, for permission checks.
type Accounts struct {
	// Source names the files read; empty when none was found and only each
	// user's own group is known.
	Source []string `json:"source,omitempty"`
	// Users maps a user name to its primary group name ("" when unknown).
	Users map[string]string `json:"users,omitempty"`
	// Members maps a group name to its supplementary members.
	Members map[string][]string `json:"members,omitempty"`
	// Groups holds every group name of /etc/group.
	Groups map[string]bool `json:"groups,omitempty"`
}

// InGroup reports whether user belongs to group: as primary group, as a
// listed member, or (when no account files were read) because the group has
// the user's own name. known is false when the answer is a guess.
func (a *Accounts) InGroup(user, group string) (in, known bool) {
	if a == nil || len(a.Source) == 0 {
		// Without account files only a user's own group is known.
		return user == group, user == group
	}
	if primary, ok := a.Users[user]; ok && primary == group {
		return true, true
	}
	for _, m := range a.Members[group] {
		if m == user {
			return true, true
		}
	}
	_, userKnown := a.Users[user]
	if !userKnown && user == group {
		return true, false
	}
	return false, userKnown
}

// Model is everything loaded: nginx, every PHP-FPM, and the accounts.
type Model struct {
	// Nginx is nil when no nginx configuration was given.
	Nginx *Nginx `json:"nginx,omitempty"`
	// FPMs are the PHP-FPM masters found, in discovery order.
	FPMs []*FPM `json:"fpm,omitempty"`
	// Accounts are nil when no passwd/group files were read.
	Accounts *Accounts `json:"accounts,omitempty"`
	// Sources lists every file read, in order.
	Sources []*Source `json:"sources"`
	// Live holds what --live observed on this host; nil without --live.
	Live *LiveFacts `json:"live,omitempty"`

	pools     []*Pool
	listening map[listenKey][]*Pool
}

// Pools returns every pool of every FPM.
func (m *Model) Pools() []*Pool {
	if m.pools != nil {
		return m.pools[:len(m.pools):len(m.pools)]
	}
	var pools []*Pool
	for _, f := range m.FPMs {
		pools = append(pools, f.Pools...)
	}
	return pools
}

// Index prepares the model for the rules: the nginx tree's large blocks are
// indexed by name, the pools collected once and indexed by where they
// listen. Call it once the model is complete; it must not change afterwards.
func (m *Model) Index() {
	if m.Nginx != nil && !m.Nginx.Root.IsZero() {
		m.Nginx.Index()
	}
	m.pools = nil
	pools := m.Pools()
	m.pools = pools
	m.listening = map[listenKey][]*Pool{}
	for _, p := range pools {
		if k := p.Listen.key(); k != (listenKey{}) {
			m.listening[k] = append(m.listening[k], p)
		}
	}
}

// listenKey is what Listening looks pools up by: a cleaned socket path or
// a TCP port.
type listenKey struct {
	kind ListenKind
	path string
	port int
}

func (l Listen) key() listenKey {
	switch l.Kind {
	case ListenUnix:
		return listenKey{kind: ListenUnix, path: path.Clean(l.Path)}
	case ListenTCP:
		return listenKey{kind: ListenTCP, port: l.Port}
	}
	return listenKey{}
}

// Listening returns, in model order, the pools that may listen on a unix
// socket at path (kind ListenUnix) or on TCP port (ListenTCP); ok is false
// when the model was not indexed.
func (m *Model) Listening(kind ListenKind, path string, port int) (pools []*Pool, ok bool) {
	if m.listening == nil {
		return nil, false
	}
	return m.listening[Listen{Kind: kind, Path: path, Port: port}.key()], true
}

// Source returns the source with the given path, or nil.
func (m *Model) Source(path string) *Source {
	for _, s := range m.Sources {
		if s.Path == path {
			return s
		}
	}
	return nil
}
