<?php
for ($i = 1; $i <= 30; $i++) {
    setcookie("c$i", str_repeat("x", 200));
}
echo "ok\n";
