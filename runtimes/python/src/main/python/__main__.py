"""Entry point of the zip application: python3 meshwork-python.zip [--check] [--endpoint=...]."""
import sys

from meshwork_runtime.main import main

sys.exit(main(sys.argv[1:]))
