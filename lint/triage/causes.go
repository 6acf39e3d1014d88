package triage

import "github.com/nginx502-lint/nginx502-lint/parsers/errorlog"

// cause is what the triage knows of one kind of upstream error: what it
// means, which rules of the linter predict it from the configuration, and
// which --live rules check it on the host.
type cause struct {
	// explain says what the line means, for an operator; explainProxy,
	// when set, replaces it for a proxy_pass, uwsgi_pass, … backend.
	explain, explainProxy string
	// rules are the configuration rules that predict it, most likely first.
	rules []ruleRef
	// live are the --live rules that observe it on the host.
	live []string
}

// ruleRef names a rule; fastcgi is true when the rule only judges
// fastcgi_pass (PHP-FPM) backends.
type ruleRef struct {
	id      string
	fastcgi bool
}

var causes = map[errorlog.Cause]cause{
	errorlog.CauseNoSuchFile: {
		explain: "the socket file does not exist: no PHP-FPM pool listens at this path (a typo, the socket of another PHP version, or php-fpm is not running)",
		rules:   []ruleRef{{"fastcgi-pass-unmatched", true}, {"pass-invalid-address", false}},
		live:    []string{"live-socket-missing", "live-fpm-not-running"},
	},
	errorlog.CausePermission: {
		explain: "the nginx workers may not open the socket (its owner, group, mode or ACL, or a directory on the way); with SELinux enforcing the policy gives the same error",
		rules:   []ruleRef{{"socket-permission-denied", true}},
		live:    []string{"live-socket-permission", "live-selinux-blocks"},
	},
	errorlog.CauseRefused: {
		explain: "nothing listens there: the backend is down or listens elsewhere; on a unix socket, the file is stale, left by a php-fpm that crashed or was killed",
		rules:   []ruleRef{{"fastcgi-pass-unmatched", true}},
		live:    []string{"live-socket-stale", "live-connect-failed", "live-fpm-not-running"},
	},
	errorlog.CauseAgain: {
		explain: "the socket's listen queue is full: every php-fpm child is busy and listen.backlog connections already wait; nginx gives up at once",
		rules:   []ruleRef{{"unix-backlog-small", true}},
		live:    []string{"live-connect-failed"},
	},
	errorlog.CauseConnectOther: {
		explain: "the backend's address cannot be reached from this host (routing, firewall, a host that is down)",
		live:    []string{"live-connect-failed"},
	},
	errorlog.CauseConnectTimeout: {
		explain: "the backend did not accept the connection within *_connect_timeout: the host or port does not answer, or its accept queue is full",
		rules:   []ruleRef{{"keepalive-exhausts-pool", true}, {"connect-timeout-over-cap", false}},
		live:    []string{"live-connect-failed"},
	},
	errorlog.CauseTimeout: {
		explain: "the backend did not answer within *_read_timeout (or *_send_timeout): a slow script, or every worker busy; PHP may still be running the request",
		rules:   []ruleRef{{"timeout-chain-inverted", true}, {"timeout-too-low", false}},
	},
	errorlog.CauseReset: {
		explain:      "the backend reset the connection before answering: php-fpm killed the worker (request_terminate_timeout, a crash, the OOM killer) or refused the client (listen.allowed_clients); the php-fpm log says which",
		explainProxy: "the backend reset the connection before answering: it crashed or was restarted, or closed a kept-alive connection as nginx reused it; the backend's log says which",
		rules:        []ruleRef{{"timeout-chain-inverted", true}, {"fpm-allowed-clients", true}},
	},
	errorlog.CausePrematureClose: {
		explain:      "the backend closed the connection before sending complete headers: the worker died or dropped the client (listen.allowed_clients); the php-fpm log says which",
		explainProxy: "the backend closed the connection before sending complete headers: it crashed or restarted, or closed a kept-alive connection as nginx reused it (its keep-alive timeout shorter than nginx's); the backend's log says which",
		rules:        []ruleRef{{"fpm-allowed-clients", true}, {"timeout-chain-inverted", true}},
	},
	errorlog.CauseTooBigHeader: {
		explain: "the response headers (cookies, security headers, PHP warnings sent to stderr) do not fit in *_buffer_size",
		rules:   []ruleRef{{"buffer-too-small", false}, {"buffer-size-default", false}},
	},
	errorlog.CauseNoLiveUpstreams: {
		explain: "nginx had no server of the upstream left to try: every one is marked down, or each failed max_fails times and is skipped for fail_timeout (look for their connect() errors just before)",
		rules:   []ruleRef{{"upstream-all-down", false}},
		live:    []string{"live-connect-failed", "live-socket-missing", "live-socket-stale"},
	},
}

// ruleIDs are the rules that can explain c on a backend of the module
// ("fastcgi", "proxy", …).
func ruleIDs(c errorlog.Cause, module string) []string {
	var out []string
	for _, r := range causes[c].rules {
		if !r.fastcgi || module == "fastcgi" {
			out = append(out, r.id)
		}
	}
	return out
}

// moduleOf maps the scheme nginx logs in `upstream: "…"` to the module of
// the *_pass directive.
func moduleOf(scheme string) string {
	switch scheme {
	case "http", "https":
		return "proxy"
	case "grpc", "grpcs":
		return "grpc"
	case "":
		return "fastcgi"
	}
	return scheme // fastcgi, uwsgi, scgi
}
