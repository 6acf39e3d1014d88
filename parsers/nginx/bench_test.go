package nginx

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// bigConfig generates about size bytes of a realistic configuration: many
// server blocks with locations, quoted strings, comments, maps and a Lua block.
func bigConfig(size int) []byte {
	var b strings.Builder
	b.WriteString("user www-data;\nworker_processes auto;\nevents { worker_connections 768; }\nhttp {\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `    # site %d
    upstream app%d {
        server 127.0.0.1:%d weight=5 max_fails=3 fail_timeout=30s;
        server unix:/run/php/php8.2-fpm-%d.sock backup;
    }
    map $http_upgrade $connection_upgrade%d {
        default upgrade;
        ''      close;
    }
    server {
        listen 80;
        listen [::]:80;
        server_name site%d.example.com www.site%d.example.com;
        root /var/www/site%d/public;
        index index.php index.html;
        add_header X-Frame-Options "SAMEORIGIN" always;
        add_header Content-Security-Policy "default-src 'self'; script-src 'self' 'unsafe-inline'" always;
        location / {
            try_files $uri $uri/ /index.php?$query_string;
        }
        location ~ "^/uuid/[0-9a-f]{8}-[0-9a-f]{4}$" {
            return 200 "uuid\n";
        }
        location ~ \.php$ {
            include snippets/fastcgi-php.conf;
            fastcgi_pass unix:/run/php/php8.2-fpm.sock;
            fastcgi_param SCRIPT_FILENAME $realpath_root$fastcgi_script_name;
            fastcgi_read_timeout 300s; # slow reports
        }
        location /api/ {
            proxy_pass http://app%d/;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade%d;
        }
        location = /lua {
            content_by_lua_block {
                local s = "} not the end"
                ngx.say(s) -- { nor this
            }
        }
    }
`, i, i, 9000+i%1000, i, i, i, i, i, i, i)
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	data := bigConfig(12 << 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Parse("big.conf", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad loads the same configuration from disk, with its snippet
// included in every PHP location.
func BenchmarkLoad(b *testing.B) {
	data := bigConfig(12 << 20)
	dir := b.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "snippets"), 0o755); err != nil {
		b.Fatal(err)
	}
	files := map[string]string{
		"nginx.conf":                string(data),
		"snippets/fastcgi-php.conf": "fastcgi_split_path_info ^(.+?\\.php)(/.*)$;\ntry_files $fastcgi_script_name =404;\nset $path_info $fastcgi_path_info;\nfastcgi_param PATH_INFO $path_info;\nfastcgi_index index.php;\ninclude fastcgi.conf;\n",
		"fastcgi.conf":              strings.Repeat("fastcgi_param  SCRIPT_FILENAME    $document_root$fastcgi_script_name;\n", 18),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Load(&source.FS{}, filepath.Join(dir, "nginx.conf")); err != nil {
			b.Fatal(err)
		}
	}
}
