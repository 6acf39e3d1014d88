package rules

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// DirectiveWrongContext finds directives nginx refuses where they are.
var DirectiveWrongContext = &lint.Rule{
	ID:       "directive-wrong-context",
	Title:    "nginx directive in a block where it is not allowed",
	Severity: lint.Error,
	Tags:     []string{"startup", "nginx"},
	Doc: `Every nginx directive is allowed in some blocks only, and nginx -t fails on one written elsewhere:
"\"fastcgi_pass\" directive is not allowed here". The reload is refused; a fresh start leaves every
site down. Common cases: fastcgi_param or try_files inside an if block (if takes only rewrite
directives and a few others), fastcgi_pass at server level or in limit_except (it belongs in a
location), user or worker_processes inside http, location outside a server, server outside http,
stream or upstream, listen or server_name inside a location, a site file's server block included
at the top level of nginx.conf instead of inside http.
The rule knows the directives of nginx's core, events, http core, FastCGI, proxy, rewrite,
try_files, index and upstream modules (and of stream's core, proxy and upstream modules), with the
blocks every nginx module allows them in; it says nothing of other directives (third-party modules
such as lua or headers-more) nor of what is inside blocks it does not know (map, types, *_by_lua).
A file given alone without http, events, stream or mail blocks (a site file) is not judged.`,
	Bad: `location / {
    if ($request_method = POST) {
        fastcgi_param APP_MODE write;
    }
}`,
	Good: `location / {
    fastcgi_param APP_MODE $app_mode;  # set $app_mode with map or set
}`,
	Fix:   "Move the directive into a block that allows it (the message lists them), or use a map / set variable instead of an if.",
	Check: checkDirectiveWrongContext,
}

// nginxContext is a set of the blocks nginx directives live in, as the
// NGX_*_CONF flags of their modules' command tables.
type nginxContext uint32

const (
	ctxMain nginxContext = 1 << iota
	ctxEvents
	ctxHTTP
	ctxServer
	ctxLocation
	ctxIfServer
	ctxIfLocation
	ctxLimitExcept
	ctxUpstream
	ctxStream
	ctxStreamServer
	ctxStreamUpstream
	ctxMail
	ctxMailServer
)

var contextNames = []struct {
	ctx  nginxContext
	name string
}{
	{ctxMain, "the main context"}, {ctxEvents, "events"}, {ctxHTTP, "http"}, {ctxServer, "server"},
	{ctxLocation, "location"}, {ctxIfServer, "if in server"}, {ctxIfLocation, "if in location"},
	{ctxLimitExcept, "limit_except"}, {ctxUpstream, "upstream"}, {ctxStream, "stream"},
	{ctxStreamServer, "stream server"}, {ctxStreamUpstream, "stream upstream"}, {ctxMail, "mail"},
	{ctxMailServer, "mail server"},
}

// names lists the blocks of a context set: "http, server or location".
func (c nginxContext) names() string {
	var out []string
	for _, n := range contextNames {
		if c&n.ctx != 0 {
			out = append(out, n.name)
		}
	}
	return quotedList(out)
}

