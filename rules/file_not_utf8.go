package rules

import (
	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FileNotUTF8 notes configuration files that are not UTF-8.
var FileNotUTF8 = &lint.Rule{
	ID:       "file-not-utf8",
	Title:    "configuration file that is not UTF-8",
	Severity: lint.Note,
	Tags:     []string{"encoding"},
	Doc: `nginx and php-fpm read their files as bytes: a comment or a value in Latin-1 (café written
as the single byte 0xe9) is no error for them, and nginx502-lint reads and checks the file the same
way. What it cannot do is show those bytes faithfully: its messages, the JSON and SARIF reports and
GitHub's annotations are UTF-8, so a line it quotes from such a file shows � where the byte was.
This note says where the first such byte is, once per file; nothing here ends in a 502.`,
	Bad:   "# Cafétéria, saved as Latin-1: each é is the byte 0xe9\nserver_name cafe.example;",
	Good:  "# Cafétéria, saved as UTF-8: each é is the bytes 0xc3 0xa9\nserver_name cafe.example;",
	Fix:   "Convert the file to UTF-8, for example iconv -f latin1 -t utf-8 FILE > FILE.new, then replace FILE with it.",
	Check: checkFileNotUTF8,
}

func checkFileNotUTF8(m *lint.Model, r *lint.Reporter) {
	for _, s := range m.Sources {
		if !s.NotUTF8.IsValid() {
			continue
		}
		r.Report(lint.Finding{
			Span:    lint.Span{Start: s.NotUTF8},
			Message: "this file is not UTF-8 (the first such byte is here): nginx and php-fpm read it as bytes, and so does the linter, but what its reports quote from this file shows such bytes as �",
			Fix:     &lint.Fix{Text: "convert the file to UTF-8 (iconv -f latin1 -t utf-8, if it is Latin-1)"},
		})
	}
}
