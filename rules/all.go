// Package rules holds the checks, one file per rule or small family. Each
// rule is a *lint.Rule value: its ID, title, severity, documentation and
// check; All lists them.
package rules

import "github.com/nginx502-lint/nginx502-lint/lint"

// All returns every rule, sorted by ID. A new rule is one file in this
// package plus one line here.
func All() []*lint.Rule {
	return []*lint.Rule{
		BufferSizeDefault,
		BufferStartupRelation,
		BufferTooSmall,
		ConnectTimeoutOverCap,
		FastCGIPassUnmatched,
		FPMAllowedClients,
		FPMDuplicateListen,
		KeepaliveExhaustsPool,
		PassInvalidAddress,
		PassTargetVariable,
		ProxyKeepaliveUnused,
		SocketPermissionDenied,
		SocketWorldWritable,
		TimeoutChainInverted,
		TimeoutTooLow,
		UnixBacklogSmall,
		UpstreamAllDown,
	}
}

// ByID returns the rule with the given ID, or nil.
func ByID(id string) *lint.Rule {
	for _, r := range All() {
		if r.ID == id {
			return r
		}
	}
	return nil
}
