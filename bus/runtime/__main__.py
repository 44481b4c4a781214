import sys

from bus.runtime import main

sys.exit(main(sys.argv[1:]))
