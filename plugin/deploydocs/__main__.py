import sys

from deploydocs.commands.main import main

sys.exit(main())
