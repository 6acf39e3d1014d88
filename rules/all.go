// Package rules holds the checks, one file per rule or small family. Each
// rule is a *lint.Rule value: its ID, title, severity, documentation and
// check; All lists them.
package rules

import "github.com/nginx502-lint/nginx502-lint/lint"

// All returns every rule, sorted by ID. A new rule is one file in this
// package plus one line here. The live-* rules judge what --live observed
// on the host (Model.Live) and are silent without it.
func All() []*lint.Rule {
	return []*lint.Rule{
		BufferSizeDefault,
		BufferStartupRelation,
		BufferTooSmall,
		ConnectTimeoutOverCap,
		DirectiveInvalidValue,
		DirectiveWrongContext,
		EventsMissing,
		FastCGIPassUnmatched,
		FastCGIScriptFilenameMissing,
		FileNotUTF8,
		FPMAllowedClients,
		FPMDuplicateListen,
		FPMInvalidValue,
		FPMLimitExtensionsEmpty,
		FPMListenAllInterfaces,
		FPMPathFormat,
		FPMPMRange,
		FPMPoolIncomplete,
		FPMPoolUserRoot,
		FPMPoolVariableInGlobal,
		FPMSlowlog,
		FPMUnknownKey,
		FPMUnknownUser,
		KeepaliveExhaustsPool,
		ListenDuplicate,
		LiveConnectFailed,
		LiveFPMNotRunning,
		LiveSELinuxBlocks,
		LiveSocketMissing,
		LiveSocketPermission,
		LiveSocketStale,
		LocationDuplicate,
		PassInvalidAddress,
		PassTargetVariable,
		PHPLocationNoExistenceCheck,
		ProxyKeepaliveUnused,
		SocketPermissionDenied,
		SocketWorldWritable,
		TimeoutChainInverted,
		TimeoutTooLow,
		UnixBacklogSmall,
		UpstreamAllDown,
		UpstreamDuplicate,
		UpstreamNoServers,
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
