import sys

from af_bench.cli.main import main

sys.exit(main())
