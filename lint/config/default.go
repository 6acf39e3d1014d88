package config

// Default returns the file `nginx502-lint config init` writes: every key,
// explained, set to what the tool does without a file.
func Default() string {
	return `# nginx502-lint configuration: https://github.com/nginx502-lint/nginx502-lint
# nginx502-lint reads the first .nginx502-lint.yml it finds walking up from
# the current directory. Unknown keys are an error. Relative paths are
# relative to this file's directory.

rules:
  # Rules to turn off, by id ("nginx502-lint rules" lists them).
  disable: []

  # Per-rule settings, under the rule's id:
  # timeout-too-low:
  #   severity: warning        # error, warning, note, or off
  #   options:                 # what the rule's documentation lists
  #     min_timeout: 5s
  # buffer-too-small:
  #   options:
  #     min_buffer_size: 8k

# Drop the findings in files matching these globs. "**" spans directories;
# a pattern without "/" matches any file or directory name.
exclude: []
#  - "snippets/legacy-*.conf"
#  - "**/*.dpkg-dist"

# A directory that stands for / when reading absolute paths, like --root.
# root: deploy

# The user (and group) nginx's workers run as, when nginx.conf's "user"
# directive does not say (e.g. a container entrypoint sets it).
# nginx_user: www-data

# Exit with status 1 when a finding is at least this severe: error, warning
# or note.
fail_on: warning

# Leave out findings less severe than this: error, warning or note.
min_severity: note
`
}
