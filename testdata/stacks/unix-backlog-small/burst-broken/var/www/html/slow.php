<?php
sleep(1);
echo "ok\n";
