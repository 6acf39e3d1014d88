package lint

// directiveNames are the names of the nginx directives of nginx's own
// modules and of those common in real configurations. The parser marks a
// directive's name with its index here (Word.Name), so that Name returns
// this string, not a slice of the file: no bounds to check, and a rule
// comparing it with the same literal finds the bytes equal at once. An
// unknown name is read from the file as any word.
var directiveNames = [...]string{
	"", // 0: not a known name
	"absolute_redirect", "accept_mutex", "accept_mutex_delay", "access_by_lua_block", "access_log",
	"add_after_body", "add_before_body", "add_header", "add_trailer", "aio", "aio_write", "alias",
	"allow", "auth_basic", "auth_basic_user_file", "auth_delay", "auth_http", "auth_request",
	"auth_request_set", "autoindex_format", "balancer_by_lua_block", "body_filter_by_lua_block",
	"break", "charset_map", "chunked_transfer_encoding", "client_body_buffer_size",
	"client_body_early_read", "client_body_in_file_only", "client_body_in_single_buffer",
	"client_body_temp_path", "client_body_timeout", "client_header_buffer_size",
	"client_header_timeout", "client_max_body_size", "connection_pool_size", "content_by_lua_block",
	"daemon", "dav_methods", "debug_connection", "debug_points", "default_type", "deny", "directio",
	"directio_alignment", "disable_symlinks", "early_hints", "empty_gif", "env", "error_log",
	"error_page", "etag", "events", "expires", "fastcgi_bind", "fastcgi_buffer_size",
	"fastcgi_buffering", "fastcgi_buffers", "fastcgi_busy_buffers_size", "fastcgi_cache",
	"fastcgi_cache_background_update", "fastcgi_cache_bypass", "fastcgi_cache_key",
	"fastcgi_cache_lock", "fastcgi_cache_lock_age", "fastcgi_cache_lock_timeout",
	"fastcgi_cache_max_range_offset", "fastcgi_cache_methods", "fastcgi_cache_min_uses",
	"fastcgi_cache_path", "fastcgi_cache_revalidate", "fastcgi_cache_use_stale",
	"fastcgi_cache_valid", "fastcgi_catch_stderr", "fastcgi_connect_timeout", "fastcgi_force_ranges",
	"fastcgi_hide_header", "fastcgi_ignore_client_abort", "fastcgi_ignore_headers", "fastcgi_index",
	"fastcgi_intercept_errors", "fastcgi_keep_conn", "fastcgi_limit_rate",
	"fastcgi_max_temp_file_size", "fastcgi_next_upstream", "fastcgi_next_upstream_timeout",
	"fastcgi_next_upstream_tries", "fastcgi_no_cache", "fastcgi_param", "fastcgi_pass",
	"fastcgi_pass_header", "fastcgi_pass_request_body", "fastcgi_pass_request_headers",
	"fastcgi_read_timeout", "fastcgi_request_buffering", "fastcgi_send_lowat", "fastcgi_send_timeout",
	"fastcgi_socket_keepalive", "fastcgi_socket_rcvbuf", "fastcgi_socket_sndbuf",
	"fastcgi_split_path_info", "fastcgi_store", "fastcgi_store_access",
	"fastcgi_temp_file_write_size", "fastcgi_temp_path", "geo", "grpc_pass", "grpc_set_header",
	"gzip", "gzip_buffers", "gzip_comp_level", "gzip_disable", "gzip_http_version", "gzip_min_length",
	"gzip_proxied", "gzip_static", "gzip_types", "gzip_vary", "hash", "header_filter_by_lua_block",
	"http", "http2_body_preread_size", "http2_push", "if", "if_modified_since",
	"ignore_invalid_headers", "image_filter", "image_filter_buffer", "image_filter_jpeg_quality",
	"include", "index", "init_by_lua_block", "init_worker_by_lua_block", "internal", "ip_hash",
	"keepalive", "keepalive_disable", "keepalive_min_timeout", "keepalive_requests", "keepalive_time",
	"keepalive_timeout", "large_client_header_buffers", "least_conn", "least_time", "limit_conn",
	"limit_conn_zone", "limit_except", "limit_rate", "limit_rate_after", "limit_req",
	"limit_req_log_level", "limit_req_zone", "lingering_close", "lingering_time", "lingering_timeout",
	"listen", "load_module", "location", "lock_file", "log_by_lua_block", "log_format",
	"log_not_found", "log_subrequest", "mail", "map", "master_process", "max_headers", "max_ranges",
	"memcached_pass", "merge_slashes", "more_set_headers", "mp4_buffer_size", "mp4_max_buffer_size",
	"msie_padding", "msie_refresh", "multi_accept", "open_file_cache", "open_file_cache_errors",
	"open_file_cache_events", "open_file_cache_min_uses", "open_file_cache_valid", "output_buffers",
	"pid", "port_in_redirect", "post_action", "postpone_output", "preread_buffer_size",
	"preread_timeout", "protocol", "proxy_bind", "proxy_buffer_size", "proxy_buffering",
	"proxy_buffers", "proxy_busy_buffers_size", "proxy_cache", "proxy_cache_background_update",
	"proxy_cache_bypass", "proxy_cache_convert_head", "proxy_cache_key", "proxy_cache_lock",
	"proxy_cache_lock_age", "proxy_cache_lock_timeout", "proxy_cache_max_range_offset",
	"proxy_cache_methods", "proxy_cache_min_uses", "proxy_cache_path", "proxy_cache_revalidate",
	"proxy_cache_use_stale", "proxy_cache_valid", "proxy_connect_timeout", "proxy_cookie_domain",
	"proxy_cookie_flags", "proxy_cookie_path", "proxy_download_rate", "proxy_downstream_buffer",
	"proxy_force_ranges", "proxy_half_close", "proxy_headers_hash_bucket_size",
	"proxy_headers_hash_max_size", "proxy_hide_header", "proxy_http_version",
	"proxy_ignore_client_abort", "proxy_ignore_headers", "proxy_intercept_errors", "proxy_limit_rate",
	"proxy_max_temp_file_size", "proxy_method", "proxy_next_upstream", "proxy_next_upstream_timeout",
	"proxy_next_upstream_tries", "proxy_no_cache", "proxy_pass", "proxy_pass_error_message",
	"proxy_pass_header", "proxy_pass_request_body", "proxy_pass_request_headers",
	"proxy_pass_trailers", "proxy_passs", "proxy_protocol", "proxy_protocol_timeout",
	"proxy_read_timeout", "proxy_redirect", "proxy_request_buffering", "proxy_requests",
	"proxy_responses", "proxy_send_lowat", "proxy_send_timeout", "proxy_set_body", "proxy_set_header",
	"proxy_socket_keepalive", "proxy_socket_rcvbuf", "proxy_socket_sndbuf", "proxy_ssl",
	"proxy_ssl_alpn", "proxy_ssl_certificate", "proxy_ssl_certificate_cache",
	"proxy_ssl_certificate_key", "proxy_ssl_ciphers", "proxy_ssl_conf_command", "proxy_ssl_crl",
	"proxy_ssl_name", "proxy_ssl_password_file", "proxy_ssl_protocols", "proxy_ssl_server_name",
	"proxy_ssl_session_reuse", "proxy_ssl_trusted_certificate", "proxy_ssl_verify",
	"proxy_ssl_verify_depth", "proxy_store", "proxy_store_access", "proxy_temp_file_write_size",
	"proxy_temp_path", "proxy_timeout", "proxy_upload_rate", "proxy_upstream_buffer", "random",
	"ranges", "read_ahead", "real_ip_header", "real_ip_recursive", "recursive_error_pages",
	"request_pool_size", "reset_timedout_connection", "resolver", "resolver_timeout", "return",
	"rewrite", "rewrite_by_lua_block", "rewrite_log", "root", "satisfy", "scgi_cache",
	"scgi_cache_key", "scgi_cache_path", "scgi_param", "scgi_pass", "scgi_temp_path", "secure_link",
	"secure_link_md5", "send_lowat", "send_timeout", "sendfile", "sendfile_max_chunk", "server",
	"server_name", "server_name_in_redirect", "server_names_hash_bucket_size",
	"server_names_hash_max_size", "server_tokens", "set", "set_by_lua", "set_by_lua_block",
	"set_real_ip_from", "smtp_auth", "split_clients", "ssi", "ssl_alpn", "ssl_certificate",
	"ssl_certificate_by_lua_block", "ssl_certificate_cache", "ssl_certificate_key", "ssl_ciphers",
	"ssl_client_certificate", "ssl_conf_command", "ssl_crl", "ssl_ecdh_curve", "ssl_ocsp",
	"ssl_ocsp_responder", "ssl_password_file", "ssl_prefer_server_ciphers", "ssl_preread",
	"ssl_protocols", "ssl_reject_handshake", "ssl_session_cache", "ssl_session_tickets",
	"ssl_session_timeout", "ssl_stapling", "ssl_stapling_file", "ssl_stapling_responder",
	"ssl_stapling_verify", "ssl_trusted_certificate", "ssl_verify_client", "ssl_verify_depth",
	"status_zone", "sticky", "stream", "sub_filter", "sub_filter_once", "sub_filter_types",
	"subrequest_output_buffer_size", "tcp_nodelay", "tcp_nopush", "timer_resolution", "track_uploads",
	"try_files", "tunnel_pass", "types", "types_hash_bucket_size", "types_hash_max_size",
	"underscores_in_headers", "uninitialized_variable_warn", "upstream", "use", "user",
	"userid_expires", "userid_flags", "userid_mark", "userid_path", "uwsgi_param", "uwsgi_pass",
	"uwsgi_ssl_certificate", "uwsgi_ssl_certificate_key", "uwsgi_ssl_name", "uwsgi_ssl_session_reuse",
	"uwsgi_ssl_trusted_certificate", "uwsgi_ssl_verify", "uwsgi_temp_path", "valid_referers",
	"variables_hash_bucket_size", "variables_hash_max_size", "worker_connections",
	"worker_cpu_affinity", "worker_priority", "worker_processes", "worker_rlimit_core",
	"worker_rlimit_nofile", "worker_shutdown_timeout", "working_directory", "xslt_stylesheet", "zone",
}

// nameIDs maps each of directiveNames to its index.
var nameIDs = func() map[string]uint16 {
	m := make(map[string]uint16, len(directiveNames))
	for i, name := range directiveNames[1:] {
		m[name] = uint16(i + 1)
	}
	return m
}()

// NameID returns the index of a directive name among the known ones, 0
// when it is not one of them.
func NameID(name string) uint16 { return nameIDs[name] }