// directiveContexts are the blocks where nginx accepts each directive the
// rule knows: for every name, the union of the contexts of every nginx
// module that defines it (proxy_pass: http's proxy module and stream's),
// read from the ngx_command_t tables of nginx 1.22.1 and of 1.29 (a context
// a later version added is allowed).
var directiveContexts = func() map[string]nginxContext {
	m := map[string]nginxContext{}
	for _, g := range []struct {
		ctx   nginxContext
		names string
	}{
		{ctxHTTP | ctxServer | ctxLocation, `absolute_redirect aio aio_write auth_delay chunked_transfer_encoding
		client_body_buffer_size client_body_in_file_only client_body_in_single_buffer
		client_body_temp_path client_body_timeout client_max_body_size default_type directio
		directio_alignment disable_symlinks early_hints etag fastcgi_bind fastcgi_buffer_size
		fastcgi_buffering fastcgi_buffers fastcgi_busy_buffers_size fastcgi_cache
		fastcgi_cache_background_update fastcgi_cache_bypass fastcgi_cache_key
		fastcgi_cache_lock fastcgi_cache_lock_age fastcgi_cache_lock_timeout
		fastcgi_cache_max_range_offset fastcgi_cache_methods fastcgi_cache_min_uses
		fastcgi_cache_revalidate fastcgi_cache_use_stale fastcgi_cache_valid
		fastcgi_catch_stderr fastcgi_connect_timeout fastcgi_force_ranges fastcgi_hide_header
		fastcgi_ignore_client_abort fastcgi_ignore_headers fastcgi_index
		fastcgi_intercept_errors fastcgi_keep_conn fastcgi_limit_rate fastcgi_max_temp_file_size
		fastcgi_next_upstream fastcgi_next_upstream_timeout fastcgi_next_upstream_tries
		fastcgi_no_cache fastcgi_param fastcgi_pass_header fastcgi_pass_request_body
		fastcgi_pass_request_headers fastcgi_read_timeout fastcgi_request_buffering
		fastcgi_send_lowat fastcgi_send_timeout fastcgi_socket_keepalive fastcgi_socket_rcvbuf
		fastcgi_socket_sndbuf fastcgi_split_path_info fastcgi_store fastcgi_store_access
		fastcgi_temp_file_write_size fastcgi_temp_path gzip_disable gzip_http_version
		gzip_proxied gzip_vary if_modified_since index keepalive_disable keepalive_min_timeout
		lingering_close lingering_time lingering_timeout log_not_found log_subrequest max_ranges
		msie_padding msie_refresh open_file_cache open_file_cache_errors open_file_cache_events
		open_file_cache_min_uses open_file_cache_valid port_in_redirect postpone_output
		proxy_buffering proxy_buffers proxy_busy_buffers_size proxy_cache
		proxy_cache_background_update proxy_cache_bypass proxy_cache_convert_head
		proxy_cache_key proxy_cache_lock proxy_cache_lock_age proxy_cache_lock_timeout
		proxy_cache_max_range_offset proxy_cache_methods proxy_cache_min_uses
		proxy_cache_revalidate proxy_cache_use_stale proxy_cache_valid proxy_cookie_domain
		proxy_cookie_flags proxy_cookie_path proxy_force_ranges proxy_headers_hash_bucket_size
		proxy_headers_hash_max_size proxy_hide_header proxy_http_version
		proxy_ignore_client_abort proxy_ignore_headers proxy_intercept_errors proxy_limit_rate
		proxy_max_temp_file_size proxy_method proxy_no_cache proxy_pass_header
		proxy_pass_request_body proxy_pass_request_headers proxy_pass_trailers
		proxy_read_timeout proxy_redirect proxy_request_buffering proxy_send_lowat
		proxy_send_timeout proxy_set_body proxy_set_header proxy_store proxy_store_access
		proxy_temp_file_write_size proxy_temp_path read_ahead recursive_error_pages
		reset_timedout_connection satisfy send_lowat send_timeout sendfile_max_chunk
		server_name_in_redirect server_tokens subrequest_output_buffer_size tcp_nopush types
		types_hash_bucket_size types_hash_max_size`},
		{ctxHTTP | ctxServer | ctxLocation | ctxStream | ctxStreamServer, `proxy_bind proxy_buffer_size proxy_connect_timeout proxy_next_upstream
		proxy_next_upstream_timeout proxy_next_upstream_tries proxy_socket_keepalive
		proxy_socket_rcvbuf proxy_socket_sndbuf proxy_ssl_certificate
		proxy_ssl_certificate_cache proxy_ssl_certificate_key proxy_ssl_ciphers
		proxy_ssl_conf_command proxy_ssl_crl proxy_ssl_name proxy_ssl_password_file
		proxy_ssl_protocols proxy_ssl_server_name proxy_ssl_session_reuse
		proxy_ssl_trusted_certificate proxy_ssl_verify proxy_ssl_verify_depth tcp_nodelay`},
		{ctxMain, `daemon debug_points env events http load_module lock_file mail master_process pid stream
		timer_resolution user worker_cpu_affinity worker_priority worker_processes
		worker_rlimit_core worker_rlimit_nofile worker_shutdown_timeout working_directory`},
		{ctxStream | ctxStreamServer, `preread_buffer_size preread_timeout proxy_download_rate proxy_downstream_buffer
		proxy_half_close proxy_protocol_timeout proxy_requests proxy_responses proxy_ssl
		proxy_ssl_alpn proxy_upload_rate proxy_upstream_buffer`},
		{ctxHTTP | ctxServer, `client_body_early_read client_header_buffer_size client_header_timeout
		connection_pool_size ignore_invalid_headers large_client_header_buffers max_headers
		merge_slashes request_pool_size underscores_in_headers`},
		{ctxEvents, `accept_mutex accept_mutex_delay debug_connection multi_accept use worker_connections`},
		{ctxHTTP | ctxServer | ctxLocation | ctxIfLocation, `error_page limit_rate limit_rate_after post_action root sendfile`},
		{ctxHTTP | ctxStream, `server_names_hash_bucket_size server_names_hash_max_size upstream
		variables_hash_bucket_size variables_hash_max_size`},
		{ctxUpstream | ctxStreamUpstream, `hash least_conn least_time random zone`},
		{ctxLocation | ctxIfLocation, `fastcgi_pass grpc_pass scgi_pass uwsgi_pass`},
		{ctxHTTP | ctxServer | ctxLocation | ctxUpstream, `keepalive_requests keepalive_time keepalive_timeout`},
		{ctxLocation, `alias internal limit_except`},
		{ctxServer | ctxLocation, `if location try_files`},
		{ctxUpstream, `ip_hash keepalive sticky`},
		{ctxHTTP, `fastcgi_cache_path proxy_cache_path`},
		{ctxHTTP | ctxServer | ctxLocation | ctxIfServer | ctxIfLocation, `rewrite_log uninitialized_variable_warn`},
		{ctxHTTP | ctxServer | ctxLocation | ctxUpstream | ctxStream | ctxStreamServer | ctxStreamUpstream | ctxMail | ctxMailServer, `resolver resolver_timeout`},
		{ctxServer | ctxLocation | ctxIfServer | ctxIfLocation, `break rewrite`},
		{ctxServer | ctxLocation | ctxIfServer | ctxIfLocation | ctxStreamServer, `return set`},
		{ctxStream | ctxStreamServer | ctxMail | ctxMailServer, `proxy_protocol proxy_timeout`},
		{ctxHTTP | ctxUpstream | ctxStream | ctxStreamUpstream | ctxMail, `server`},
		{ctxLocation | ctxIfLocation | ctxLimitExcept | ctxStreamServer, `proxy_pass`},
		{ctxMain | ctxHTTP | ctxServer | ctxLocation | ctxStream | ctxStreamServer | ctxMail | ctxMailServer, `error_log`},
		{ctxServer | ctxStreamServer | ctxMail | ctxMailServer, `server_name`},
		{ctxServer | ctxStreamServer | ctxMailServer, `listen`},
	} {
		for _, n := range strings.Fields(g.names) {
			m[n] |= g.ctx
		}
	}
	return m
}()

