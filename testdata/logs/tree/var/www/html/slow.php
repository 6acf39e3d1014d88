<?php
sleep(4);
echo "done\n";
