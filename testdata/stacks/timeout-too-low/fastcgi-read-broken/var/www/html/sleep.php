<?php
sleep(2);
echo "ok\n";
