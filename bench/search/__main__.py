import sys

from bench.search import main

main(sys.argv[1:])