// blockContext is the context a block opens for its directives; ok is false
// for a block the rule does not know (map, types, *_by_lua_block, a
// third-party module's block) or one in a place nginx refuses anyway.
func blockContext(b lint.Directive, outer nginxContext) (ctx nginxContext, ok bool) {
	switch b.Name() {
	case "events":
		return ctxEvents, outer == ctxMain
	case "http":
		return ctxHTTP, outer == ctxMain
	case "stream":
		return ctxStream, outer == ctxMain
	case "mail":
		return ctxMail, outer == ctxMain
	case "server":
		switch outer {
		case ctxHTTP:
			return ctxServer, true
		case ctxStream:
			return ctxStreamServer, true
		case ctxMail:
			return ctxMailServer, true
		}
	case "upstream":
		switch outer {
		case ctxHTTP:
			return ctxUpstream, true
		case ctxStream:
			return ctxStreamUpstream, true
		}
	case "location":
		return ctxLocation, outer == ctxServer || outer == ctxLocation
	case "if":
		switch outer {
		case ctxServer:
			return ctxIfServer, true
		case ctxLocation:
			return ctxIfLocation, true
		}
	case "limit_except":
		return ctxLimitExcept, outer == ctxLocation
	}
	return 0, false
}

// isFragment reports whether the main file is a piece of a configuration
// (a site file given alone): no events, http, stream or mail block.
func isFragment(root lint.Directive) bool {
	for d := range root.Block() {
		switch d.Name() {
		case "events", "http", "stream", "mail":
			return false
		}
	}
	return true
}

func checkDirectiveWrongContext(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil || isFragment(m.Nginx.Root) {
		return
	}
	var walk func(block lint.Directive, ctx nginxContext)
	walk = func(block lint.Directive, ctx nginxContext) {
		for d := range block.Block() {
			allowed, known := directiveContexts[d.Name()]
			if known && allowed&ctx == 0 {
				r.Report(wrongContextFinding(d, ctx, allowed))
			}
			if !d.IsBlock() {
				continue
			}
			if inner, ok := blockContext(d, ctx); ok {
				walk(d, inner)
			}
		}
	}
	walk(m.Nginx.Root, ctxMain)
}

func wrongContextFinding(d lint.Directive, ctx, allowed nginxContext) lint.Finding {
	emerg := fmt.Sprintf("\"%s\" directive is not allowed here", d.Name())
	return lint.Finding{
		Span:        d.Span(),
		Message:     fmt.Sprintf("%s is not allowed in %s: nginx -t fails with %q; it belongs in %s", d.Name(), ctx.names(), emerg, allowed.names()),
		Consequence: fmt.Sprintf("nginx -t fails: [emerg] %s in %s:%d; the reload is refused, a fresh start leaves every site down", emerg, d.Pos().File, d.Pos().Line),
		Fix:         &lint.Fix{Text: "move it into " + allowed.names()},
	}
}
