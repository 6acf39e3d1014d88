<?php
error_log("report: starting a 2 s job");
sleep(2);
echo "ok\n";
