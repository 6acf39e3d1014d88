<?php
sleep(2);
echo "done\n";
