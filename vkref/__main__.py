import sys

from vkref.cli.main import main

sys.exit(main())
