import sys

from linkgraph.demo_data.generate import main

sys.exit(main())
