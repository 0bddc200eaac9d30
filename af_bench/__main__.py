import sys

from af_bench.cli import main

sys.exit(main())
