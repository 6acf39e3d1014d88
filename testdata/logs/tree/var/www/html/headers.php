<?php
// 3 KiB of cookies: more than fastcgi_buffer_size 1k.
for ($i = 0; $i < 24; $i++) {
    header("Set-Cookie: c$i=" . str_repeat('x', 120), false);
}
echo "ok\n";
