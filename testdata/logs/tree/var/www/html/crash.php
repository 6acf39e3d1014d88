<?php
// The worker dies in the middle of a request, as on a segfault.
posix_kill(posix_getpid(), 9);
