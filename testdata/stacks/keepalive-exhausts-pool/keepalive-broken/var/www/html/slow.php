<?php
usleep(500000);
echo "ok\n";
